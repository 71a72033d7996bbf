//go:build !windows

package trustfs

import (
	"errors"
	"os"
	"syscall"
)

// ancestorAdvice: a directory above is fixed like the path itself.
const ancestorAdvice = false

func inspect(path string, ancestor bool) (who, fix string, err error) {
	info, err := os.Lstat(path)
	if err != nil {
		return "", "", err
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "", "", errors.New("the file system reports no owner")
	}
	who, fix = modeWriters(path, info.Mode(), st.Uid, st.Gid, uint32(os.Geteuid()), ancestor)
	return who, fix, nil
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o700) }
