package executor_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/caafix/caafix/diagnose"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/scripts"
)

// The shipped runbook as it ships (order: evidence): the most likely
// cause's fix first, and the fixes the evidence rules out skipped, each
// with its rule.
func TestEvidenceOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		scenario    string
		consent     policy.Consent
		want        outcome.Kind
		wantFixedBy string
		wantChanges []string
		wantFirst   string            // the first step in the run's order
		wantRules   map[string]string // step → the rule of its decision
	}{
		{name: "stale Office credentials are fixed without cleanupaccounts",
			scenario: "office-creds", consent: fullConsent, want: outcome.Fixed, wantFixedBy: "office-credentials",
			wantChanges: []string{delOffice, delStale, delMSA}, wantFirst: "office-credentials"},
		{name: "Conditional Access escalates without any changing command, whatever the consent",
			scenario: "conditional-access", consent: fullConsent, want: outcome.Escalate,
			wantChanges: []string{}, wantFirst: "escalate",
			wantRules: map[string]string{"wam-cache": diagnose.RuleUpstream, "office-credentials": diagnose.RuleUpstream,
				"restart": diagnose.RuleUpstream, "office-repair": diagnose.RuleUpstream, "leave-entra": policy.RuleManagedDevice}},
		{name: "av-vpn with --allow-dangerous escalates and never leaves",
			scenario: "av-vpn", consent: fullConsent, want: outcome.Escalate,
			wantChanges: []string{}, wantFirst: "escalate",
			wantRules: map[string]string{"leave-entra": diagnose.RuleUpstream, "restart": diagnose.RuleUpstream}},
		{name: "a skewed clock is fixed by clock and never restarts",
			scenario: "clock-skew", consent: fullConsent, want: outcome.Fixed, wantFixedBy: "clock",
			wantChanges: []string{"w32tm /resync"}, wantFirst: "clock",
			wantRules: map[string]string{"restart": diagnose.RuleNamedCause, "office-repair": diagnose.RuleNamedCause, "leave-entra": diagnose.RuleNoEvidence}},
		{name: "a broken join leaves first with --allow-dangerous",
			scenario: "join-broken", consent: fullConsent, want: outcome.Escalate,
			wantChanges: []string{"dsregcmd /leave"}, wantFirst: "leave-entra",
			wantRules: map[string]string{"restart": diagnose.RuleNamedCause}},
		{name: "a broken join without dangerous consent is blocked, never restarts and never signs the user out",
			scenario: "join-broken", consent: disruptive, want: outcome.Blocked,
			wantChanges: []string{}, wantFirst: "leave-entra",
			wantRules: map[string]string{"restart": diagnose.RuleNamedCause, "leave-entra": policy.RuleDangerousConsent,
				"office-credentials": diagnose.RuleCleared, "wam-cache": diagnose.RuleCleared}},
		{name: "a missing broker plug-in is registered again, nothing else",
			scenario: "broker-plugin", consent: fullConsent, want: outcome.Fixed, wantFixedBy: "broker-plugin",
			wantChanges: []string{"other: " + scripts.RegisterBrokerPlugin}, wantFirst: "broker-plugin"},
		{name: "a WAM cache is fixed first by wam-cache",
			scenario: "wam-cache", consent: fullConsent, want: outcome.Fixed, wantFixedBy: "wam-cache",
			wantChanges: []string{"dsregcmd /cleanupaccounts"}, wantFirst: "wam-cache"},
		{name: "a transient fault: the PRT and a clean vault clear the re-sign-in fixes, the restart is the only change",
			scenario: "transient", consent: disruptive, want: outcome.RebootPending,
			wantChanges: []string{"shutdown /r"}, wantFirst: "clock",
			wantRules: map[string]string{"wam-cache": diagnose.RuleCleared, "office-credentials": diagnose.RuleCleared}},
		{name: "a healthy device is not probed and gets nothing",
			scenario: "healthy", consent: fullConsent, want: outcome.Healthy, wantChanges: []string{}, wantFirst: "clock"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, c.scenario)
			r := runOn(t, dir, executor.Options{Consent: c.consent, Runbook: shipped(t, runbooks.OrderEvidence)}, nil)
			if r.err != nil {
				t.Fatalf("Run: %v", r.err)
			}
			if r.rep.Outcome != c.want || r.rep.FixedBy != c.wantFixedBy {
				t.Errorf("outcome %s fixed by %q, want %s fixed by %q\n%s", r.rep.Outcome, r.rep.FixedBy, c.want, c.wantFixedBy, r.rep.Summary())
			}
			if got := changes(r.sent); !slices.Equal(got, c.wantChanges) {
				t.Errorf("changing commands sent:\n%q\nwant\n%q", got, c.wantChanges)
			}
			if r.rep.Steps[0].ID != c.wantFirst {
				t.Errorf("first step %s, want %s", r.rep.Steps[0].ID, c.wantFirst)
			}
			for id, want := range c.wantRules {
				if got := decision(t, r.rep, id); got.Rule != want || got.Reason == "" {
					t.Errorf("step %s: rule %s (%s), want %s", id, got.Rule, got.Reason, want)
				}
			}
			if r.rep.Outcome == outcome.Escalate && r.rep.Diagnosis != nil && c.scenario != "join-broken" {
				top, _ := r.rep.Diagnosis.Top()
				if !strings.Contains(r.rep.Summary(), "The evidence names "+top.Name) {
					t.Errorf("the escalation does not name the evidence: %s", r.rep.Summary())
				}
			}
			probed := slices.Contains(r.sent, scripts.SignInProbe)
			if probed != (c.scenario != "healthy") || (probed != (r.rep.Diagnosis != nil)) {
				t.Errorf("probed %v, diagnosis %v", probed, r.rep.Diagnosis != nil)
			}
			checkAudit(t, r)
			checkSummary(t, r.rep)
		})
	}
}
