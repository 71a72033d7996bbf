package steps_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/steps"
)

func TestRestartSchedulePre(t *testing.T) {
	t.Parallel()
	began := now.Add(-3 * time.Hour)
	cases := []struct {
		name       string
		lastBoot   time.Time
		first      time.Time // when the symptom began
		wantNeeded bool
		wantReason string
	}{
		{"a restart after the symptom began did not fix it: not needed", began.Add(time.Hour), began, false, "does not fix it"},
		{"no restart since the symptom began: needed", began.Add(-time.Hour), began, true, "no restart since"},
		{"an unknown last boot: needed", time.Time{}, began, true, "no restart since"},
		{"a symptom without a dated event: needed", began, time.Time{}, true, "no restart since"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := cloudFacts()
			f.LastBoot = c.lastBoot
			f.Symptom.Present, f.Symptom.First = true, c.first
			r := newRunner(t, nil)
			check, err := lookup(t, "restart.schedule").Pre(context.Background(), newEnv(t, "restart.schedule", nil, f, r))
			if err != nil {
				t.Fatalf("Pre: %v", err)
			}
			if check.Needed != c.wantNeeded {
				t.Errorf("Needed = %v, want %v (reason %q)", check.Needed, c.wantNeeded, check.Reason)
			}
			if !strings.Contains(check.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", check.Reason, c.wantReason)
			}
			if got := r.Calls(); len(got) != 0 {
				t.Errorf("the pre-check reads the facts only, but sent %q", got)
			}
		})
	}
}

func TestRestartScheduleCommand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		with      map[string]any
		wantDelay string
		wantMsg   string
	}{
		{"the defaults: five minutes and the default message", nil, "300", steps.DefaultRestartMessage},
		{"the runbook's delay in seconds", map[string]any{"delay": 90 * time.Second}, "90", steps.DefaultRestartMessage},
		{"no delay", map[string]any{"delay": time.Duration(0)}, "0", steps.DefaultRestartMessage},
		{"the runbook's message", map[string]any{"message": "Back in 5 minutes."}, "300", "Back in 5 minutes."},
		{"a quote in the message is escaped", map[string]any{"message": "IT's restarting; don't worry"}, "300", "IT's restarting; don't worry"},
		{"a message that names /o stays inside its quotes", map[string]any{"message": "fix I/O /o"}, "300", "fix I/O /o"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cmds := lookup(t, "restart.schedule").Commands(newEnv(t, "restart.schedule", c.with, nil, nil))
			if len(cmds) != 1 {
				t.Fatalf("Commands = %q, want one shutdown command", cmds)
			}
			cmd := cmds[0]
			// shutdown /r /t N /c '…' /d p:4:1; the delay may be quoted too,
			// which PowerShell passes to shutdown.exe as the same number.
			checkTokens(t, cmd, []psToken{word("shutdown"), word("/r"), word("/t"), lit(c.wantDelay), word("/c"), lit(c.wantMsg), word("/d"), word("p:4:1")})
			toks, _ := psTokenize(cmd)
			for _, tk := range toks {
				if tk.kind != 'q' && (strings.EqualFold(tk.text, "/o") || strings.EqualFold(tk.text, "-o")) {
					t.Errorf("command %q opens the recovery menu (/o), which needs a person", cmd)
				}
			}
			if c.with["message"] == nil && strings.Contains(cmd, "/o") {
				t.Errorf("command %q contains /o", cmd)
			}
		})
	}
}

func TestRestartScheduleAct(t *testing.T) {
	t.Parallel()
	cmd := lookup(t, "restart.schedule").Commands(newEnv(t, "restart.schedule", nil, nil, nil))[0]
	cases := []struct {
		name string
		res  pshost.Result
		want steps.Effect
	}{
		{"a scheduled restart ends the run with reboot-pending", exit(0, ""),
			steps.Effect{Reboot: true, EndRun: true, Outcome: outcome.RebootPending, Reason: "full restart scheduled in 5m0s"}},
		{"a restart already scheduled is a failure", pshost.Result{Stderr: "A system shutdown has already been scheduled.(1190)\r\n", ExitCode: 1190},
			steps.Effect{Failed: true, Reason: "shutdown /r exited 1190: A system shutdown has already been scheduled.(1190)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{cmd: c.res})
			eff, err := lookup(t, "restart.schedule").Act(context.Background(), newEnv(t, "restart.schedule", nil, nil, r))
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			if eff.Failed != c.want.Failed || eff.Reboot != c.want.Reboot || eff.EndRun != c.want.EndRun || eff.Outcome != c.want.Outcome || eff.Reason != c.want.Reason {
				t.Errorf("Effect = %+v, want %+v", eff, c.want)
			}
			if c.want.EndRun && !strings.Contains(eff.Message, "restart cancel") {
				t.Errorf("message %q does not say how to abort the restart", eff.Message)
			}
			if got := r.Calls(); !slices.Equal(got, []string{cmd}) {
				t.Errorf("sent %q, want exactly one %q", got, cmd)
			}
		})
	}
}
