package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMinisignInterop runs the scripts in testdata/minisign against the
// real minisign tool (the Debian package minisign): its signatures and keys
// must work in caafix, and caafix's in it. Without minisign on PATH the
// test skips, except in CI (CI set), where a skip would hide a broken
// promise: there it fails.
func TestMinisignInterop(t *testing.T) {
	if _, err := exec.LookPath("minisign"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("minisign is not on PATH and CI is set: install the minisign package (.ci/run does: apt-get install -y minisign)")
		}
		t.Skip("minisign is not on PATH: apt-get install -y minisign to run the interoperability tests")
	}
	testscript.Run(t, testscript.Params{
		Dir:   filepath.Join("testdata", "minisign"),
		Setup: setupScript,
		Cmds:  scriptCmds,
	})
}
