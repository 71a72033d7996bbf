package trustfs

import (
	"fmt"
	"io/fs"
)

// modeWriters says who besides root and the user caafix runs as (euid)
// can change a file or directory with this mode and owner uid, and the
// command that fixes it; "" when nobody can. ancestor is true for a
// directory above the checked path: there a sticky bit makes group and
// world write harmless, since others cannot rename or remove entries they
// do not own (and the entry below is checked for its owner in turn).
func modeWriters(path string, mode fs.FileMode, uid, gid, euid uint32, ancestor bool) (who, fix string) {
	if uid != 0 && uid != euid {
		return fmt.Sprintf("its owner, uid %d, who can change its mode", uid), fmt.Sprintf("chown %d %s", euid, shellQuote(path))
	}
	if ancestor && mode.IsDir() && mode&fs.ModeSticky != 0 {
		return "", ""
	}
	fix = "chmod go-w " + shellQuote(path)
	switch {
	case mode.Perm()&0o002 != 0:
		return fmt.Sprintf("every user: it is world-writable (mode %04o)", mode.Perm()), fix
	case mode.Perm()&0o020 != 0:
		return fmt.Sprintf("the members of group %d: it is group-writable (mode %04o)", gid, mode.Perm()), fix
	}
	return "", ""
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	out := "'"
	for _, r := range s {
		if r == '\'' {
			out += `'\''`
			continue
		}
		out += string(r)
	}
	return out + "'"
}
