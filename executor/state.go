package executor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/caafix/caafix/internal/syncdir"
)

// lastFixFile records when caafix last verified a fix on this device. The
// AAD log keeps CAA50021 events for days; without this, the next run
// would see the old events and treat a fixed device as still broken.
const lastFixFile = "last-fix.json"

type lastFix struct {
	Time    time.Time `json:"time"`
	RunID   string    `json:"run_id"`
	Step    string    `json:"step"`
	Runbook string    `json:"runbook"`
}

func readLastFix(dir string) (lastFix, error) {
	var lf lastFix
	b, ok, err := readRecord(dir, lastFixFile, 0)
	if err != nil {
		return lf, fmt.Errorf("read %s: %w", filepath.Join(dir, lastFixFile), err)
	}
	if !ok {
		return lf, nil
	}
	if err := json.Unmarshal(b, &lf); err != nil {
		// A damaged record only costs a re-check: ignore it.
		return lastFix{}, nil
	}
	return lf, nil
}

// writeLastFix writes the record atomically.
func writeLastFix(dir string, lf lastFix) error {
	return writeRecord(dir, lastFixFile, lf)
}

// readRecord reads the record dir/name, at most limit bytes (0: no
// limit); ok is false when there is none (or no state dir). Each record
// decides for itself what a damaged one means.
func readRecord(dir, name string, limit int64) (b []byte, ok bool, err error) {
	if dir == "" {
		return nil, false, nil
	}
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	var r io.Reader = f
	if limit > 0 {
		r = io.LimitReader(f, limit+1)
	}
	b, err = io.ReadAll(r)
	return b, err == nil, err
}

// writeRecord writes v as JSON to dir/name atomically (see writeAtomic);
// nothing without a state dir.
func writeRecord(dir, name string, v any) error {
	if dir == "" {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeAtomic(dir, name, b)
}

// removeRecord removes dir/name; one that is not there is removed.
func removeRecord(dir, name string) error {
	if dir == "" {
		return nil
	}
	err := os.Remove(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// A record removed must stay removed: a journal back from the dead
	// after a power loss would resume a finished run.
	return syncdir.Dir(dir)
}

// writeAtomic writes dir/name through a temp file, fsync, rename and a
// sync of the folder, so a crash or a power loss leaves the old record or
// the new one, never half of either, and a record written stays written.
func writeAtomic(dir, name string, b []byte) error { return replaceFile(dir, name, b, true) }

// replaceFile writes dir/name through a temp file and a rename: a reader
// finds the old contents or the new. durable adds the syncs of the file
// and the folder that make it survive a power loss; a record that only
// matters while its writer lives (the lock holder) can skip them.
func replaceFile(dir, name string, b []byte, durable bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if durable {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	if !durable {
		return nil
	}
	if err := syncdir.Dir(dir); err != nil {
		return fmt.Errorf("write %s: sync %s: %w", name, dir, err)
	}
	return nil
}
