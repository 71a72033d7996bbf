package executor_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/runbooks"
)

const (
	delOffice = `cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex@contoso.com'`
	delMSA    = `cmdkey '/delete:MicrosoftAccount:user=alex@contoso.com'`
	delStale  = `cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex.wilber@contoso.com'`
)

func TestRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		scenario    string
		consent     policy.Consent
		want        outcome.Kind
		wantFixedBy string
		wantChanges []string // every command sent that is not read-only, in order
		wantResults map[string]executor.Result
		wantRules   map[string]string // the gate's rule for these steps
	}{
		{name: "a healthy device gets no changing command at all, whatever the consent",
			scenario: "healthy", consent: fullConsent, want: outcome.Healthy, wantChanges: []string{}},
		{name: "a broken WAM cache is fixed by wam-cache and nothing after it runs",
			scenario: "wam-cache", consent: fullConsent, want: outcome.Fixed, wantFixedBy: "wam-cache",
			wantChanges: []string{"dsregcmd /cleanupaccounts"},
			wantResults: map[string]executor.Result{"clock": executor.ResultNotNeeded, "wam-cache": executor.ResultFixed, "office-credentials": executor.ResultNotRun}},
		{name: "stale Office credentials are fixed by office-credentials, deleting only the Office targets",
			scenario: "office-creds", consent: noConsent, want: outcome.Fixed, wantFixedBy: "office-credentials",
			wantChanges: []string{"dsregcmd /cleanupaccounts", delOffice, delStale, delMSA},
			wantResults: map[string]executor.Result{"wam-cache": executor.ResultFailed, "office-credentials": executor.ResultFixed}},
		{name: "stale Office credentials on a German Windows are fixed by office-credentials",
			scenario: "office-creds-de", consent: noConsent, want: outcome.Fixed, wantFixedBy: "office-credentials",
			wantChanges: []string{"dsregcmd /cleanupaccounts", delOffice, delStale, delMSA}},
		{name: "a skewed clock is fixed by clock without starting the running time service",
			scenario: "clock-skew", consent: noConsent, want: outcome.Fixed, wantFixedBy: "clock",
			wantChanges: []string{"w32tm /resync"}},
		{name: "a skewed clock with the time service stopped is fixed by clock after Start-Service",
			scenario: "clock-skew-stopped", consent: noConsent, want: outcome.Fixed, wantFixedBy: "clock",
			wantChanges: []string{"Start-Service w32time", "w32tm /resync"}},
		{name: "a transient fault without consent is blocked and never restarts the device",
			scenario: "transient", consent: noConsent, want: outcome.Blocked,
			wantChanges: []string{"dsregcmd /cleanupaccounts", delOffice, delMSA},
			wantResults: map[string]executor.Result{"restart": executor.ResultBlocked, "escalate": executor.ResultEnded},
			wantRules:   map[string]string{"restart": policy.RuleDisruptiveConsent, "office-repair": policy.RuleDisruptiveConsent, "leave-entra": policy.RuleDangerousConsent}},
		{name: "a transient fault with --allow-disruptive schedules exactly one restart and ends reboot-pending",
			scenario: "transient", consent: disruptive, want: outcome.RebootPending,
			wantChanges: []string{"dsregcmd /cleanupaccounts", delOffice, delMSA, "shutdown /r"},
			wantResults: map[string]executor.Result{"restart": executor.ResultEnded, "office-repair": executor.ResultNotRun}},
		{name: "not elevated: the admin steps are skipped and no elevated command is sent",
			scenario: "not-elevated", consent: fullConsent, want: outcome.Escalate,
			wantChanges: []string{delOffice, delMSA},
			wantResults: map[string]executor.Result{"clock": executor.ResultSkipped, "wam-cache": executor.ResultSkipped, "office-credentials": executor.ResultRan,
				"restart": executor.ResultSkipped, "office-repair": executor.ResultSkipped, "leave-entra": executor.ResultSkipped},
			wantRules: map[string]string{"clock": policy.RuleNeedsAdmin, "wam-cache": policy.RuleNeedsAdmin, "restart": policy.RuleNeedsAdmin,
				"office-repair": policy.RuleNeedsAdmin, "leave-entra": policy.RuleNeedsAdmin}},
		{name: "as SYSTEM with nobody signed in the user steps are skipped, never run as SYSTEM",
			scenario: "system-no-user", consent: noConsent, want: outcome.Blocked, wantChanges: []string{},
			wantResults: map[string]executor.Result{"wam-cache": executor.ResultSkipped, "office-credentials": executor.ResultSkipped},
			wantRules:   map[string]string{"wam-cache": policy.RuleUserSession, "office-credentials": policy.RuleUserSession}},
		{name: "as SYSTEM with nobody signed in a consented restart still runs, the user steps do not",
			scenario: "system-no-user", consent: disruptive, want: outcome.RebootPending, wantChanges: []string{"shutdown /r"},
			wantRules: map[string]string{"wam-cache": policy.RuleUserSession, "office-credentials": policy.RuleUserSession}},
		{name: "as SYSTEM with a user signed in the user steps run in the user's session and fix the device",
			scenario: "system-user", consent: noConsent, want: outcome.Fixed, wantFixedBy: "office-credentials",
			wantChanges: []string{"dsregcmd /cleanupaccounts", delOffice, "cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex.wilber@contoso.com'", delMSA},
			wantResults: map[string]executor.Result{"wam-cache": executor.ResultFailed, "office-credentials": executor.ResultFixed},
			wantRules:   map[string]string{"wam-cache": policy.RuleDefault, "office-credentials": policy.RuleDefault}},
		{name: "with --allow-dangerous a cloud-only unmanaged device leaves Entra ID when nothing before it helped, and the run escalates",
			scenario: "av-vpn", consent: dangerous, want: outcome.Escalate,
			wantChanges: []string{"dsregcmd /cleanupaccounts", delOffice, delMSA, "dsregcmd /leave"},
			wantResults: map[string]executor.Result{"leave-entra": executor.ResultEnded, "escalate": executor.ResultNotRun}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, c.scenario)
			r := runOn(t, dir, executor.Options{Consent: c.consent}, nil)
			if r.err != nil {
				t.Fatalf("Run: %v", r.err)
			}
			if r.rep.Outcome != c.want || r.rep.FixedBy != c.wantFixedBy {
				t.Errorf("outcome %s fixed by %q, want %s fixed by %q\n%s", r.rep.Outcome, r.rep.FixedBy, c.want, c.wantFixedBy, r.rep.Summary())
			}
			if got := changes(r.device); !slices.Equal(got, c.wantChanges) {
				t.Errorf("changing commands sent:\n%q\nwant\n%q", got, c.wantChanges)
			}
			for id, want := range c.wantResults {
				if got := decision(t, r.rep, id); got.Result != want {
					t.Errorf("step %s: result %s (%s), want %s", id, got.Result, got.Reason, want)
				}
			}
			for id, want := range c.wantRules {
				if got := decision(t, r.rep, id); got.Rule != want {
					t.Errorf("step %s: rule %s, want %s", id, got.Rule, want)
				}
			}
			checkAudit(t, r)
			checkSummary(t, r.rep)
		})
	}
}

