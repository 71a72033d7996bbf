package executor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
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
	if dir == "" {
		return lf, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, lastFixFile))
	if errors.Is(err, fs.ErrNotExist) {
		return lf, nil
	}
	if err != nil {
		return lf, fmt.Errorf("read %s: %w", filepath.Join(dir, lastFixFile), err)
	}
	if err := json.Unmarshal(b, &lf); err != nil {
		// A damaged record only costs a re-check: ignore it.
		return lastFix{}, nil
	}
	return lf, nil
}

// writeLastFix writes the record atomically.
func writeLastFix(dir string, lf lastFix) error {
	if dir == "" {
		return nil
	}
	b, err := json.Marshal(lf)
	if err != nil {
		return err
	}
	return writeAtomic(dir, lastFixFile, b)
}

// writeAtomic writes dir/name through a temp file, fsync and rename, so a
// crash leaves the old record or the new one, never half of either.
func writeAtomic(dir, name string, b []byte) error {
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
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}
