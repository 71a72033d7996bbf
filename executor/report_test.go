package executor_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
)

func TestSummary(t *testing.T) {
	t.Parallel()
	base := func(k outcome.Kind) executor.Report {
		return executor.Report{RunID: "20261128T120000Z-0123456789ab", Runbook: "caa50021", Version: 7, Outcome: k,
			AuditHead: strings.Repeat("ab", 32)}
	}
	long := strings.Repeat("Check the user's sign-in logs →\r\n\tand Conditional Access 🔒. ", 200)
	cases := []struct {
		name    string
		rep     func() executor.Report
		want    []string // parts the line must hold
		notWant []string
	}{
		{name: "a fix names the step", rep: func() executor.Report {
			r := base(outcome.Fixed)
			r.FixedBy = "wam-cache"
			r.Rollbacks = []string{"wam-cache: user signs in again (MFA)"}
			return r
		}, want: []string{"caafix fixed: fixed by step wam-cache", "rollback: wam-cache: user signs in again (MFA)"}},
		{name: "a healthy device changed nothing", rep: func() executor.Report { return base(outcome.Healthy) },
			want: []string{"caafix healthy: no CAA50021 symptom; nothing changed"}},
		{name: "the message of the step that ended the run is shown", rep: func() executor.Report {
			r := base(outcome.Escalate)
			r.Message = "call IT"
			return r
		}, want: []string{"caafix escalate: call IT"}},
		{name: "a host error shows the error", rep: func() executor.Report {
			r := base(outcome.HostError)
			r.Error = "powershell host: run: the host exited"
			return r
		}, want: []string{"caafix host-error: powershell host: run: the host exited"}},
		{name: "blocked steps are named with their rule", rep: func() executor.Report {
			r := base(outcome.Blocked)
			r.Steps = []executor.StepReport{
				{ID: "wam-cache", Result: executor.ResultFailed},
				{ID: "restart", Decision: policy.Block, Rule: policy.RuleDisruptiveConsent, Result: executor.ResultBlocked},
			}
			return r
		}, want: []string{"symptom remains after wam-cache failed", "blocked: restart (disruptive-needs-consent)"}},
		{name: "blocked steps are not listed for a fixed run", rep: func() executor.Report {
			r := base(outcome.Fixed)
			r.FixedBy = "clock"
			r.Steps = []executor.StepReport{{ID: "restart", Rule: policy.RuleDisruptiveConsent, Result: executor.ResultBlocked}}
			return r
		}, want: []string{"fixed by step clock"}, notWant: []string{"blocked:"}},
		{name: "a long multi-line message is cut to one line and keeps the run's identity", rep: func() executor.Report {
			r := base(outcome.Escalate)
			r.Message = long
			r.Rollbacks = []string{long, long}
			return r
		}, want: []string{"caafix escalate: Check the user's", "…", "[runbook caa50021 v7, run 20261128T120000Z-0123456789ab, audit head " + strings.Repeat("ab", 32) + "]"}},
		{name: "the escalation bundle survives a long message in the tail", rep: func() executor.Report {
			r := base(outcome.Blocked)
			r.Message, r.Bundle = long, `C:\ProgramData\caafix\escalations\escalation-20261128T120000Z-0123456789ab-20261128T120005Z`
			return r
		}, want: []string{", bundle C:\\ProgramData\\caafix\\escalations\\escalation-20261128T120000Z-0123456789ab-20261128T120005Z, audit head "}},
		{name: "a bundle that could not be written is said so", rep: func() executor.Report {
			r := base(outcome.Escalate)
			r.Message, r.BundleError = "call IT", "write the escalation bundle: disk full"
			return r
		}, want: []string{"call IT; escalation bundle: write the escalation bundle: disk full"}, notWant: []string{", bundle "}},
		{name: "a message's full stop does not stand before the next clause", rep: func() executor.Report {
			r := base(outcome.Escalate)
			r.Message = "No local fix is left. The evidence names av-vpn."
			r.Steps = []executor.StepReport{{ID: "leave-entra", Decision: policy.Block, Rule: policy.RuleDangerousConsent, Result: executor.ResultBlocked}}
			return r
		}, want: []string{"No local fix is left. The evidence names av-vpn; blocked: leave-entra"}, notWant: []string{".;"}},
		{name: "a runbook refused before it was parsed has no name in the tail", rep: func() executor.Report {
			r := base(outcome.Trust)
			r.Runbook, r.Version, r.Error = "", 0, "u.yaml: not signed"
			return r
		}, want: []string{"caafix trust-error: u.yaml: not signed [run 20261128T120000Z-0123456789ab, audit head "}, notWant: []string{"[runbook"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := c.rep()
			s := r.Summary()
			if strings.ContainsAny(s, "\r\n") {
				t.Errorf("not one line: %q", s)
			}
			if n := utf8.RuneCountInString(s); n > executor.MaxSummary || len(s) > executor.MaxSummary {
				t.Errorf("%d characters (%d bytes), more than %d", n, len(s), executor.MaxSummary)
			}
			if !utf8.ValidString(s) {
				t.Errorf("cut inside a character: %q", s)
			}
			for _, w := range c.want {
				if !strings.Contains(s, w) {
					t.Errorf("summary %q does not hold %q", s, w)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(s, w) {
					t.Errorf("summary %q holds %q", s, w)
				}
			}
		})
	}
}

// TestSummaryCutsOnACharacterBoundary puts the cut at every byte offset
// of a four-byte character.
func TestSummaryCutsOnACharacterBoundary(t *testing.T) {
	t.Parallel()
	for pad := range 4 {
		r := executor.Report{RunID: "r", Runbook: "caa50021", Version: 1, Outcome: outcome.Escalate,
			Message: strings.Repeat("x", pad) + strings.Repeat("🔒", 1000)}
		s := r.Summary()
		if !utf8.ValidString(s) || len(s) > executor.MaxSummary || !strings.HasSuffix(s, "[runbook caa50021 v1, run r]") {
			t.Errorf("pad %d: %d bytes, valid UTF-8 %v: …%q", pad, len(s), utf8.ValidString(s), s[max(0, len(s)-60):])
		}
	}
}