// TestPlanAndDryRunChangeNothing runs every built-in scenario with every
// consent in plan and dry-run mode: only read-only commands may reach the
// device.
func TestPlanAndDryRunChangeNothing(t *testing.T) {
	t.Parallel()
	for _, mode := range []executor.Mode{executor.ModePlan, executor.ModeDryRun} {
		for _, scenario := range builtinScenarios(t) {
			for _, order := range []string{runbooks.OrderListed, runbooks.OrderEvidence} {
				t.Run(string(mode)+"/"+scenario+"/"+order, func(t *testing.T) {
					t.Parallel()
					dir := newDevice(t, scenario)
					r := runOn(t, dir, executor.Options{Mode: mode, Consent: fullConsent, Runbook: shipped(t, order)}, nil)
					if r.err != nil {
						t.Fatalf("Run: %v", r.err)
					}
					if got := changes(r.device); len(got) != 0 {
						t.Errorf("a %s sent changing commands %q", mode, got)
					}
					if r.rep.Outcome != outcome.Healthy && r.rep.Outcome != outcome.NotFixed {
						t.Errorf("a %s ended %s, want healthy or not-fixed", mode, r.rep.Outcome)
					}
					if r.rep.FixedBy != "" {
						t.Errorf("a %s claims step %s fixed the device", mode, r.rep.FixedBy)
					}
					for _, s := range r.rep.Steps {
						if s.Result == executor.ResultFixed || s.Result == executor.ResultRan || s.Result == executor.ResultEnded || s.Result == executor.ResultFailed {
							t.Errorf("a %s reports step %s as %s", mode, s.ID, s.Result)
						}
					}
					if r.rep.Mode != string(mode) {
						t.Errorf("report mode %q, want %q", r.rep.Mode, mode)
					}
					checkAudit(t, r)
					checkSummary(t, r.rep)
				})
			}
		}
	}
}

// TestPlanListsTheCommandsOfAllowedSteps checks what a plan shows a
// technician: the commands each allowed step would send, none for blocked
// steps.
func TestPlanListsTheCommandsOfAllowedSteps(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "office-creds")
	r := runOn(t, dir, executor.Options{Mode: executor.ModePlan, Consent: noConsent}, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	cases := []struct {
		name string
		id   string
		want []string
	}{
		{"an allowed fix lists its command", "wam-cache", []string{"dsregcmd /cleanupaccounts"}},
		{"credentials lists one delete per Office target and no other", "office-credentials", []string{delOffice, delStale, delMSA}},
		{"a blocked step lists nothing", "restart", nil},
		{"a blocked dangerous step lists nothing", "leave-entra", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := decision(t, r.rep, c.id).Commands; !slices.Equal(got, c.want) {
				t.Errorf("step %s would send %q, want %q", c.id, got, c.want)
			}
		})
	}
}

