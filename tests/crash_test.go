package tests

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/scripts"
)

// TestKilledAtEveryCommand kills caafix with SIGKILL at every command it
// sends, once before the device runs it and once after (the command took
// effect, its answer never came), which covers every step boundary and the
// middle of every command. The simulated device stops at the chosen
// command (devicesim.HangEnv), so the kill point is exact, not timed. Then
// caafix runs again on the same state dir and audit log; that run must
// report the interrupted run, end with an outcome an RMM can act on, leave
// an audit log that verifies, and never send a non-idempotent command a
// second time without the check that guards it in between.
func TestKilledAtEveryCommand(t *testing.T) {
	// Process.Kill is SIGKILL on Unix and TerminateProcess on Windows:
	// neither lets caafix run another instruction.
	t.Parallel()
	cases := []struct {
		scenario string
		flags    []string
		every    int // kill at every this-many-th line
	}{
		// clock, WAM cleanup, credential deletes and leaving Entra ID.
		{"av-vpn", []string{"--allow-dangerous"}, 1},
		// the restart (the facts it gathers first are av-vpn's: every
		// other line suffices).
		{"transient", []string{"--allow-disruptive"}, 2},
		// user steps from SYSTEM: each command is seven (prepare, start,
		// poll, three reads, clean up); every fourth line still stops in
		// each kind of them across the run.
		{"system-user", nil, 4},
	}
	for _, c := range cases {
		lines := hostLines(t, c.scenario, c.flags)
		for n := 1; n <= lines; n += c.every {
			for _, when := range []string{"before", "after"} {
				t.Run(fmt.Sprintf("%s/%s-%d", c.scenario, when, n), func(t *testing.T) {
					t.Parallel()
					killedRun(t, c.scenario, c.flags, fmt.Sprintf("%s:%d", when, n))
				})
			}
		}
	}
}

// hostLines counts the lines a complete run of the scenario sends until
// its run ends (the host's closing exit comes after it).
func hostLines(t *testing.T, scenario string, flags []string) int {
	t.Helper()
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	cmd := exec.Command(caafixPath(), append([]string{"run", "--simulate", scenario, "--state-dir", state, "--audit-log", filepath.Join(dir, "a.jsonl")}, flags...)...)
	cmd.Env = testEnv(dir)
	_ = cmd.Run()
	recs, err := devicesim.Commands(state)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.RunAs == "" && r.Command != "exit" {
			n++
		}
	}
	if n < 10 {
		t.Fatalf("a run of %s sent only %d lines", scenario, n)
	}
	return n
}

func testEnv(dir string) []string {
	return append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+dir)
}

func killedRun(t *testing.T, scenario string, flags []string, hang string) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	auditLog := filepath.Join(dir, "a.jsonl")
	args := append([]string{"run", "--simulate", scenario, "--state-dir", state, "--audit-log", auditLog}, flags...)

	first := exec.Command(caafixPath(), args...)
	first.Env = append(testEnv(dir), devicesim.HangEnv+"="+hang)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	marker := filepath.Join(state, "devicesim", devicesim.HangMarker)
	// Wait for the device to stop at the chosen line; the bound only
	// keeps a broken build from hanging the suite.
	for deadline := time.Now().Add(time.Minute); ; {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("caafix ended (%v) before the device reached line %s", err, hang)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = first.Process.Kill()
			t.Fatalf("the device never reached line %s", hang)
		}
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited

	second := exec.Command(caafixPath(), args...)
	second.Env = testEnv(dir)
	var stdout, stderr strings.Builder
	second.Stdout, second.Stderr = &stdout, &stderr
	err := second.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	out := strings.TrimRight(stdout.String(), "\n")
	last := out[strings.LastIndex(out, "\n")+1:]
	if code != 0 && code != 1 && code != 4 && code != 5 {
		t.Fatalf("the run after the kill exited %d: %s\n%s", code, last, stderr.String())
	}
	if !strings.Contains(last, "was interrupted") {
		t.Errorf("the summary does not report the interrupted run: %s", last)
	}
	logText, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logText), `"event":"run.interrupted"`) {
		t.Errorf("no run.interrupted event in the audit log")
	}
	verify := exec.Command(caafixPath(), "audit", "verify", auditLog)
	verify.Env = testEnv(dir)
	if vout, err := verify.CombinedOutput(); err != nil {
		t.Errorf("audit verify after the kill: %v\n%s", err, vout)
	}
	recs, err := devicesim.Commands(state)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, r := range recs {
		cmds = append(cmds, r.Command)
	}
	if err := noBlindRepeat(cmds); err != nil {
		t.Errorf("%v\ncommands:\n%s", err, strings.Join(cmds, "\n"))
	}
	// A one-shot task the killed run left in the user's session is gone.
	tasks, files, err := devicesim.Tasks(state)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) > 0 || len(files) > 0 {
		t.Errorf("left behind: tasks %q, files %q", tasks, files)
	}
}

// guards says, for each non-idempotent command, the read that must come
// between two of them: the pre-check that shows it is still needed.
var guards = []struct {
	cmd   *regexp.Regexp
	guard string // "" : never twice
}{
	{regexp.MustCompile(`^cmdkey '/delete:.*'$`), scripts.CmdkeyList},
	{regexp.MustCompile(`^dsregcmd /cleanupaccounts$`), scripts.AADEvents},
	{regexp.MustCompile(`^dsregcmd /leave$`), scripts.DsregStatus},
	{regexp.MustCompile(`^shutdown /r `), ""},
}

// noBlindRepeat checks that no non-idempotent command was received twice
// without its guard in between.
func noBlindRepeat(cmds []string) error {
	for _, g := range guards {
		lastAt := map[string]int{}
		for i, c := range cmds {
			if !g.cmd.MatchString(c) {
				continue
			}
			if prev, ok := lastAt[c]; ok {
				if g.guard == "" {
					return fmt.Errorf("%q was sent twice", c)
				}
				guarded := false
				for _, between := range cmds[prev+1 : i] {
					guarded = guarded || between == g.guard
				}
				if !guarded {
					return fmt.Errorf("%q was sent twice without %q in between", c, g.guard)
				}
			}
			lastAt[c] = i
		}
	}
	return nil
}
