package audit

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/caafix/caafix/outcome"
)

// A WriteError means the audit log could not be opened, written or synced.
// The trail refuses every later write once it has returned one, so a run
// never goes on without its record: the outcome is always a host error.
type WriteError struct {
	Path string // the log file, or "-" for stdout
	Op   string // what failed: open, write, sync, rotate, continue the chain of
	Err  error
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("audit log %s: %s: %v", e.Path, e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *WriteError) Unwrap() error { return e.Err }

// Outcome reports a host error: caafix does not touch a device it cannot
// record.
func (e *WriteError) Outcome() outcome.Kind { return outcome.HostError }

// UserHint says what to do about the failure; outcome.HintOf finds it.
func (e *WriteError) UserHint() string {
	switch {
	case errors.Is(e.Err, errBadTail):
		return fmt.Sprintf("move %s aside (keep it for the auditors) and run caafix again: it starts a new log", e.Path)
	case diskFull(e.Err):
		return fmt.Sprintf("free disk space on the drive that holds %s, then run caafix again", e.Path)
	case errors.Is(e.Err, fs.ErrPermission):
		return fmt.Sprintf("caafix needs write access to %s and its folder (it runs as SYSTEM from RMM tools); fix the permissions or choose another file with --audit-log", e.Path)
	default:
		return fmt.Sprintf("check the disk and the folder of %s, or choose another file with --audit-log", e.Path)
	}
}

// errBadTail marks an existing log whose last line cannot be continued.
var errBadTail = errors.New("the log's last line cannot be continued")

// A ChainError names the first line of a log that is not intact, or a line
// Scan could not read.
type ChainError struct {
	File    string
	Line    int // 1-based
	Problem string
}

func (e *ChainError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Problem)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Problem)
}

// Outcome reports a trust failure: the record cannot be relied on.
func (e *ChainError) Outcome() outcome.Kind { return outcome.Trust }
