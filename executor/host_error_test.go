package executor_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/pshost"
)

// killAt kills the device instead of delivering the nth step command.
func killAt(n int) func(int, string) bool {
	return func(i int, _ string) bool { return i == n }
}

// killOn kills the device instead of delivering the nth command that
// starts with prefix.
func killOn(prefix string, nth int) func(int, string) bool {
	seen := 0
	return func(_ int, cmd string) bool {
		if strings.HasPrefix(cmd, prefix) {
			seen++
		}
		return strings.HasPrefix(cmd, prefix) && seen == nth
	}
}

// TestDeviceDiesMidRun kills the simulated device in place of delivering
// one command: the run must stop at once with a host error, send nothing
// more, and still close its audit log with run.end.
func TestDeviceDiesMidRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		scenario string
		consent  policy.Consent
		kill     func(n int, cmd string) bool
		killed   string // the command that never arrived, or its start
	}{
		{"dies at the first command of the facts", "wam-cache", noConsent, killAt(1), "dsregcmd /status"},
		{"dies in the middle of the facts", "wam-cache", noConsent, killAt(4), "w32tm /stripchart"},
		{"dies during a pre-check", "wam-cache", noConsent, killOn("Get-WinEvent", 2), "Get-WinEvent"},
		{"dies when sent an action", "wam-cache", noConsent, killOn("dsregcmd /cleanupaccounts", 1), "dsregcmd /cleanupaccounts"},
		{"dies between two credential deletes", "office-creds", noConsent, killOn("cmdkey '/delete:", 2), "cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex.wilber@"},
		{"dies during a post-check", "office-creds", noConsent, killOn("cmdkey /list", 3), "cmdkey /list"},
		{"dies when sent the restart", "transient", disruptive, killOn("shutdown ", 1), "shutdown /r"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, c.scenario)
			r := runOn(t, dir, executor.Options{Consent: c.consent}, c.kill)
			if r.err == nil {
				t.Fatalf("Run returned no error; outcome %s", r.rep.Outcome)
			}
			var he *pshost.HostError
			if !errors.As(r.err, &he) || outcome.Of(r.err) != outcome.HostError {
				t.Errorf("error %v: outcome %s, want a host error", r.err, outcome.Of(r.err))
			}
			if r.rep.Outcome != outcome.HostError || r.rep.Error == "" {
				t.Errorf("report outcome %s, error %q; want host-error with the error", r.rep.Outcome, r.rep.Error)
			}
			if r.rep.FixedBy != "" {
				t.Errorf("a dead host cannot verify a fix, but the report says %s fixed it", r.rep.FixedBy)
			}
			if !strings.HasPrefix(r.starter.killed, c.killed) {
				t.Fatalf("the device was killed at %q, want %q", r.starter.killed, c.killed)
			}
			// The audit names the command the device never received as its
			// last step.command, and nothing was sent after it.
			checkAudit(t, r)
			checkSummary(t, r.rep)
		})
	}
}
