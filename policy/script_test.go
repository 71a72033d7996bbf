package policy

import (
	"testing"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/runbooks"
)

// scriptBook is a runbook with one script step declaring risk and
// context, vouched for by signer ("" for bytes nobody verified).
func scriptBook(signer, risk, context string, needsAdmin bool) *runbooks.Runbook {
	return &runbooks.Runbook{Name: "t", Version: 1, Signer: signer, Steps: []runbooks.Step{{
		ID: "fix", Uses: "script",
		With: map[string]any{"risk": risk, "context": context, "needs_admin": needsAdmin, "run": "Start-Service -Name w32time"},
	}}}
}

func TestScriptSteps(t *testing.T) {
	t.Parallel()
	cloud := facts(device.JoinCloud, false)
	asSystem := facts(device.JoinCloud, false, func(f *device.Facts) { f.Context = device.ContextSystem })
	nobody := facts(device.JoinCloud, false, func(f *device.Facts) { f.Context, f.User = device.ContextSystem, "" })
	notElevated := facts(device.JoinCloud, false, func(f *device.Facts) { f.Elevated = false })
	all := Consent{AllowDisruptive: true, AllowDangerous: true}
	cases := []struct {
		name    string
		book    *runbooks.Runbook
		facts   *device.Facts
		consent Consent
		deny    []Rule
		want    Verdict
		rule    string
	}{
		{"a signed safe script runs", scriptBook("9F4B4366C0C9314A", "safe", "system", false), cloud, Consent{}, nil, Allow, RuleDefault},
		{"an embedded script runs", scriptBook(runbooks.EmbeddedSigner, "safe", "system", false), cloud, Consent{}, nil, Allow, RuleDefault},
		{"an unverified script never runs, whatever the consent", scriptBook("", "read", "system", false), cloud, all, nil, Block, RuleUnsignedScript},
		{"a declared disruptive script needs consent", scriptBook("K", "disruptive", "system", false), cloud, Consent{}, nil, Block, RuleDisruptiveConsent},
		{"a declared dangerous script needs --allow-dangerous", scriptBook("K", "dangerous", "system", false), cloud, Consent{AllowDisruptive: true}, nil, Block, RuleDangerousConsent},
		{"a declared dangerous script is blocked on hybrid", scriptBook("K", "dangerous", "system", false), facts(device.JoinHybrid, false), all, nil, Block, RuleHybridJoined},
		{"a declared dangerous script is blocked on managed", scriptBook("K", "dangerous", "system", false), facts(device.JoinCloud, true), all, nil, Block, RuleManagedDevice},
		{"a declared user script runs in the user's session as SYSTEM", scriptBook("K", "low", "user", false), asSystem, all, nil, Allow, RuleDefault},
		{"a declared user script is skipped when nobody is signed in", scriptBook("K", "low", "user", false), nobody, all, nil, Skip, RuleUserSession},
		{"a declared system script runs as SYSTEM", scriptBook("K", "low", "system", false), asSystem, Consent{}, nil, Allow, RuleDefault},
		{"a script declaring needs_admin is skipped unelevated", scriptBook("K", "safe", "system", true), notElevated, all, nil, Skip, RuleNeedsAdmin},
		{"config denies script by uses", scriptBook("K", "read", "system", false), cloud, all, []Rule{{Uses: "script"}}, Block, RuleConfigDeny},
		{"config denies script by id", scriptBook("K", "read", "system", false), cloud, all, []Rule{{ID: "fix"}}, Block, RuleConfigDeny},
		{"config denies script by declared risk", scriptBook("K", "low", "system", false), cloud, all, []Rule{{Risk: "low"}}, Block, RuleConfigDeny},
		{"a risk deny for another risk lets it run", scriptBook("K", "safe", "system", false), cloud, all, []Rule{{Risk: "low"}}, Allow, RuleDefault},
		{"an unreadable declaration is taken as dangerous", scriptBook("K", "harmless", "system", false), cloud, Consent{AllowDisruptive: true}, nil, Block, RuleDangerousConsent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := Evaluate(Input{Runbook: c.book, Facts: c.facts, Consent: c.consent, Deny: c.deny})[0]
			if d.Verdict != c.want || d.Rule != c.rule {
				t.Errorf("got %s by %s (%s), want %s by %s", d.Verdict, d.Rule, d.Reason, c.want, c.rule)
			}
		})
	}
}

func TestScriptDecisionCarriesTheDeclaration(t *testing.T) {
	t.Parallel()
	d := Evaluate(Input{Runbook: scriptBook("K", "low", "user", true), Facts: facts(device.JoinCloud, false)})[0]
	if d.Risk != "low" || d.Context != "user" || !d.NeedsAdmin {
		t.Errorf("decision risk %q context %q needs admin %v, want the declared low, user, true", d.Risk, d.Context, d.NeedsAdmin)
	}
}
