package executor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/runbooks"
)

func TestExplore(t *testing.T) {
	dir := t.TempDir()
	sc, _ := devicesim.LoadScenario("join-broken")
	devicesim.Init(dir, sc)
	ap := filepath.Join(t.TempDir(), "a.jsonl")
	for i, mode := range []executor.Mode{executor.ModeRun, executor.ModeRun, executor.ModeDryRun, executor.ModePlan} {
		tr, _ := audit.Open(ap, audit.Options{})
		rb, _ := runbooks.Embedded("caa50021")
		rep, err := executor.Run(context.Background(), executor.Options{Mode: mode, Runbook: rb, Starter: devicesim.NewInProcessStarter(dir), Trail: tr, Consent: policy.Consent{AllowDisruptive: true, AllowDangerous: true}, StateDir: dir})
		tr.Close()
		fmt.Printf("=== run %d %s: %v fixed=%s err=%v\n%s\n", i, mode, rep.Outcome, rep.FixedBy, err, rep.Summary())
		for _, s := range rep.Steps {
			fmt.Printf("   %s %s %s %s %q\n", s.ID, s.Decision, s.Result, s.Reason, s.Commands)
		}
	}
	cmds, _ := devicesim.Commands(dir)
	for _, r := range cmds {
		fmt.Printf("   > %s\n", r.Command)
	}
	b, _ := os.ReadFile(ap)
	os.WriteFile("/tmp/explore/audit.jsonl", b, 0o644)
}
