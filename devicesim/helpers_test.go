package devicesim

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testNow is the simulated clock of the tests: no test reads the real one.
var testNow = time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)

// newDevice creates the device of a built-in scenario (or a file in
// testdata/scenarios) in a fresh state directory.
func newDevice(t *testing.T, scenario string) string {
	t.Helper()
	name := scenario
	if _, err := os.Stat(filepath.Join("testdata", "scenarios", scenario+".yaml")); err == nil {
		name = filepath.Join("testdata", "scenarios", scenario+".yaml")
	}
	sc, err := LoadScenario(name)
	if err != nil {
		t.Fatalf("load scenario %s: %v", scenario, err)
	}
	dir := t.TempDir()
	if err := initAt(dir, sc, testNow); err != nil {
		t.Fatalf("init device: %v", err)
	}
	return dir
}

// serveLines runs one Serve session over the lines at the given time and
// returns what it wrote. It fails the test on a bare LF: the simulated
// Windows writes CRLF only.
func serveLines(t *testing.T, dir string, now time.Time, lines ...string) (stdout, stderr string) {
	t.Helper()
	var in strings.Builder
	for _, l := range lines {
		in.WriteString(l + "\r\n")
	}
	var out, errb bytes.Buffer
	if err := serve(strings.NewReader(in.String()), &out, &errb, dir, func() time.Time { return now }); err != nil {
		t.Fatalf("serve: %v", err)
	}
	for name, s := range map[string]string{"stdout": out.String(), "stderr": errb.String()} {
		if strings.Count(s, "\n") != strings.Count(s, "\r\n") {
			t.Errorf("%s has a line ending other than CRLF: %q", name, s)
		}
	}
	return out.String(), errb.String()
}

// nonce is the envelope nonce the tests use.
const nonce = "0123456789abcdef"

// envelope wraps cmd as caafix's host and go-powershell send it.
func envelope(cmd string) string {
	return fmt.Sprintf("$global:LASTEXITCODE = 0; $caafixOK = $true; try { %s; $caafixOK = $? } catch { $caafixOK = $false; [Console]::Error.WriteLine($_.ToString()) }; "+
		"Write-Output ('caafix-exit %s ' + $global:LASTEXITCODE + ' ' + $caafixOK); echo '$gorilla000000000000000000000001$'; [Console]::Error.WriteLine('$gorilla000000000000000000000002$')", cmd, nonce)
}

// exitLine is the envelope's last stdout line before the boundary.
func exitLine(t *testing.T, stdout string) string {
	t.Helper()
	for _, l := range strings.Split(stdout, "\r\n") {
		if strings.HasPrefix(l, "caafix-exit "+nonce+" ") {
			return strings.TrimPrefix(l, "caafix-exit "+nonce+" ")
		}
	}
	t.Fatalf("no caafix-exit line in %q", stdout)
	return ""
}

func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// golden compares got (CRLF turned into LF) with testdata/golden/NAME,
// or rewrites the file under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	got = lf(got)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != lf(string(want)) {
		t.Errorf("output differs from %s (run with -update to accept)\n--- got ---\n%s\n--- want ---\n%s", file, got, want)
	}
}

// fixture returns a Windows capture from testdata/fixtures with LF line
// endings.
func fixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return lf(string(data))
}

// deviceState reads the simulated device.
func deviceState(t *testing.T, dir string) *state {
	t.Helper()
	st, err := loadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
