package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/scripts"
)

// DefaultRestartMessage is what users see in the restart warning unless
// the runbook says otherwise.
const DefaultRestartMessage = "IT is restarting this PC to repair Microsoft 365 sign-in. Save your work; the restart starts in a few minutes."

// restartSchedule schedules a full restart: the cheapest fix for a
// transient WAM failure, but it interrupts the user, so it needs consent.
// shutdown /r is a full restart already (fast start-up applies only to
// shut down); /o, which opens the recovery menu, is never used unattended.
type restartSchedule struct{}

func init() { register(restartSchedule{}) }

func (restartSchedule) Meta() Meta {
	return Meta{
		Uses: "restart.schedule", Risk: RiskDisruptive, Context: ContextSystem, NeedsAdmin: true,
		Timeout:  time.Minute,
		Rollback: "abort with shutdown /a (caafix restart cancel) before it fires; that also removes the resume task",
	}
}

func (restartSchedule) Pre(_ context.Context, env *Env) (Check, error) {
	f := env.Facts
	first := f.Symptom.First
	if !f.LastBoot.IsZero() && !first.IsZero() && f.LastBoot.After(first) {
		return Check{Reason: fmt.Sprintf("the device restarted at %s, after the symptom began at %s: a restart does not fix it",
			f.LastBoot.UTC().Format(time.RFC3339), first.UTC().Format(time.RFC3339))}, nil
	}
	return Check{Needed: true, Reason: "no restart since the symptom began"}, nil
}

func restartCommand(env *Env) string {
	delay := env.Step.Duration("delay", 5*time.Minute)
	msg := env.Step.String("message", DefaultRestartMessage)
	return scripts.ScheduleRestart(int(delay/time.Second), msg)
}

func (restartSchedule) Commands(env *Env) []string { return []string{restartCommand(env)} }

func (restartSchedule) Act(ctx context.Context, env *Env) (Effect, error) {
	cmd := restartCommand(env)
	res, err := run(ctx, env, cmd)
	if err != nil {
		return Effect{}, err
	}
	if res.ExitCode != 0 {
		return failed("shutdown /r", res), nil
	}
	delay := env.Step.Duration("delay", 5*time.Minute)
	return Effect{Reboot: true, EndRun: true, Outcome: outcome.RebootPending,
		Reason:  fmt.Sprintf("full restart scheduled in %s", delay),
		Message: fmt.Sprintf("a full restart is scheduled in %s; run caafix again after the restart to check the fix (caafix restart cancel aborts it)", delay)}, nil
}

// Post cannot verify a restart before it happens; the symptom is checked
// by the run after the boot. That run is started by the one-shot task
// caafix\resume, which the executor registers (audited) after writing the
// journal and before Act sends shutdown /r, and deletes when the run
// resumes (package task builds it; docs/rmm.md describes it).
func (restartSchedule) Post(context.Context, *Env) (Verdict, error) {
	return Verdict{OK: true, Reason: "verified by the next run after the restart"}, nil
}
