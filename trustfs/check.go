package trustfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Check refuses path when anyone but administrators can change it or a
// directory above it (see the package documentation for what counts).
// what names the path in the error, as in "the configuration file". The
// error is an [*Error] when the path is weak, and a plain error when it
// cannot be inspected: both are refusals.
func Check(what, path string) error {
	abs, err := filepath.Abs(path)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return fmt.Errorf("check who can change %s %s: %w", what, path, err)
	}
	for p, ancestor := abs, false; ; p, ancestor = filepath.Dir(p), true {
		who, fix, err := inspect(p, ancestor)
		if err != nil {
			return fmt.Errorf("check who can change %s %s (at %s): %w", what, path, p, err)
		}
		if who != "" {
			if ancestor && ancestorAdvice {
				fix = ancestorFix(what, path)
			}
			return &Error{What: what, Path: path, At: p, Who: who, Fix: fix}
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

// EnsureDir creates dir, and any missing folder above it, as caafix's
// own: mode 0700, or on Windows a protected DACL for SYSTEM and
// Administrators only. Then, and for a dir that existed already, it
// [Check]s it: a weak folder is refused, never repaired.
func EnsureDir(what, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := mkdirAll(dir); err != nil {
			return fmt.Errorf("create %s %s: %w", what, dir, err)
		}
	} else if err != nil {
		return fmt.Errorf("check %s %s: %w", what, dir, err)
	}
	return Check(what, dir)
}
