package executor

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"
)

// journalFile records a run that scheduled a restart, so that the next
// run resumes it after the boot: the same run id, the steps after the
// restart, and never a second restart for the same step.
const journalFile = "journal.json"

type journal struct {
	RunID       string    `json:"run_id"`
	Runbook     string    `json:"runbook"`
	SHA256      string    `json:"runbook_sha256"`
	Step        string    `json:"step"`    // the restart step
	Reboots     int       `json:"reboots"` // restarts scheduled by this run so far
	BootBefore  time.Time `json:"boot_before"`
	ScheduledAt time.Time `json:"scheduled_at"`
}

// readJournal returns the journal, or nil when there is none. A damaged
// journal is reported: resuming blindly could repeat a step.
func readJournal(dir string) (*journal, error) {
	b, ok, err := readRecord(dir, journalFile, 0)
	if err != nil {
		return nil, fmt.Errorf("read the resume journal: %w", err)
	}
	if !ok {
		return nil, nil
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil || j.RunID == "" || j.Step == "" {
		return nil, fmt.Errorf("the resume journal %s is damaged; move it aside to start a fresh run", filepath.Join(dir, journalFile))
	}
	return &j, nil
}

func writeJournal(dir string, j journal) error { return writeRecord(dir, journalFile, j) }

func removeJournal(dir string) error { return removeRecord(dir, journalFile) }

// ResumingRunID returns the run id that a run of rb in stateDir will
// continue (a restart it scheduled is pending), or "" for a fresh run, so
// the caller can name the run before it starts (the lock record does).
func ResumingRunID(stateDir, runbook, sha256 string) string {
	j, err := readJournal(stateDir)
	if err != nil || j == nil || j.Runbook != runbook || j.SHA256 != sha256 {
		return ""
	}
	return j.RunID
}