// TestLeaveNeverOnHybridOrManaged runs the devices where leaving Entra ID
// would cut them off with every consent, and again after each restart it
// schedules: dsregcmd /leave never reaches them.
func TestLeaveNeverOnHybridOrManaged(t *testing.T) {
	t.Parallel()
	consents := []struct {
		name    string
		consent policy.Consent
	}{
		{"no consent", noConsent},
		{"allow-disruptive", disruptive},
		{"allow-dangerous", dangerous},
		{"allow-disruptive and allow-dangerous", fullConsent},
		{"self-heal with both flags", selfHealFull},
	}
	scenarios := []struct {
		scenario string
		rule     string
	}{
		{"hybrid-wam-cache", policy.RuleHybridJoined},
		{"hybrid-healthy", policy.RuleHybridJoined},
		{"verbatim-hybrid", policy.RuleHybridJoined},
		{"managed-wam-cache", policy.RuleManagedDevice},
		{"conditional-access", policy.RuleManagedDevice},
	}
	for _, sc := range scenarios {
		for _, c := range consents {
			for _, order := range []string{runbooks.OrderListed, runbooks.OrderEvidence} {
				t.Run(sc.scenario+"/"+c.name+"/"+order, func(t *testing.T) {
					t.Parallel()
					dir := newDevice(t, sc.scenario)
					for run := 1; ; run++ {
						r := runOn(t, dir, executor.Options{Consent: c.consent, Runbook: shipped(t, order)}, nil)
						if r.err != nil {
							t.Fatalf("run %d: %v", run, r.err)
						}
						if slices.Contains(r.sent, "dsregcmd /leave") {
							t.Fatalf("run %d sent dsregcmd /leave to a %s device", run, sc.scenario)
						}
						if d := decision(t, r.rep, "leave-entra"); d.Decision != policy.Block || d.Rule != sc.rule {
							t.Errorf("run %d: leave-entra %s by %s, want block by %s", run, d.Decision, d.Rule, sc.rule)
						}
						if r.rep.Outcome == outcome.Fixed && sc.scenario == "conditional-access" {
							t.Errorf("run %d: conditional access claimed fixed by %s", run, r.rep.FixedBy)
						}
						checkAudit(t, r)
						if r.rep.Outcome != outcome.RebootPending {
							break
						}
						if run == 3 {
							t.Fatalf("still reboot-pending after %d runs", run)
						}
					}
				})
			}
		}
	}
}

// TestJoinBrokenLeavesAfterTheRestart runs a cloud-only device with a
// broken join twice with both consents, as a technician would: the first
// run restarts it, the second resumes the same run after the restart,
// finds it did not help, goes on with the steps after the restart and
// leaves Entra ID, ending with the rejoin instruction.
func TestJoinBrokenLeavesAfterTheRestart(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "join-broken")

	first := runOn(t, dir, executor.Options{Consent: fullConsent}, nil)
	if first.err != nil {
		t.Fatal(first.err)
	}
	if first.rep.Outcome != outcome.RebootPending {
		t.Fatalf("first run: %s, want reboot-pending\n%s", first.rep.Outcome, first.rep.Summary())
	}
	if got, want := changes(first.device), []string{"dsregcmd /cleanupaccounts", delOffice, delMSA, "shutdown /r"}; !slices.Equal(got, want) {
		t.Errorf("first run sent %q, want %q", got, want)
	}
	checkAudit(t, first)

	second := runOn(t, dir, executor.Options{Consent: fullConsent}, nil)
	if second.err != nil {
		t.Fatal(second.err)
	}
	if second.rep.Outcome != outcome.Escalate || second.rep.FixedBy != "" {
		t.Fatalf("second run: %s fixed by %q, want escalate\n%s", second.rep.Outcome, second.rep.FixedBy, second.rep.Summary())
	}
	got := changes(second.device)
	if want := []string{"OfficeClickToRun repair", "dsregcmd /leave"}; !slices.Equal(got, want) {
		t.Errorf("second run sent %q, want %q (the steps before the restart ran in the first run)", got, want)
	}
	if second.rep.RunID != first.rep.RunID {
		t.Errorf("the resumed run has id %s, want the first run's %s", second.rep.RunID, first.rep.RunID)
	}
	if d := decision(t, second.rep, "restart"); d.Result != executor.ResultNotRun || d.Reason != "ran before the restart" {
		t.Errorf("restart after the restart: %s (%s), want not-run before the restart", d.Result, d.Reason)
	}
	if d := decision(t, second.rep, "leave-entra"); d.Result != executor.ResultEnded {
		t.Errorf("leave-entra: %s (%s), want ended", d.Result, d.Reason)
	}
	if !strings.Contains(second.rep.Message, "rejoin via Settings") || !strings.Contains(second.rep.Summary(), "rejoin via Settings") {
		t.Errorf("the rejoin instruction is missing: message %q, summary %q", second.rep.Message, second.rep.Summary())
	}
	checkAudit(t, second)
	checkSummary(t, second.rep)
}
