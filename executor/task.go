package executor

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/scripts"
	"github.com/caafix/caafix/task"
)

// Modes that change a scheduled task through the audited host; they
// gather no facts and run no step.
const (
	ModeTaskInstall Mode = "task-install"
	ModeTaskRemove  Mode = "task-remove"
)

// TaskChange is the scheduled task a [ModeTaskInstall] run registers or a
// [ModeTaskRemove] run deletes.
type TaskChange struct {
	Name string         // such as task.SelfHealName
	Doc  *task.Document // the definition to register (install only)
	What string         // for the summary: "runs caafix run --self-heal every 4h"
}

// ResumeCommand is how the one-shot resume task starts caafix again after
// a restart that restart.schedule scheduled. With an empty Exe no resume
// task is registered: the next run started by other means (an RMM, the
// self-healing task) still resumes from the journal.
type ResumeCommand struct {
	Exe    string   // the absolute path of caafix
	Args   []string // the command line after the program, the same state dir and configuration
	Expire time.Duration
}

// errFileNotFound is how schtasks says a task does not exist.
const errFileNotFound = "The system cannot find the file specified."

// taskFile is where a task's XML is written on the device before schtasks
// reads it: the state dir, which exists and only administrators can write.
// The path is absolute: PowerShell resolves a relative one against its
// own location, not caafix's working directory.
func (x *run) taskFile(name string) string {
	dir, err := filepath.Abs(x.o.StateDir)
	if err != nil {
		dir = x.o.StateDir
	}
	return filepath.Join(dir, "task-"+name[strings.LastIndex(name, `\`)+1:]+".xml")
}

func (x *run) changeTask(ctx context.Context) (outcome.Kind, error) {
	tc := x.o.Task
	if tc == nil || tc.Name == "" || (x.o.Mode == ModeTaskInstall && tc.Doc == nil) {
		return outcome.Usage, outcome.Errorf(outcome.Usage, "no scheduled task to change")
	}
	cmd, uses := scripts.DeleteTask(tc.Name), "task.remove"
	if x.o.Mode == ModeTaskInstall {
		cmd, uses = scripts.RegisterTask(tc.Name, x.taskFile(tc.Name), tc.Doc.Lines()), "task.install"
	}
	res, err := x.runner("task", uses, "action").Run(ctx, cmd)
	if err != nil {
		return outcome.Of(err), err
	}
	switch {
	case res.ExitCode == 0 && x.o.Mode == ModeTaskInstall:
		x.rep.Message = fmt.Sprintf("scheduled task %s installed: %s", tc.Name, tc.What)
		return outcome.Healthy, nil
	case res.ExitCode == 0:
		x.rep.Message = fmt.Sprintf("scheduled task %s removed", tc.Name)
		return outcome.Healthy, nil
	case x.o.Mode == ModeTaskRemove && strings.Contains(res.Stderr, errFileNotFound):
		x.rep.Message = fmt.Sprintf("no scheduled task %s is installed: nothing to remove", tc.Name)
		return outcome.Healthy, nil
	}
	x.rep.Message = fmt.Sprintf("schtasks failed with exit %d: %s", res.ExitCode, oneLine(strings.TrimSpace(res.Stderr+" "+res.Stdout)))
	return outcome.NotFixed, nil
}

// registerResume registers the one-shot task that starts caafix again
// after the restart: at the signed-in user's logon when someone is signed
// in (the symptom is theirs and user steps need their session), at boot
// otherwise. It reports why it failed, if it did.
func (x *run) registerResume(ctx context.Context, st string) (failed string, err error) {
	rc := x.o.Resume
	if rc.Exe == "" {
		return "", nil
	}
	// At the logon of the user who is signed in, even when only system
	// steps are left: the resumed run first re-checks the user's symptom,
	// which means something only once the user's apps ask for tokens
	// again. At boot, before anyone signs in, no app has logged a new
	// CAA50021 event and every restart would look like a fix.
	doc, err := task.NewResume(task.Resume{Exe: rc.Exe, Args: rc.Args, User: x.facts.User, Now: x.o.Now(), Expire: rc.Expire})
	if err != nil {
		return "resume task: " + err.Error(), nil
	}
	res, err := x.runner(st, "restart.schedule", "resume-task").Run(ctx, scripts.RegisterTask(task.ResumeName, x.taskFile(task.ResumeName), doc.Lines()))
	if err != nil {
		return "", err
	}
	if res.ExitCode != 0 {
		return fmt.Sprintf("registering the resume task failed (schtasks exit %d: %s); no restart was scheduled", res.ExitCode, oneLine(strings.TrimSpace(res.Stderr+" "+res.Stdout))), nil
	}
	x.progress("step    %-20s resume task %s registered", st, task.ResumeName)
	return "", nil
}

// removeResume deletes the resume task once the run it resumes has
// started. A task that is gone already (expired, or never registered) is
// fine; any other failure is reported but does not stop the run: the task
// expires on its own.
func (x *run) removeResume(ctx context.Context, st string) error {
	if x.o.Resume.Exe == "" {
		return nil
	}
	res, err := x.runner(st, "restart.schedule", "resume-task").Run(ctx, scripts.DeleteTask(task.ResumeName))
	if err != nil {
		return err
	}
	switch {
	case res.ExitCode == 0:
		x.progress("resume  resume task %s removed", task.ResumeName)
	case strings.Contains(res.Stderr, errFileNotFound):
	default:
		x.progress("resume  could not remove the resume task %s (schtasks exit %d); it expires by itself", task.ResumeName, res.ExitCode)
	}
	return nil
}
