package executor

import (
	"testing"
	"time"
)

func TestBackoffDoubles(t *testing.T) {
	t.Parallel()
	p := SelfHealPolicy{Backoff: time.Hour, MaxBackoff: 24 * time.Hour}
	cases := []struct {
		failures int
		want     time.Duration
	}{
		{1, time.Hour}, {2, 2 * time.Hour}, {3, 4 * time.Hour}, {5, 16 * time.Hour}, {6, 24 * time.Hour}, {60, 24 * time.Hour},
	}
	for _, c := range cases {
		if got := p.backoffAfter(c.failures); got != c.want {
			t.Errorf("backoff after %d failures = %s, want %s", c.failures, got, c.want)
		}
	}
}

func TestHistoryIsBounded(t *testing.T) {
	t.Parallel()
	var s healState
	for i := range 25 {
		s.remember(healEvent{RunID: string(rune('a' + i))})
	}
	if len(s.History) != maxHistory || s.History[maxHistory-1].RunID != "y" {
		t.Errorf("history %d entries, last %q", len(s.History), s.History[len(s.History)-1].RunID)
	}
}
