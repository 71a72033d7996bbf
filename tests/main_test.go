// Package tests holds the end-to-end tests of the caafix binary: testscript
// scripts in testdata/script and the scenario matrix. They build the real
// binary once and run it the way an RMM tool or a technician would.
package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// binDir holds the caafix binary built for this test run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "caafix-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	exe := "caafix"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, exe), "../cmd/caafix")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build caafix:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func caafixPath() string {
	if runtime.GOOS == "windows" {
		return filepath.Join(binDir, "caafix.exe")
	}
	return filepath.Join(binDir, "caafix")
}

// TestBuildInputs reads every file the binary is built from. The binary is
// built by "go build" in TestMain, whose reads the go command cannot see:
// without this test a cached pass of this package would survive a change
// made only under cmd/ (or any package these tests do not import). Files
// a test opens are part of the cache key, so reading them here makes any
// change to them run the tests again.
func TestBuildInputs(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var read int
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name[0] == '.' || name == "tests" || name == "docs") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".yaml", ".mod", ".sum":
		default:
			return nil
		}
		if _, err := os.ReadFile(path); err != nil {
			return err
		}
		read++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if read < 50 {
		t.Fatalf("read %d build inputs under %s: is this the caafix module?", read, root)
	}
	out, err := exec.Command(caafixPath(), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("caafix version: %v\n%s", err, out)
	}
}
