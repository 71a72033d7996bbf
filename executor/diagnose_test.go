package executor_test

import (
	"testing"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
)

// noEvidence are the single-fault scenarios whose fault leaves nothing on
// the device that tells it apart, and why: for them the diagnosis is not
// held to name the fault.
var noEvidence = map[string]string{
	"transient":      "a restart-only fault shows only the symptom",
	"domain-only":    "a restart-only fault shows only the symptom",
	"office-install": "a damaged Click-to-Run install shows only the symptom",
}

// For every built-in scenario with one fault that leaves evidence, the
// diagnosis names that fault first; a healthy device gets an empty list;
// and diagnosing sends only read-only commands.
func TestDiagnoseNamesTheFault(t *testing.T) {
	t.Parallel()
	checked := 0
	for _, name := range devicesim.BuiltinNames() {
		sc, err := devicesim.LoadScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.Faults) > 1 {
			continue
		}
		if _, skip := noEvidence[name]; skip {
			continue
		}
		checked++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, name)
			r := runOn(t, dir, executor.Options{Mode: executor.ModeDiagnose}, nil)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if got := changes(r.sent); len(got) > 0 {
				t.Errorf("diagnose sent changing commands: %v", got)
			}
			d := r.rep.Diagnosis
			if d == nil {
				t.Fatal("no diagnosis in the report")
			}
			if len(sc.Faults) == 0 {
				if len(d.Families) != 0 || r.rep.Outcome != outcome.Healthy {
					t.Errorf("healthy device: families %v, outcome %v", d.Families, r.rep.Outcome)
				}
				return
			}
			t.Logf("%+v", d.Families)
			top, _ := d.Top()
			if top.Name != string(sc.Faults[0]) {
				t.Errorf("first family %s (%.2f), want %s; all: %+v", top.Name, top.Confidence, sc.Faults[0], d.Families)
			}
		})
	}
	if checked < 10 {
		t.Errorf("only %d scenarios checked", checked)
	}
}
