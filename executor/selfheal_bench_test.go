package executor_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/runbooks"
)

// BenchmarkSelfHealRun compares a self-healing run inside the backoff
// (it reads its record and ends, sending nothing) with a full run on a
// healthy simulated device (host start, facts, decisions).
func BenchmarkSelfHealRun(b *testing.B) {
	rb, err := runbooks.Embedded("caa50021")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, scenario string
		want           outcome.Kind
	}{
		{"backoff", "transient", outcome.NotFixed},
		{"healthy", "healthy", outcome.Healthy},
	} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			sc, err := devicesim.LoadScenario(c.scenario)
			if err != nil {
				b.Fatal(err)
			}
			if err := devicesim.Init(dir, sc); err != nil {
				b.Fatal(err)
			}
			trail, err := audit.Open(filepath.Join(dir, "audit.jsonl"), audit.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer trail.Close()
			p := executor.SelfHealPolicy{MaxFailures: 1000, Backoff: time.Hour, MaxBackoff: 24 * time.Hour, RecheckAfter: 24 * time.Hour}
			run := func() *executor.Report {
				rep, err := executor.Run(context.Background(), executor.Options{Runbook: rb, Starter: devicesim.NewInProcessStarter(dir),
					Trail: trail, StateDir: dir, Consent: policy.Consent{SelfHeal: true}, SelfHeal: &p})
				if err != nil {
					b.Fatal(err)
				}
				return rep
			}
			run() // the transient device's first run fails and starts the backoff
			b.ResetTimer()
			for b.Loop() {
				if rep := run(); rep.Outcome != c.want {
					b.Fatalf("outcome %s, want %s", rep.Outcome, c.want)
				}
			}
		})
	}
}
