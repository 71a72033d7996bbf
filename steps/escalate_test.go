package steps_test

import (
	"context"
	"testing"

	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/steps"
)

func TestEscalate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		with        map[string]any
		wantMessage string
	}{
		{"the runbook's message goes to IT", map[string]any{"message": "Call the service desk."}, "Call the service desk."},
		{"without a message the default one goes to IT", nil, steps.DefaultEscalation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := lookup(t, "escalate")
			r := newRunner(t, nil)
			env := newEnv(t, "escalate", c.with, nil, r)
			check, err := s.Pre(context.Background(), env)
			if err != nil || !check.Needed {
				t.Fatalf("Pre = %+v, %v; escalation is always needed once reached", check, err)
			}
			if got := s.Commands(env); len(got) != 0 {
				t.Errorf("escalate changes nothing, but would send %q", got)
			}
			eff, err := s.Act(context.Background(), env)
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			if !eff.EndRun || eff.Outcome != outcome.Escalate || eff.Failed || eff.Reboot {
				t.Errorf("Effect = %+v, want the run to end with escalate", eff)
			}
			if eff.Message != c.wantMessage {
				t.Errorf("message = %q, want %q", eff.Message, c.wantMessage)
			}
			if got := r.Calls(); len(got) != 0 {
				t.Errorf("escalate sent %q", got)
			}
		})
	}
}
