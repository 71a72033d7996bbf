package executor_test

import (
	"testing"

	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/runbooks"
)

// TestAStepThatSendsNothingFixesNothing runs a runbook whose only step is
// the symptom re-check on devices whose symptom shows only in the event
// log. The re-check changes nothing, so however quiet the log is in the
// moment after it, it must not be reported as the fix.
func TestAStepThatSendsNothingFixesNothing(t *testing.T) {
	t.Parallel()
	rb, err := runbooks.Load("testdata/recheck.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		scenario string
	}{
		{"a domain-only device, where only events show the symptom", "domain-only"},
		{"a device seen as SYSTEM, whose PRT says nothing of the user's", "system-no-user"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// Each run is a fresh chance for the log to look quiet.
			for i := range 5 {
				dir := newDevice(t, c.scenario)
				r := runOn(t, dir, executor.Options{Runbook: rb}, nil)
				if r.err != nil {
					t.Fatal(r.err)
				}
				if r.rep.Outcome == outcome.Fixed || r.rep.FixedBy != "" {
					t.Fatalf("run %d: %s fixed by %q, but the step sent no command\n%s", i, r.rep.Outcome, r.rep.FixedBy, r.rep.Summary())
				}
				if d := decision(t, r.rep, "look"); d.Result == executor.ResultFixed {
					t.Fatalf("run %d: the re-check is reported %s", i, d.Result)
				}
				if len(changes(r.device)) != 0 {
					t.Errorf("run %d sent %q", i, changes(r.device))
				}
				checkAudit(t, r)
				checkSummary(t, r.rep)
			}
		})
	}
}
