package executor

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/scripts"
	"github.com/caafix/caafix/steps"
)

// A user step's commands act on the profile of the account that runs
// them. When caafix runs as SYSTEM and a user is signed in, each command
// of such a step runs in the user's session as a one-shot scheduled task
// with the user's principal (scripts.UserTask): prepare its folder, start
// it, poll until it ends, read its exit code, stdout and stderr, and
// unregister it whatever happened. Every one of these commands goes
// through the audited runner like any other; each line names the user
// (run_as), the task (user_task) and the command run in the user's
// session as plain text (user_command). The policy gate has already
// skipped user steps when nobody is signed in: this path never runs a
// user step's command as SYSTEM.

// userPollInterval is how long the bridge waits between two looks at a
// running task.
const userPollInterval = 500 * time.Millisecond

// userCleanupTime is kept back from the step's time limit so that the
// output can be read and the task removed after a command that ran late.
const userCleanupTime = 15 * time.Second

// The task results that mean the task has not ended yet:
// SCHED_S_TASK_RUNNING, SCHED_S_TASK_HAS_NOT_RUN, SCHED_S_TASK_QUEUED.
var taskNotEnded = map[uint32]bool{0x41301: true, 0x41303: true, 0x41325: true}

// errNotLoggedOn is HRESULT_FROM_WIN32(ERROR_NOT_LOGGED_ON): an interactive
// task whose user is not signed in does not start.
const errNotLoggedOn = 0x800704DD

// stepRunner returns the runner for one phase of a step: the audited
// runner, bridged to the user's session for a user step while caafix runs
// as SYSTEM.
func (x *run) stepRunner(st runbooks.Step, m steps.Meta, phase string) pshost.Runner {
	if x.bridged(m) {
		return userRunner{x: x, step: st.ID, uses: st.Uses, phase: phase, user: x.facts.User, elevated: m.NeedsAdmin}
	}
	return x.runner(st.ID, st.Uses, phase)
}

// bridged reports whether a step's commands run in the user's session.
func (x *run) bridged(m steps.Meta) bool {
	return m.Context == steps.ContextUser && x.facts.Context == device.ContextSystem && x.facts.User != ""
}

type userRunner struct {
	x                 *run
	step, uses, phase string
	user              string
	elevated          bool
}

// Run runs command in the user's session and returns its output and exit
// code as if it had run here. A task that could not run, or did not end in
// time, is a failed command (exit code 1, the reason on stderr), not a
// host error: the step reports it and the run goes on.
func (r userRunner) Run(ctx context.Context, command string) (res pshost.Result, err error) {
	r.x.userTasks++
	t := scripts.UserTask{Name: fmt.Sprintf("caafix-%s-%d", r.x.rep.RunID, r.x.userTasks), User: r.user, Elevated: r.elevated}
	a := auditedRunner{x: r.x, step: r.step, uses: r.uses, phase: r.phase,
		extra: map[string]any{"run_as": r.user, "user_task": t.Name, "user_command": command}}
	started := time.Now()
	// A run killed while the task exists leaves it to the next run to remove.
	if err := r.x.markTask(t.Name); err != nil {
		return pshost.Result{}, err
	}
	defer func() {
		// Unregister even after a timeout or a failure; the command's
		// own deadline may be spent, so the cleanup gets its own.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), userCleanupTime)
		defer cancel()
		_, cerr := a.Run(cctx, scripts.UserTaskCleanup(t))
		if cerr == nil {
			cerr = r.x.markTask("")
		}
		if cerr != nil && err == nil {
			err = cerr
		}
		res.Duration = time.Since(started)
	}()
	failed := func(format string, args ...any) (pshost.Result, error) {
		return pshost.Result{ExitCode: 1, Stderr: fmt.Sprintf(format, args...)}, nil
	}

	prep, err := a.Run(ctx, scripts.UserTaskPrepare(t, command))
	if err != nil {
		return pshost.Result{}, err
	}
	if strings.TrimSpace(prep.Stdout) != "acl 0 0 0" || !prep.OK {
		return failed("the folder of the task for %s could not be prepared and protected: %s", r.user, firstOf(prep.Stderr, prep.Stdout))
	}
	start, err := a.Run(ctx, scripts.UserTaskStart(t))
	if err != nil {
		return pshost.Result{}, err
	}
	if !start.OK {
		return failed("the task in %s's session could not be started: %s", r.user, firstOf(start.Stderr, start.Stdout))
	}
	if failure, err := r.wait(ctx, a, t); err != nil {
		return pshost.Result{}, err
	} else if failure != nil {
		return *failure, nil
	}
	exit, err := a.Run(ctx, scripts.UserTaskRead(t, scripts.UserTaskExit))
	if err != nil {
		return pshost.Result{}, err
	}
	code, perr := parseExitCode(exit.Stdout)
	if !exit.OK || perr != nil {
		return failed("the task in %s's session ended without a readable exit code: %s", r.user, firstOf(exit.Stderr, fmt.Sprint(perr)))
	}
	out, err := r.read(ctx, a, t, scripts.UserTaskStdout)
	if err != nil {
		return pshost.Result{}, err
	}
	errText, err := r.read(ctx, a, t, scripts.UserTaskStderr)
	if err != nil {
		return pshost.Result{}, err
	}
	return pshost.Result{Stdout: out, Stderr: errText, ExitCode: code, OK: code == 0}, nil
}

