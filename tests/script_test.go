package tests

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/caafix/caafix/devicesim"
)

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"lastline": cmdLastLine,
			"simsent":  cmdSimSent,
			"exitcode": cmdExitCode,
			"bundle":   cmdBundle,
		},
	})
}

// lastline REGEXP: the last line of the previous command's stdout matches.
func cmdLastLine(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: lastline REGEXP")
	}
	out := strings.TrimRight(ts.ReadFile("stdout"), "\n")
	last := out[strings.LastIndex(out, "\n")+1:]
	ok := regexpMatch(ts, args[0], last)
	if ok == neg {
		ts.Fatalf("last line %q: match %q = %v", last, args[0], ok)
	}
}

// exitcode N PROGRAM ARGS...: run PROGRAM like exec and require exit
// code N exactly; stdout and stderr are kept for the next commands.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// simsent DIR REGEXP: the simulated device in state dir DIR received a
// command matching REGEXP (with !, none did).
func cmdSimSent(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: simsent STATEDIR REGEXP")
	}
	cmds, err := devicesim.Commands(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("read the simulator's commands: %v", err)
	}
	found := false
	for _, c := range cmds {
		if regexpMatch(ts, args[1], c.Command) {
			found = true
			break
		}
	}
	if found == neg {
		ts.Fatalf("simulator received a command matching %q: %v (%d commands)", args[1], found, len(cmds))
	}
}
