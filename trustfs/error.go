package trustfs

import (
	"fmt"

	"github.com/caafix/caafix/outcome"
)

// An Error is a file or folder that others than administrators can
// change. Its outcome is a trust failure (exit 3): nothing has touched the
// device.
type Error struct {
	What string // what the path is to caafix: "the configuration file"
	Path string // the path as configured
	At   string // the path where the problem is: Path resolved, or a directory above it
	Who  string // who can change it, and how
	Fix  string // the exact command that fixes it
}

func (e *Error) Error() string {
	where := e.Path
	if e.At != "" && e.At != e.Path {
		where = fmt.Sprintf("%s (at %s)", e.Path, e.At)
	}
	return fmt.Sprintf("%s %s can be changed by %s: whoever can change it can change what caafix trusts", e.What, where, e.Who)
}

// Outcome reports a trust failure: exit 3.
func (e *Error) Outcome() outcome.Kind { return outcome.Trust }

// UserHint is the command that fixes it.
func (e *Error) UserHint() string { return "as an administrator, run: " + e.Fix }
