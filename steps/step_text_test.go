package steps_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// TestFailureReasonsStayValidText checks how a failed command's output
// is cut for the step's reason, which goes to the audit log and the
// summary: at most about 200 bytes of its first non-empty line, never
// inside a character.
func TestFailureReasonsStayValidText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		res    pshost.Result
		want   string // the reason holds this
		maxLen int
	}{
		{"stderr wins over stdout", pshost.Result{Stdout: "out", Stderr: "\r\n  err line\r\nsecond", ExitCode: 5}, "exited 5: err line", 300},
		{"stdout when stderr is empty", pshost.Result{Stdout: "\r\n\r\nFehler: Zugriff verweigert\r\n", ExitCode: 5}, "exited 5: Fehler: Zugriff verweigert", 300},
		{"a long line is cut and marked", pshost.Result{Stderr: strings.Repeat("x", 500), ExitCode: 1}, strings.Repeat("x", 200) + "…", 300},
		{"a long line is cut between characters, not inside one", pshost.Result{Stderr: strings.Repeat("x", 199) + strings.Repeat("ö", 100), ExitCode: 1}, "x…", 300},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scripts.CleanupAccounts: c.res})
			eff, err := lookup(t, "dsregcmd.cleanupaccounts").Act(context.Background(), newEnv(t, "dsregcmd.cleanupaccounts", nil, nil, r))
			if err != nil {
				t.Fatal(err)
			}
			if !eff.Failed {
				t.Fatalf("exit %d did not fail the step", c.res.ExitCode)
			}
			if !utf8.ValidString(eff.Reason) {
				t.Errorf("reason is not valid UTF-8: %q", eff.Reason)
			}
			if !strings.Contains(eff.Reason, c.want) {
				t.Errorf("reason %q does not hold %q", eff.Reason, c.want)
			}
			if len(eff.Reason) > c.maxLen {
				t.Errorf("reason is %d bytes, more than %d", len(eff.Reason), c.maxLen)
			}
		})
	}
}
