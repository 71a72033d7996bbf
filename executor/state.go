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

// writeLastFix writes the record atomically: a temp file, fsync, rename.
func writeLastFix(dir string, lf lastFix) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state dir: %w", err)
	}
	b, err := json.Marshal(lf)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, lastFixFile+".*")
	if err != nil {
		return fmt.Errorf("record the fix: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("record the fix: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("record the fix: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("record the fix: %w", err)
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, lastFixFile))
}
