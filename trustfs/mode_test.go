package trustfs

import (
	"io/fs"
	"testing"
)

func TestModeWriters(t *testing.T) {
	t.Parallel()
	const me, other = 1000, 1001
	cases := []struct {
		name     string
		mode     fs.FileMode
		uid      uint32
		euid     uint32
		ancestor bool
		wantWho  string // "" when nobody else can change it
		wantFix  string
	}{
		{"a private file of mine", 0o600, me, me, false, "", ""},
		{"a readable file of root's", 0o644, 0, me, false, "", ""},
		{"caafix's own dir", fs.ModeDir | 0o700, 0, 0, false, "", ""},
		{"group-writable", 0o664, me, me, false, "the members of group 7: it is group-writable (mode 0664)", "chmod go-w '/x'"},
		{"world-writable", 0o666, 0, 0, false, "every user: it is world-writable (mode 0666)", "chmod go-w '/x'"},
		{"owned by another user, who can chmod it", 0o600, other, me, false, "its owner, uid 1001, who can change its mode", "chown 1000 '/x'"},
		{"owned by another user as root", 0o644, other, 0, false, "its owner, uid 1001, who can change its mode", "chown 0 '/x'"},
		{"a sticky world-writable dir above, like /tmp", fs.ModeDir | fs.ModeSticky | 0o777, 0, me, true, "", ""},
		{"a sticky dir is no place for the object itself", fs.ModeDir | fs.ModeSticky | 0o777, 0, me, false, "every user: it is world-writable (mode 0777)", "chmod go-w '/x'"},
		{"a world-writable dir above without the sticky bit", fs.ModeDir | 0o777, 0, me, true, "every user: it is world-writable (mode 0777)", "chmod go-w '/x'"},
		{"a group-writable dir above", fs.ModeDir | 0o775, 0, me, true, "the members of group 7: it is group-writable (mode 0775)", "chmod go-w '/x'"},
		{"a dir above owned by another user", fs.ModeDir | 0o755, other, me, true, "its owner, uid 1001, who can change its mode", "chown 1000 '/x'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			who, fix := modeWriters("/x", c.mode, c.uid, 7, c.euid, c.ancestor)
			if who != c.wantWho || fix != c.wantFix {
				t.Errorf("modeWriters = %q, %q; want %q, %q", who, fix, c.wantWho, c.wantFix)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	if got, want := shellQuote("/etc/it's here"), `'/etc/it'\''s here'`; got != want {
		t.Errorf("shellQuote = %s, want %s", got, want)
	}
}
