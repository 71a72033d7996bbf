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
