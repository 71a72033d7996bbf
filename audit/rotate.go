package audit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Rotation starts a new log file when the current one would grow past
// MaxSizeMB: the full file is renamed to NAME-<UTC time>.EXT beside it
// (lumberjack's naming, e.g. audit-2026-11-28T15-07-26.000.jsonl) and a new
// file takes its place. The chain goes on across files: the first line of
// the new file has the seq after, and the hash of, the last line of the
// backup.
type Rotation struct {
	MaxSizeMB  int // the size that triggers rotation; 0 or less means 100
	MaxBackups int // rotated files to keep, oldest removed first; 0 keeps all

	maxBytes int64 // overrides MaxSizeMB in tests
}

type rotation struct {
	max     int64
	backups int
	failed  bool // a rename failed: write on in the current file
}

const backupLayout = "2006-01-02T15-04-05.000"

func newRotation(r Rotation) *rotation {
	max := r.maxBytes
	if max <= 0 {
		mb := r.MaxSizeMB
		if mb <= 0 {
			mb = 100
		}
		max = int64(mb) << 20
	}
	return &rotation{max: max, backups: r.MaxBackups}
}

// rotateFor rotates the file if a line of n bytes would take it past the
// limit. Rotation is housekeeping: when the rename fails (on Windows,
// another program may hold the file open) the trail writes on in the
// current file and tries again after the next Open. Only a file it cannot
// reopen breaks the trail.
func (t *Trail) rotateFor(n int64) {
	r := t.rot
	if r.failed || t.size == 0 || t.size+n <= r.max {
		return
	}
	if err := t.f.Sync(); err != nil {
		t.broken = &WriteError{Path: t.path, Op: "sync", Err: err}
		return
	}
	if err := t.f.Close(); err != nil {
		t.broken = &WriteError{Path: t.path, Op: "rotate", Err: err}
		return
	}
	t.f = nil
	if err := os.Rename(t.path, t.backupName()); err != nil {
		r.failed = true
	}
	if err := t.openFile(); err != nil {
		t.broken = err
		return
	}
	if !r.failed {
		t.prune()
	}
}

// backupName returns a free name for the current file's backup. Two
// rotations in one millisecond get names a millisecond apart, so the names
// still sort in the order of the files.
func (t *Trail) backupName() string {
	dir, base, ext := splitPath(t.path)
	at := t.now().UTC()
	for i := 0; ; i++ {
		name := filepath.Join(dir, base+"-"+at.Format(backupLayout)+ext)
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) || i == 1000 {
			return name
		}
		at = at.Add(time.Millisecond)
	}
}

// prune removes the oldest backups beyond the limit. A backup that cannot
// be removed stays: that costs disk space, not the record.
func (t *Trail) prune() {
	if t.rot.backups <= 0 {
		return
	}
	backups, err := Backups(t.path)
	if err != nil {
		return
	}
	for len(backups) > t.rot.backups {
		_ = os.Remove(backups[0])
		backups = backups[1:]
	}
}

func splitPath(path string) (dir, base, ext string) {
	dir, name := filepath.Split(path)
	ext = filepath.Ext(name)
	return dir, strings.TrimSuffix(name, ext), ext
}

// Backups returns the rotated backups of the log at path, oldest first.
func Backups(path string) ([]string, error) {
	dir, base, ext := splitPath(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range entries {
		stamp, ok := strings.CutPrefix(e.Name(), base+"-")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		stamp, ok = strings.CutSuffix(stamp, ext)
		if _, err := time.Parse(backupLayout, stamp); !ok || err != nil {
			continue
		}
		out = append(out, filepath.Join(filepath.Dir(path), e.Name()))
	}
	slices.Sort(out) // the fixed-width stamps sort in time order
	return out, nil
}

// Files returns the files that hold the log at path, in chain order: its
// rotated backups, oldest first, then the file itself if it exists. Pass
// them to [VerifyFiles].
func Files(path string) ([]string, error) {
	out, err := Backups(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		out = append(out, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return out, nil
}
