package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/caafix/caafix/outcome"
)

// The single-instance lock lives in the state dir. LockFile is an OS lock
// (flock on Unix, LockFileEx on Windows): the OS drops it with the process,
// so a run killed with kill -9 or by a power loss never leaves a stale lock
// behind; the file itself stays and is reused. LockInfoFile, next to it,
// says who holds the lock, for the run that finds it taken.
const (
	LockFile     = "caafix.lock"
	LockInfoFile = "caafix.lock.json"
)

// maxLockInfo bounds how much of the holder record is read: the state dir
// is ours, but a damaged or planted file must not cost memory.
const maxLockInfo = 64 << 10

// LockInfo says who holds the lock. It is written after the lock is taken.
type LockInfo struct {
	RunID   string    `json:"run_id,omitempty"` // the audit's run_id, when known
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Command string    `json:"command,omitempty"` // the command line, as the audit's args
}

// A Lock is the held single-instance lock. Release it with [Lock.Unlock].
type Lock struct {
	fl   *flock.Flock
	info string // the holder record's path
}

// Acquire takes the single-instance lock in stateDir, creating the dir
// (0700) if needed, and records info as its holder; a zero PID or Started
// is filled with this process's. It does not wait: when another process
// holds the lock it returns a [*LockedError] naming that run, whose
// outcome is [outcome.Locked].
//
// The holder record is written just after the lock is taken, so a run that
// finds the lock taken in that moment reports the holder as unrecorded,
// never as a guess; and a record left by a crashed run is overwritten by
// the next holder.
func Acquire(stateDir string, info LockInfo) (*Lock, error) {
	return AcquireWait(context.Background(), stateDir, info, 0)
}

// AcquireWait is [Acquire] that waits up to wait for a run holding the
// lock to finish, trying again every half second; the [*LockedError] it
// returns after that says how long it waited. Intune's detection and
// remediation wait their turn behind the self-healing task this way.
func AcquireWait(ctx context.Context, stateDir string, info LockInfo, wait time.Duration) (*Lock, error) {
	if stateDir == "" {
		return nil, outcome.Errorf(outcome.Usage, "take the single-instance lock: no state dir").
			WithHint("set --state-dir or state_dir in the configuration")
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("create state dir %s: %w", stateDir, err)
	}
	path := filepath.Join(stateDir, LockFile)
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err == nil && !ok && wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, wait)
		ok, err = fl.TryLockContext(wctx, 500*time.Millisecond)
		cancel()
		if !ok && errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("take the lock %s: %w", path, err)
	}
	if !ok {
		e := lockedError(stateDir)
		e.Waited = wait
		return nil, e
	}
	if info.PID == 0 {
		info.PID = os.Getpid()
	}
	if info.Started.IsZero() {
		info.Started = time.Now()
	}
	info.Started = info.Started.UTC()
	l := &Lock{fl: fl, info: filepath.Join(stateDir, LockInfoFile)}
	if err := writeLockInfo(stateDir, info); err != nil {
		_ = fl.Unlock()
		return nil, err
	}
	return l, nil
}

// Unlock removes the holder record and releases the lock; the lock file
// stays for the next run. It is safe to call more than once.
func (l *Lock) Unlock() error {
	if l == nil || !l.fl.Locked() {
		return nil
	}
	// The record goes first: once the lock is free, nobody may read a
	// record that names us.
	rerr := os.Remove(l.info)
	if errors.Is(rerr, fs.ErrNotExist) {
		rerr = nil
	}
	if err := l.fl.Unlock(); err != nil {
		return fmt.Errorf("release the lock %s: %w", l.fl.Path(), err)
	}
	if rerr != nil {
		return fmt.Errorf("remove the lock record: %w", rerr)
	}
	return nil
}

// A LockedError says that another run holds the lock. Nothing has touched
// the device; the outcome is always [outcome.Locked].
type LockedError struct {
	Path   string        // the lock file
	Holder *LockInfo     // who holds it; nil when not recorded or unreadable
	Why    string        // when Holder is nil: why it is not known
	Waited time.Duration // how long the run waited for the lock (AcquireWait)
}

func (e *LockedError) Error() string {
	msg := e.holder()
	if e.Waited > 0 {
		msg += fmt.Sprintf("; waited %s for it", e.Waited)
	}
	return msg
}

func (e *LockedError) holder() string {
	if e.Holder == nil {
		return fmt.Sprintf("another caafix run holds the lock %s; which run is not known: %s", e.Path, e.Why)
	}
	h := e.Holder
	who, more := fmt.Sprintf("pid %d", h.PID), []string(nil)
	if h.RunID != "" {
		who, more = "run "+h.RunID, []string{who}
	}
	if h.Command != "" {
		more = append(more, fmt.Sprintf("%q", clip(h.Command, 200)))
	}
	if len(more) > 0 {
		who += " (" + strings.Join(more, ", ") + ")"
	}
	return fmt.Sprintf("another caafix run holds the lock %s: %s since %s", e.Path, who, h.Started.UTC().Format(time.RFC3339))
}

// Outcome returns [outcome.Locked].
func (e *LockedError) Outcome() outcome.Kind { return outcome.Locked }

// UserHint says what to do.
func (e *LockedError) UserHint() string {
	return "wait for that run to finish, then run caafix again; a crashed run frees the lock by itself"
}

// lockedError describes the holder from its record, without guessing.
func lockedError(stateDir string) *LockedError {
	e := &LockedError{Path: filepath.Join(stateDir, LockFile)}
	path := filepath.Join(stateDir, LockInfoFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		e.Why = "it has not recorded itself in " + LockInfoFile + " (yet)"
		return e
	}
	if err != nil {
		e.Why = fmt.Sprintf("cannot read %s: %v", path, err)
		return e
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLockInfo+1))
	if err != nil {
		e.Why = fmt.Sprintf("cannot read %s: %v", path, err)
		return e
	}
	var h LockInfo
	if len(b) > maxLockInfo {
		e.Why = fmt.Sprintf("%s is larger than %d bytes", path, maxLockInfo)
		return e
	}
	if err := json.Unmarshal(b, &h); err != nil || h.PID <= 0 || h.Started.IsZero() {
		e.Why = fmt.Sprintf("%s is damaged", path)
		return e
	}
	e.Holder = &h
	return e
}

// writeLockInfo writes the holder record atomically: a temp file and a
// rename. A run that finds the lock taken reads a whole record or none.
// It is not synced to disk: it matters only while its run holds the lock,
// and a power loss ends that run and frees the lock anyway.
func writeLockInfo(dir string, info LockInfo) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	if err := replaceFile(dir, LockInfoFile, b, false); err != nil {
		return fmt.Errorf("record the lock holder: %w", err)
	}
	return nil
}
