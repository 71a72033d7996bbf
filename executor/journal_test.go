package executor_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/scripts"
	"github.com/caafix/caafix/task"
)

// writeJournal fakes the journal a run leaves when it schedules a restart.
func writeJournal(t *testing.T, dir string, bootBefore, scheduledAt time.Time) {
	t.Helper()
	rb, err := runbooks.Embedded("caa50021")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"run_id": "20261128T000000Z-000000000000", "runbook": rb.Name, "runbook_sha256": rb.SHA256,
		"step": "restart", "reboots": 1, "boot_before": bootBefore, "scheduled_at": scheduledAt})
	if err := os.WriteFile(filepath.Join(dir, "journal.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestResumeWaitsForTheRestart(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "transient")
	// The device has not booted since the restart was scheduled a minute ago.
	writeJournal(t, dir, time.Now().Add(time.Hour), time.Now().Add(-time.Minute))
	r := runOn(t, dir, executor.Options{Consent: fullConsent}, nil)
	if r.err != nil || r.rep.Outcome != outcome.RebootPending {
		t.Fatalf("outcome %s, err %v: want reboot-pending while the restart has not happened", r.rep.Outcome, r.err)
	}
	if len(changes(r.device)) != 0 {
		t.Errorf("sent %q while waiting for the restart; want nothing, and never a second restart", changes(r.device))
	}
	if r.rep.RunID != "20261128T000000Z-000000000000" {
		t.Errorf("run id %s, want the journal's", r.rep.RunID)
	}
	if _, err := os.Stat(filepath.Join(dir, "journal.json")); err != nil {
		t.Errorf("the journal is gone while the restart is still pending: %v", err)
	}
}

func TestAStaleJournalIsDropped(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "transient")
	// Scheduled three hours ago and the device never restarted: start afresh.
	writeJournal(t, dir, time.Now().Add(time.Hour), time.Now().Add(-3*time.Hour))
	r := runOn(t, dir, executor.Options{Consent: fullConsent}, nil)
	if r.err != nil || r.rep.Outcome != outcome.RebootPending {
		t.Fatalf("outcome %s, err %v: want a fresh run that schedules its own restart", r.rep.Outcome, r.err)
	}
	if !slices.Contains(changes(r.device), "shutdown /r") {
		t.Errorf("sent %q, want the fresh run's steps", changes(r.device))
	}
}

func TestAJournalOfAnotherRunbookIsNotResumed(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "wam-cache")
	b, _ := json.Marshal(map[string]any{"run_id": "old", "runbook": "caa50021", "runbook_sha256": "0000", "step": "restart"})
	if err := os.WriteFile(filepath.Join(dir, "journal.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runOn(t, dir, executor.Options{}, nil)
	if r.err != nil || r.rep.Outcome != outcome.Fixed || r.rep.RunID == "old" {
		t.Fatalf("outcome %s run %s err %v: want a fresh run that fixes the WAM cache", r.rep.Outcome, r.rep.RunID, r.err)
	}
	if _, err := os.Stat(filepath.Join(dir, "journal.json")); !os.IsNotExist(err) {
		t.Errorf("the other runbook's journal was kept: %v", err)
	}
}

// A restart that never came leaves a resume task behind; the fresh run
// deletes it before it schedules its own restart and registers its own.
func TestAStaleJournalsResumeTaskIsDeleted(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "transient")
	writeJournal(t, dir, time.Now().Add(time.Hour), time.Now().Add(-3*time.Hour))
	r := runOn(t, dir, executor.Options{Consent: fullConsent, Resume: executor.ResumeCommand{Exe: `C:\caafix\caafix.exe`, Args: []string{"run"}}}, nil)
	if r.err != nil || r.rep.Outcome != outcome.RebootPending {
		t.Fatalf("outcome %s, err %v", r.rep.Outcome, r.err)
	}
	checkAudit(t, r)
	del, reg, restart := -1, -1, -1
	for i, c := range r.sent {
		switch {
		case c == scripts.DeleteTask(task.ResumeName):
			del = i
		case strings.Contains(c, "schtasks /Create /TN 'caafix\\resume'"):
			reg = i
		case strings.HasPrefix(c, "shutdown /r "):
			restart = i
		}
	}
	if del < 0 || reg < del || restart < reg {
		t.Errorf("delete at %d, register at %d, restart at %d: want the stale task deleted, then the new one registered before the restart", del, reg, restart)
	}
	if ok, err := devicesim.TaskRegistered(dir, task.ResumeName); !ok || err != nil {
		t.Errorf("the new resume task is not registered: %v %v", ok, err)
	}
}

// TestMaxRebootsBoundsTheRestartsOfARun: a run resumed after its restarts
// skips any further restart step once it has restarted the device
// max_reboots times (rule max-reboots) and sends no shutdown; below the
// limit the restart step is decided by its own pre-check. (The pre-check
// alone already refuses a second restart for one episode of the symptom:
// the limit is the backstop for a symptom that starts again after a
// boot.)
func TestMaxRebootsBoundsTheRestartsOfARun(t *testing.T) {
	t.Parallel()
	const src = `apiVersion: caafix/v1
kind: Runbook
name: restarts
version: 1
title: Restart until it helps
steps:
  - {id: restart-a, uses: restart.schedule}
  - {id: restart-b, uses: restart.schedule}
  - {id: escalate, uses: escalate}
`
	rb, err := runbooks.Parse("restarts.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		max, reboots int
		limited      bool
	}{
		{0, 2, true}, // the default limit is 2
		{1, 1, true},
		{3, 2, false},
	} {
		t.Run(fmt.Sprintf("max_reboots %d after %d", c.max, c.reboots), func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, "office-install")
			// The run restarted the device c.reboots times, the last time
			// at restart-a, and the device has booted since.
			b, _ := json.Marshal(map[string]any{"run_id": "20261128T000000Z-000000000001", "runbook": rb.Name, "runbook_sha256": rb.SHA256,
				"step": "restart-a", "reboots": c.reboots, "boot_before": time.Now().Add(-48 * time.Hour), "scheduled_at": time.Now().Add(-time.Hour)})
			if err := os.WriteFile(filepath.Join(dir, "journal.json"), b, 0o600); err != nil {
				t.Fatal(err)
			}
			r := runOn(t, dir, executor.Options{Runbook: rb, Consent: disruptive, MaxReboots: c.max}, nil)
			if r.err != nil {
				t.Fatal(r.err)
			}
			d := decision(t, r.rep, "restart-b")
			if got := d.Rule == executor.RuleMaxReboots && d.Result == executor.ResultSkipped; got != c.limited {
				t.Fatalf("restart-b: %s by %s (%s); want limited = %v", d.Result, d.Rule, d.Reason, c.limited)
			}
			if c.limited {
				if slices.Contains(changes(r.device), "shutdown /r") || r.rep.Outcome != outcome.Escalate {
					t.Errorf("%s, sent %q: want escalate without a restart\n%s", r.rep.Outcome, changes(r.device), r.rep.Summary())
				}
				if !strings.Contains(d.Reason, "the limit") {
					t.Errorf("the reason does not name the limit: %s", d.Reason)
				}
			}
		})
	}
}
