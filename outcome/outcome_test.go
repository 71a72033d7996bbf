package outcome

import (
	"fmt"
	"testing"
)

func TestExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind Kind
		name string
		code int
	}{
		{Healthy, "healthy", 0},
		{Fixed, "fixed", 0},
		{NotFixed, "not-fixed", 1},
		{Escalate, "escalate", 4},
		{Blocked, "blocked", 4},
		{RebootPending, "reboot-pending", 5},
		{Usage, "usage-error", 2},
		{Trust, "trust-error", 3},
		{Locked, "locked", 6},
		{HostError, "host-error", 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.kind.String(); got != c.name {
				t.Errorf("String() = %q, want %q", got, c.name)
			}
			if got := c.kind.ExitCode(); got != c.code {
				t.Errorf("ExitCode() = %d, want %d", got, c.code)
			}
			back, err := Parse(c.name)
			if err != nil || back != c.kind {
				t.Errorf("Parse(%q) = %v, %v", c.name, back, err)
			}
		})
	}
}

func TestOfFindsWrappedKind(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("load runbook: %w", Errorf(Usage, "bad key").WithHint("fix it"))
	if got := Of(err); got != Usage {
		t.Errorf("Of = %v, want usage-error", got)
	}
	if got := HintOf(err); got != "fix it" {
		t.Errorf("HintOf = %q", got)
	}
	if got := Of(fmt.Errorf("plain")); got != HostError {
		t.Errorf("Of(plain) = %v, want host-error (fail closed)", got)
	}
}

func TestCodesRemap(t *testing.T) {
	t.Parallel()
	c := Codes{RebootPending: 3010}
	if got := c.Exit(RebootPending); got != 3010 {
		t.Errorf("remapped = %d", got)
	}
	if got := c.Exit(Fixed); got != 0 {
		t.Errorf("default = %d", got)
	}
	if _, err := Parse("nope"); err == nil {
		t.Error("Parse accepted an unknown name")
	}
}
