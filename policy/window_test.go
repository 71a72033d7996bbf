package policy

import (
	"testing"
	"time"
)

func TestWindowContains(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	weekend := Window{Days: []time.Weekday{time.Saturday, time.Sunday}, Start: 2 * time.Hour, Length: 4 * time.Hour}
	night := Window{Days: []time.Weekday{time.Friday}, Start: 23 * time.Hour, Length: 3 * time.Hour}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, berlin) }
	cases := []struct {
		name string
		w    Window
		t    time.Time
		want bool
	}{
		{"saturday inside", weekend, at(2026, 11, 28, 3, 0), true},
		{"start is inside", weekend, at(2026, 11, 28, 2, 0), true},
		{"end is outside", weekend, at(2026, 11, 28, 6, 0), false},
		{"before the start", weekend, at(2026, 11, 29, 1, 59), false},
		{"a weekday is outside", weekend, at(2026, 11, 30, 3, 0), false},
		{"past midnight belongs to the start day", night, at(2026, 11, 28, 1, 30), true},
		{"the start day's evening", night, at(2026, 11, 27, 23, 30), true},
		{"past the end after midnight", night, at(2026, 11, 28, 2, 0), false},
		{"the day after is not a start day", night, at(2026, 11, 28, 23, 30), false},
		// Daylight saving ends on 2026-10-25 in Berlin: 02:00–03:00 happens
		// twice; the window still starts at 02:00 wall-clock time.
		{"the day clocks go back", weekend, time.Date(2026, 10, 25, 2, 30, 0, 0, berlin), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.w.Contains(c.t); got != c.want {
				t.Errorf("%s contains %s = %v, want %v", c.w, c.t, got, c.want)
			}
		})
	}
	if w, ok := OpenWindow([]Window{night, weekend}, at(2026, 11, 28, 3, 0)); !ok || w.String() != "sat,sun 02:00 for 4h" {
		t.Errorf("OpenWindow = %v, %v", w, ok)
	}
	if _, ok := OpenWindow([]Window{night, weekend}, at(2026, 11, 25, 3, 0)); ok {
		t.Error("a window is open on a Wednesday")
	}
}
