package policy

import (
	"testing"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/runbooks"
)

func facts(join device.Join, managed bool, mutate ...func(*device.Facts)) *device.Facts {
	f := &device.Facts{Join: join, Managed: managed, ManagedKnown: true, Elevated: true, Context: device.ContextUser, User: `AzureAD\alex`}
	for _, m := range mutate {
		m(f)
	}
	return f
}

func rb(uses ...string) *runbooks.Runbook {
	r := &runbooks.Runbook{Name: "t", Version: 1}
	for _, u := range uses {
		r.Steps = append(r.Steps, runbooks.Step{ID: "s-" + u, Uses: u})
	}
	return r
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	notManagedKnown := func(f *device.Facts) { f.ManagedKnown = false }
	notElevated := func(f *device.Facts) { f.Elevated = false }
	asSystem := func(f *device.Facts) { f.Context = device.ContextSystem }
	nobody := func(f *device.Facts) { f.Context, f.User = device.ContextSystem, "" }
	all := Consent{AllowDisruptive: true, AllowDangerous: true}
	cases := []struct {
		name    string
		uses    string
		facts   *device.Facts
		consent Consent
		deny    []Rule
		want    Verdict
		rule    string
	}{
		{"leave allowed on cloud-only with consent", "dsregcmd.leave", facts(device.JoinCloud, false), all, nil, Allow, RuleDefault},
		{"leave blocked on hybrid whatever the flags", "dsregcmd.leave", facts(device.JoinHybrid, false), all, nil, Block, RuleHybridJoined},
		{"leave blocked on managed whatever the flags", "dsregcmd.leave", facts(device.JoinCloud, true), all, nil, Block, RuleManagedDevice},
		{"unknown enrollment fails closed", "dsregcmd.leave", facts(device.JoinCloud, false, notManagedKnown), all, nil, Block, RuleManagedDevice},
		{"unknown join fails closed", "dsregcmd.leave", facts(device.JoinUnknown, false), all, nil, Block, RuleUnknownJoinState},
		{"leave needs --allow-dangerous", "dsregcmd.leave", facts(device.JoinCloud, false), Consent{AllowDisruptive: true}, nil, Block, RuleDangerousConsent},
		{"self-heal never runs dangerous steps", "dsregcmd.leave", facts(device.JoinCloud, false), Consent{AllowDangerous: true, SelfHeal: true}, nil, Block, RuleDangerousConsent},
		{"self-heal runs no disruptive step outside a window", "restart.schedule", facts(device.JoinCloud, false), Consent{AllowDisruptive: true, SelfHeal: true}, nil, Block, RuleDisruptiveConsent},
		{"self-heal runs disruptive steps inside a window", "restart.schedule", facts(device.JoinCloud, false), Consent{SelfHeal: true, Window: "sat 02:00 for 4h"}, nil, Allow, RuleDefault},
		{"a window never allows dangerous steps", "dsregcmd.leave", facts(device.JoinCloud, false), Consent{SelfHeal: true, Window: "sat 02:00 for 4h"}, nil, Block, RuleDangerousConsent},
		{"a window allows disruptive steps without the flag", "office.repair", facts(device.JoinCloud, false), Consent{Window: "sat 02:00 for 4h"}, nil, Allow, RuleDefault},
		{"a window lifts no deny rule", "restart.schedule", facts(device.JoinCloud, false), Consent{SelfHeal: true, Window: "sat 02:00 for 4h"}, []Rule{{Risk: "disruptive"}}, Block, RuleConfigDeny},
		{"restart needs consent", "restart.schedule", facts(device.JoinCloud, false), Consent{}, nil, Block, RuleDisruptiveConsent},
		{"restart allowed with consent", "restart.schedule", facts(device.JoinHybrid, true), Consent{AllowDisruptive: true}, nil, Allow, RuleDefault},
		{"office repair needs consent", "office.repair", facts(device.JoinCloud, false), Consent{}, nil, Block, RuleDisruptiveConsent},
		{"config denies by uses", "office.repair", facts(device.JoinCloud, false), all, []Rule{{Uses: "office.repair"}}, Block, RuleConfigDeny},
		{"config denies by id", "w32tm.resync", facts(device.JoinCloud, false), all, []Rule{{ID: "s-w32tm.resync"}}, Block, RuleConfigDeny},
		{"config denies by risk", "credentials.remove", facts(device.JoinCloud, false), all, []Rule{{Risk: "low"}}, Block, RuleConfigDeny},
		{"config cannot allow what a built-in rule blocks", "dsregcmd.leave", facts(device.JoinHybrid, false), all, []Rule{{Uses: "escalate"}}, Block, RuleHybridJoined},
		{"admin step skipped when not elevated", "w32tm.resync", facts(device.JoinCloud, false, notElevated), all, nil, Skip, RuleNeedsAdmin},
		{"non-admin step runs when not elevated", "credentials.remove", facts(device.JoinCloud, false, notElevated), all, nil, Allow, RuleDefault},
		{"user step runs in the user's session as SYSTEM", "credentials.remove", facts(device.JoinCloud, false, asSystem), all, nil, Allow, RuleDefault},
		{"elevated user step runs in the user's session as SYSTEM", "dsregcmd.cleanupaccounts", facts(device.JoinCloud, false, asSystem), all, nil, Allow, RuleDefault},
		{"user step skipped when nobody is signed in", "dsregcmd.cleanupaccounts", facts(device.JoinCloud, false, nobody), all, nil, Skip, RuleUserSession},
		{"user step skipped when the account is unknown", "credentials.remove", facts(device.JoinCloud, false, func(f *device.Facts) { f.Context = device.ContextUnknown }), all, nil, Skip, RuleUserSession},
		{"system step runs as SYSTEM", "w32tm.resync", facts(device.JoinCloud, false, asSystem), Consent{}, nil, Allow, RuleDefault},
		{"escalate always allowed", "escalate", facts(device.JoinUnknown, false, notElevated, notManagedKnown), Consent{}, nil, Allow, RuleDefault},
		{"unknown step type fails closed", "no.such", facts(device.JoinCloud, false), all, nil, Block, RuleUnknownStep},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ds := Evaluate(Input{Runbook: rb(c.uses), Facts: c.facts, Consent: c.consent, Deny: c.deny})
			if len(ds) != 1 {
				t.Fatalf("got %d decisions", len(ds))
			}
			d := ds[0]
			if d.Verdict != c.want || d.Rule != c.rule {
				t.Errorf("got %s by %s (%s), want %s by %s", d.Verdict, d.Rule, d.Reason, c.want, c.rule)
			}
			if d.Reason == "" {
				t.Error("a decision without a reason")
			}
		})
	}
}

// No combination of flags, configuration and facts lets a dangerous step
// run on a hybrid-joined or managed device.
func TestDangerousNeverOnHybridOrManaged(t *testing.T) {
	t.Parallel()
	for _, join := range []device.Join{device.JoinHybrid, device.JoinCloud} {
		for _, managed := range []bool{false, true} {
			if join == device.JoinCloud && !managed {
				continue
			}
			for _, c := range []Consent{{}, {AllowDangerous: true}, {AllowDangerous: true, AllowDisruptive: true}} {
				for _, elevated := range []bool{false, true} {
					f := facts(join, managed, func(f *device.Facts) { f.Elevated = elevated })
					d := Evaluate(Input{Runbook: rb("dsregcmd.leave"), Facts: f, Consent: c})[0]
					if d.Verdict == Allow {
						t.Errorf("leave allowed on join=%s managed=%v consent=%+v", join, managed, c)
					}
				}
			}
		}
	}
}
