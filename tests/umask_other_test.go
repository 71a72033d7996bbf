//go:build !windows

package tests

import "syscall"

// The scripts write their files and folders with the process's umask, and
// caafix refuses a group-writable configuration, key file or state dir
// (package trustfs). Pin the common 022 so that the scripts see 0644 files
// and 0755 folders on a machine whose default umask is 002 as well.
func init() { syscall.Umask(0o022) }
