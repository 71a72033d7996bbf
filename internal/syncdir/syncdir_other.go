//go:build !windows

package syncdir

import (
	"errors"
	"os"
	"syscall"
)

// Dir forces a folder's entries to disk, so that a file that rotation
// created or renamed is found after a crash. File systems that cannot sync
// a folder (EINVAL, ENOTSUP) keep their entries as they keep them.
func Dir(dir string) error {
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
