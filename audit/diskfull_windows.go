package audit

import (
	"errors"
	"syscall"
)

// Windows reports a full disk with its own codes, not ENOSPC.
const (
	errorHandleDiskFull syscall.Errno = 39   // ERROR_HANDLE_DISK_FULL
	errorDiskFull       syscall.Errno = 112  // ERROR_DISK_FULL
	errorDiskQuota      syscall.Errno = 1295 // ERROR_DISK_QUOTA_EXCEEDED
)

func diskFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull) ||
		errors.Is(err, errorDiskQuota) || errors.Is(err, syscall.ENOSPC)
}
