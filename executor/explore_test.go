package executor_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/runbooks"
)

func TestExplore(t *testing.T) {
	for _, name := range devicesim.BuiltinNames() {
		for _, c := range []policy.Consent{{}, {AllowDisruptive: true, AllowDangerous: true}} {
			dir := t.TempDir()
			sc, err := devicesim.LoadScenario(name)
			if err != nil {
				t.Fatal(err)
			}
			devicesim.Init(dir, sc)
			tr, _ := audit.Open(filepath.Join(t.TempDir(), "a.jsonl"), audit.Options{})
			rb, _ := runbooks.Embedded("caa50021")
			rep, err := executor.Run(context.Background(), executor.Options{Runbook: rb, Starter: devicesim.NewInProcessStarter(dir), Trail: tr, Consent: c, StateDir: dir})
			fmt.Printf("=== %s %+v: %v fixed=%s err=%v\n", name, c, rep.Outcome, rep.FixedBy, err)
			for _, s := range rep.Steps {
				fmt.Printf("   %s %s %s %s\n", s.ID, s.Decision, s.Result, s.Reason)
			}
			cmds, _ := devicesim.Commands(dir)
			for _, r := range cmds {
				fmt.Printf("   > %s\n", r.Command)
			}
		}
	}
}
