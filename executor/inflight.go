package executor

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/caafix/caafix/scripts"
)

// inflightFile records the run in progress and where it is: written
// (temp file, fsync, rename) when a run starts, when each step starts and
// before each step's action is sent, and removed when the run ends, however
// it ends. A run that finds it was preceded by a run that was killed
// (kill -9, power loss) in the middle. It reports that run and its step
// (a run.interrupted audit event and the summary line), and re-checks
// before it repeats anything: the facts are gathered afresh, every step's
// pre-check runs before its action, and when the action had been sent,
// CAA50021 events from before it no longer count for the symptom (as after
// a verified fix), so a fix that took effect before the kill is not
// repeated on the strength of old events. A restart the killed run may
// have scheduled is covered by the resume journal, written before
// shutdown /r: the next run waits for the boot and never schedules a
// second one.
const inflightFile = "inflight.json"

// The phases an in-flight record names.
const (
	inflightStart  = "start"     // facts, decisions: nothing acted yet
	inflightCheck  = "pre-check" // the step's pre-check: only reads
	inflightAction = "action"    // the step's action may have been sent
)

type inflight struct {
	RunID   string    `json:"run_id"`
	Runbook string    `json:"runbook"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Step    string    `json:"step,omitempty"`
	Uses    string    `json:"uses,omitempty"`
	Phase   string    `json:"phase"`
	At      time.Time `json:"at"` // when this phase began
	// Task is the one-shot task in the user's session that exists while
	// a command of a user step runs there (see usersession.go).
	Task string `json:"user_task,omitempty"`
}

// readInflight returns the record a killed run left, or nil. A damaged
// record (cut by the crash that ended its run) is still an interrupted
// run, of which only the fact is known.
func readInflight(dir string) (*inflight, error) {
	b, ok, err := readRecord(dir, inflightFile, 0)
	if err != nil {
		return nil, fmt.Errorf("read the in-flight record: %w", err)
	}
	if !ok {
		return nil, nil
	}
	var r inflight
	if err := json.Unmarshal(b, &r); err != nil || r.RunID == "" {
		return &inflight{Phase: "unknown"}, nil
	}
	return &r, nil
}

func writeInflight(dir string, r inflight) error {
	if err := writeRecord(dir, inflightFile, r); err != nil {
		return fmt.Errorf("record the step in flight: %w", err)
	}
	return nil
}

func removeInflight(dir string) error { return removeRecord(dir, inflightFile) }

// mark records where the run is, before it goes there.
func (x *run) mark(step, uses, phase string) error {
	if x.o.Mode != ModeRun {
		return nil
	}
	x.inflight.Step, x.inflight.Uses, x.inflight.Phase, x.inflight.At = step, uses, phase, x.o.Now()
	return writeInflight(x.o.StateDir, x.inflight)
}

// markTask records the one-shot task that is about to exist, or, with "",
// that it is gone.
func (x *run) markTask(name string) error {
	if x.o.Mode != ModeRun {
		return nil
	}
	x.inflight.Task = name
	return writeInflight(x.o.StateDir, x.inflight)
}

// removeStaleTask removes the one-shot task a killed run left in the
// user's session (it may still be registered, or even running).
func (x *run) removeStaleTask(ctx context.Context) error {
	i := x.interrupted
	if i == nil || i.Task == "" {
		return nil
	}
	t := scripts.UserTask{Name: i.Task}
	r := auditedRunner{x: x, step: i.Step, uses: i.Uses, phase: "cleanup", extra: map[string]any{"user_task": i.Task}}
	_, err := r.Run(ctx, scripts.UserTaskCleanup(t))
	return err
}

// interruptedText says, for the summary and the audit, what the killed
// run was doing.
func interruptedText(r *inflight) string {
	run := r.RunID
	if run == "" {
		run = "unknown (its record was damaged)"
	}
	switch {
	case r.Step == "":
		return fmt.Sprintf("the run before (%s) was interrupted before any step acted", run)
	case r.Phase == inflightAction:
		return fmt.Sprintf("the run before (%s) was interrupted in step %s after its action was sent; re-checked before repeating anything", run, r.Step)
	}
	return fmt.Sprintf("the run before (%s) was interrupted in step %s (%s); re-checked before repeating anything", run, r.Step, r.Phase)
}
