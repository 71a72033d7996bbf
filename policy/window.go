package policy

import (
	"fmt"
	"strings"
	"time"
)

// A Window is a maintenance window: on each of Days, from Start (time of
// day, device local time) for Length. A window may run past midnight; it
// belongs to the day it starts on. Inside an open window a self-healing
// run may run disruptive steps (never dangerous ones), and any run may run
// them without --allow-disruptive.
type Window struct {
	Days   []time.Weekday
	Start  time.Duration // since midnight, under 24h
	Length time.Duration // over 0, at most 24h
}

// String writes the window as the configuration does: "sat,sun 02:00 for 4h".
func (w Window) String() string {
	days := make([]string, len(w.Days))
	for i, d := range w.Days {
		days[i] = strings.ToLower(d.String()[:3])
	}
	return fmt.Sprintf("%s %02d:%02d for %s", strings.Join(days, ","), int(w.Start/time.Hour), int(w.Start%time.Hour/time.Minute), shortDuration(w.Length))
}

// Contains reports whether t, in the device's local time, falls inside the
// window. Daylight saving is followed: the window starts at the wall-clock
// time on its day.
func (w Window) Contains(t time.Time) bool {
	// The window may have started today or, running past midnight,
	// yesterday.
	for back := 0; back <= 1; back++ {
		day := t.AddDate(0, 0, -back)
		if !w.on(day.Weekday()) {
			continue
		}
		midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, t.Location())
		start := midnight.Add(w.Start)
		if !t.Before(start) && t.Before(start.Add(w.Length)) {
			return true
		}
	}
	return false
}

func (w Window) on(d time.Weekday) bool {
	for _, x := range w.Days {
		if x == d {
			return true
		}
	}
	return false
}

// OpenWindow returns the first of windows that contains t, and whether
// there is one.
func OpenWindow(windows []Window, t time.Time) (Window, bool) {
	for _, w := range windows {
		if w.Contains(t) {
			return w, true
		}
	}
	return Window{}, false
}

func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
