//go:build !windows

package trustfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caafix/caafix/outcome"
)

// private returns a temp dir whose whole chain passes: t.TempDir is 0700
// under a sticky or private temp root. It skips when the machine's temp
// root itself is weak, since then no test here could pass.
func private(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := Check("the test dir", dir); err != nil {
		t.Skipf("the temp dir's chain is weak on this machine: %v", err)
	}
	return dir
}

func TestCheckFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		mode    os.FileMode
		dirMode os.FileMode // the mode of the file's folder
		wantAt  string      // "file" or "dir" where the problem is; "" for none
		wantWho string
	}{
		{"a 0644 file in a 0755 dir", 0o644, 0o755, "", ""},
		{"a 0600 file in a 0700 dir", 0o600, 0o700, "", ""},
		{"a group-writable file", 0o664, 0o755, "file", "group-writable (mode 0664)"},
		{"a world-writable file", 0o646, 0o755, "file", "world-writable (mode 0646)"},
		{"a world-writable dir above", 0o644, 0o777, "dir", "world-writable (mode 0777)"},
		{"a group-writable dir above", 0o644, 0o775, "dir", "group-writable (mode 0775)"},
		{"a sticky world-writable dir above", 0o644, os.ModeSticky | 0o777, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(private(t), "conf")
			file := filepath.Join(dir, "caafix.yaml")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte("{}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			// chmod, not the umask: the modes are exact, as root too.
			if err := os.Chmod(file, c.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, c.dirMode); err != nil {
				t.Fatal(err)
			}
			err := Check("the configuration file", file)
			if c.wantAt == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %v, want an *Error", err)
			}
			at := file
			if c.wantAt == "dir" {
				at = dir
			}
			if e.At != at || e.Path != file || !strings.Contains(e.Who, c.wantWho) {
				t.Errorf("Error at %s by %q, want at %s by %q", e.At, e.Who, at, c.wantWho)
			}
			if want := "chmod go-w '" + at + "'"; e.Fix != want {
				t.Errorf("fix %q, want %q", e.Fix, want)
			}
			if outcome.Of(err) != outcome.Trust {
				t.Errorf("outcome %v, want trust-error", outcome.Of(err))
			}
			if !strings.Contains(err.Error(), "the configuration file "+file) || !strings.Contains(outcome.HintOf(err), "chmod go-w") {
				t.Errorf("the error does not name the file and the fix: %v / %s", err, outcome.HintOf(err))
			}
		})
	}
}

// A symlink is judged by what it points to.
func TestCheckFollowsSymlinks(t *testing.T) {
	t.Parallel()
	root := private(t)
	weak := filepath.Join(root, "weak")
	if err := os.Mkdir(weak, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(weak, 0o777); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(weak, "team.pub")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "team.pub")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if err := Check("the trust key file", link); !errors.As(err, &e) || e.At != weak {
		t.Fatalf("Check = %v, want the weak dir behind the link", err)
	}
}

func TestEnsureDir(t *testing.T) {
	t.Parallel()
	root := private(t)
	dir := filepath.Join(root, "caafix", "state")
	if err := EnsureDir("the state dir", dir); err != nil {
		t.Fatalf("EnsureDir: %v", err)
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		info, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %04o, want 0700", d, info.Mode().Perm())
		}
	}
	// A pre-created weak one is refused, not repaired.
	weak := filepath.Join(root, "weak")
	if err := os.Mkdir(weak, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(weak, 0o770); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if err := EnsureDir("the state dir", weak); !errors.As(err, &e) {
		t.Fatalf("EnsureDir on a weak dir = %v, want an *Error", err)
	}
	if info, _ := os.Stat(weak); info.Mode().Perm() != 0o770 {
		t.Errorf("EnsureDir changed the weak dir's mode to %04o", info.Mode().Perm())
	}
}

func TestCheckMissing(t *testing.T) {
	t.Parallel()
	err := Check("the configuration file", filepath.Join(private(t), "none.yaml"))
	var e *Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("Check on a missing file = %v, want a plain error", err)
	}
}
