package steps_test

import (
	"slices"
	"testing"
	"time"

	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/steps"
)

func TestCatalogueMatchesRunbookFormat(t *testing.T) {
	t.Parallel()
	for uses := range runbooks.Types {
		if _, ok := steps.Lookup(uses); !ok {
			t.Errorf("runbook format v1 has step type %s, but package steps does not register it", uses)
		}
	}
	for _, uses := range steps.Names() {
		if _, ok := runbooks.Types[uses]; !ok {
			t.Errorf("package steps registers %s, which runbook format v1 does not know", uses)
		}
	}
	if got, want := steps.Names(), runbooks.TypeNames(); !slices.Equal(got, want) {
		t.Errorf("steps.Names() = %q, runbooks.TypeNames() = %q", got, want)
	}
	if !slices.IsSorted(steps.Names()) {
		t.Errorf("steps.Names() is not sorted: %q", steps.Names())
	}
}

func TestOfficePrefixesAgree(t *testing.T) {
	t.Parallel()
	if !slices.Equal(steps.OfficePrefixes, runbooks.OfficePrefixes) {
		t.Errorf("steps.OfficePrefixes = %q, runbooks.OfficePrefixes = %q: the validator and the step would disagree on what may be deleted",
			steps.OfficePrefixes, runbooks.OfficePrefixes)
	}
}

// TestMeta checks every type's declaration against the design's step
// catalogue: its risk and the account it runs as decide the policy gate.
func TestMeta(t *testing.T) {
	t.Parallel()
	cases := []struct {
		uses       string
		risk       steps.Risk
		context    steps.Context
		needsAdmin bool
	}{
		{"aad.symptom", steps.RiskRead, steps.ContextSystem, false},
		{"w32tm.resync", steps.RiskSafe, steps.ContextSystem, true},
		{"dsregcmd.cleanupaccounts", steps.RiskSafe, steps.ContextUser, true},
		{"credentials.remove", steps.RiskLow, steps.ContextUser, false},
		{"restart.schedule", steps.RiskDisruptive, steps.ContextSystem, true},
		{"dsregcmd.leave", steps.RiskDangerous, steps.ContextSystem, true},
		{"office.repair", steps.RiskDisruptive, steps.ContextSystem, true},
		{"escalate", steps.RiskRead, steps.ContextSystem, false},
		// A script's own declaration decides (see TestMetaOfScript); the
		// type alone is the worst case, so that an unreadable one fails closed.
		{"script", steps.RiskDangerous, steps.ContextSystem, true},
		{"wam.reregister", steps.RiskLow, steps.ContextUser, false},
	}
	if len(cases) != len(steps.Names()) {
		t.Errorf("the table covers %d step types, the catalogue has %d: add the new ones", len(cases), len(steps.Names()))
	}
	for _, c := range cases {
		t.Run(c.uses, func(t *testing.T) {
			t.Parallel()
			m := lookup(t, c.uses).Meta()
			if m.Uses != c.uses {
				t.Errorf("registered as %s, Meta().Uses = %s", c.uses, m.Uses)
			}
			if m.Risk != c.risk {
				t.Errorf("risk = %q, want %q", m.Risk, c.risk)
			}
			if m.Context != c.context {
				t.Errorf("context = %q, want %q", m.Context, c.context)
			}
			if m.NeedsAdmin != c.needsAdmin {
				t.Errorf("needs admin = %v, want %v", m.NeedsAdmin, c.needsAdmin)
			}
		})
	}
}

func TestEveryTypeIsDeclaredCompletely(t *testing.T) {
	t.Parallel()
	risks := []steps.Risk{steps.RiskRead, steps.RiskSafe, steps.RiskLow, steps.RiskDisruptive, steps.RiskDangerous}
	contexts := []steps.Context{steps.ContextSystem, steps.ContextUser}
	for _, uses := range steps.Names() {
		t.Run(uses, func(t *testing.T) {
			t.Parallel()
			m := lookup(t, uses).Meta()
			if !slices.Contains(risks, m.Risk) {
				t.Errorf("risk %q is not one of %q", m.Risk, risks)
			}
			if !slices.Contains(contexts, m.Context) {
				t.Errorf("context %q is not one of %q", m.Context, contexts)
			}
			if m.Timeout <= 0 {
				t.Errorf("default timeout %s is not positive", m.Timeout)
			}
			if m.Risk != steps.RiskRead && m.Rollback == "" {
				t.Errorf("a %s step changes the device but has no rollback note", m.Risk)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		step runbooks.Step
		want time.Duration
	}{
		{"the runbook's timeout wins", runbooks.Step{Uses: "office.repair", Timeout: 90 * time.Second}, 90 * time.Second},
		{"no timeout in the runbook takes the type's default", runbooks.Step{Uses: "office.repair"}, time.Hour},
		{"an unknown type gets two minutes", runbooks.Step{Uses: "no.such.type"}, 2 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := steps.Timeout(c.step); got != c.want {
				t.Errorf("Timeout = %s, want %s", got, c.want)
			}
		})
	}
}

func TestRollback(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		step runbooks.Step
		want string
	}{
		{"the type's note alone", runbooks.Step{Uses: "w32tm.resync"}, "clock corrected; nothing to undo"},
		{"the runbook's note is added after the type's", runbooks.Step{Uses: "w32tm.resync", Rollback: "tell the user"}, "clock corrected; nothing to undo; tell the user"},
		{"a read step has no note", runbooks.Step{Uses: "escalate"}, ""},
		{"a read step keeps the runbook's note", runbooks.Step{Uses: "escalate", Rollback: "call IT"}, "call IT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := steps.Rollback(c.step); got != c.want {
				t.Errorf("Rollback = %q, want %q", got, c.want)
			}
		})
	}
}

// A script step declares its risk and context in the runbook; the loader
// must accept exactly the values the gate knows.
func TestDeclarableValuesAgree(t *testing.T) {
	t.Parallel()
	risks := []string{string(steps.RiskRead), string(steps.RiskSafe), string(steps.RiskLow), string(steps.RiskDisruptive), string(steps.RiskDangerous)}
	if !slices.Equal(runbooks.Risks, risks) {
		t.Errorf("runbooks.Risks = %q, steps' risks = %q", runbooks.Risks, risks)
	}
	contexts := []string{string(steps.ContextSystem), string(steps.ContextUser)}
	if !slices.Equal(runbooks.Contexts, contexts) {
		t.Errorf("runbooks.Contexts = %q, steps' contexts = %q", runbooks.Contexts, contexts)
	}
}
