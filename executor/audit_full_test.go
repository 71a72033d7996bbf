package executor_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
)

// fillingDisk accepts n writes (one a line), keeping them, then fails as
// a full disk does.
type fillingDisk struct {
	mu    sync.Mutex
	n     int
	lines []string
}

func (d *fillingDisk) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == 0 {
		return 0, syscall.ENOSPC
	}
	d.n--
	d.lines = append(d.lines, string(p))
	return len(p), nil
}

// recorded reports whether a step.command line for command was written.
func (d *fillingDisk) recorded(t *testing.T, command string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, l := range d.lines {
		var e struct{ Event, Command string }
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("a written line is not JSON: %v", err)
		}
		if e.Event == "step.command" && e.Command == command {
			return true
		}
	}
	return false
}

// When the audit log fills up in the middle of a run, at any line, the
// run ends with a host error (exit 7) whose hint is about the disk, and
// no command is sent after the line that could not be written: nothing
// acts on the device unrecorded.
func TestAuditLogFillsUpMidRun(t *testing.T) {
	t.Parallel()
	for _, lines := range []int{1, 5, 12, 20, 30, 40, 50, 60} {
		dir := newDevice(t, "wam-cache")
		before, err := devicesim.Commands(dir)
		if err != nil {
			t.Fatal(err)
		}
		disk := &fillingDisk{n: lines}
		trail, err := audit.Open("-", audit.Options{Stdout: disk})
		if err != nil {
			t.Fatal(err)
		}
		rep, runErr := executor.Run(context.Background(), executor.Options{Runbook: shipped(t, "evidence"), Starter: devicesim.NewInProcessStarter(dir),
			Trail: trail, StateDir: dir, Consent: policy.Consent{AllowDisruptive: true}})
		if runErr == nil || outcome.Of(runErr) != outcome.HostError || rep.Outcome != outcome.HostError {
			t.Fatalf("after %d lines: outcome %v, error %v; want a host error", lines, rep.Outcome, runErr)
		}
		if hint := outcome.HintOf(runErr); !strings.Contains(hint, "free disk space") {
			t.Errorf("after %d lines: hint %q, want one about disk space", lines, hint)
		}
		after, err := devicesim.Commands(dir)
		if err != nil {
			t.Fatal(err)
		}
		var sent []string
		for _, c := range after[len(before):] {
			if c.Command != "chcp" && c.Command != "exit" {
				sent = append(sent, c.Command)
			}
		}
		t.Logf("after %d lines: %d commands sent", lines, len(sent))
		// Every command that reached the device had its step.command
		// line written first.
		for _, c := range sent {
			if !disk.recorded(t, c) {
				t.Errorf("after %d lines, %q reached the device without its step.command line", lines, c)
			}
		}
	}
}
