//go:build !windows

package audit

import (
	"errors"
	"os"
	"syscall"
)

// syncDir forces a folder's entries to disk, so that a file that rotation
// created or renamed is found after a crash. File systems that cannot sync
// a folder (EINVAL, ENOTSUP) keep their entries as they keep them.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}