// wait polls the task until it has ended. It returns a failed result when
// the task did not start or did not end before the step's time runs out
// (less the time the cleanup needs), nil when it ended.
func (r userRunner) wait(ctx context.Context, a auditedRunner, t scripts.UserTask) (*pshost.Result, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(steps.Timeout(runbooks.Step{Uses: r.uses}))
	}
	deadline = deadline.Add(-userCleanupTime)
	for {
		poll, err := a.Run(ctx, scripts.UserTaskPoll(t))
		if err != nil {
			return nil, err
		}
		state, result, perr := parsePoll(poll.Stdout)
		if perr != nil || !poll.OK {
			return &pshost.Result{ExitCode: 1, Stderr: fmt.Sprintf("the task in %s's session could not be read: %s", r.user, firstOf(poll.Stderr, fmt.Sprint(perr)))}, nil
		}
		if state != "Running" && state != "Queued" && !taskNotEnded[result] {
			if result == errNotLoggedOn {
				return &pshost.Result{ExitCode: 1, Stderr: fmt.Sprintf("the task did not start: %s is not signed in (0x%08X)", r.user, result)}, nil
			}
			if result != 0 {
				return &pshost.Result{ExitCode: 1, Stderr: fmt.Sprintf("the task in %s's session failed: last result 0x%08X", r.user, result)}, nil
			}
			return nil, nil
		}
		if !time.Now().Add(userPollInterval).Before(deadline) {
			return &pshost.Result{ExitCode: 1, Stderr: fmt.Sprintf("the command in %s's session did not end in time (task state %s)", r.user, state)}, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(userPollInterval):
		}
	}
}

// read returns one of the task's output files; a missing file is empty
// output. The text is the user's data: it is only ever parsed.
func (r userRunner) read(ctx context.Context, a auditedRunner, t scripts.UserTask, file string) (string, error) {
	res, err := a.Run(ctx, scripts.UserTaskRead(t, file))
	if err != nil || !res.OK {
		return "", err
	}
	// Out-Default ends the file's text with a line break of its own.
	return strings.TrimSuffix(res.Stdout, "\n"), nil
}

// parsePoll reads UserTaskPoll's two lines: the state and the last result.
func parsePoll(out string) (string, uint32, error) {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		return "", 0, fmt.Errorf("want the task's state and last result, got %q", clip(out, 200))
	}
	n, err := strconv.ParseUint(lines[1], 10, 32)
	if err != nil {
		return "", 0, fmt.Errorf("last result %q is not a number", clip(lines[1], 40))
	}
	return lines[0], uint32(n), nil
}

// parseExitCode reads exit.txt: one integer, as the user's session wrote it.
func parseExitCode(out string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(out), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("exit code %q is not a number", clip(strings.TrimSpace(out), 40))
	}
	return int(n), nil
}

func firstOf(texts ...string) string {
	for _, t := range texts {
		for _, l := range strings.Split(t, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				return clip(l, 300)
			}
		}
	}
	return "no output"
}
