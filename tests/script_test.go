package tests

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/devicesim"
)

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   filepath.Join("testdata", "script"),
		Setup: setupScript,
		Cmds:  scriptCmds,
	})
}

// scriptCmds are the custom testscript commands.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"lastline": cmdLastLine,
	"simsent":  cmdSimSent,
	"exitcode": cmdExitCode,
	"bundle":   cmdBundle,
}

// setupScript puts the built binary first on PATH, keeps HOME and the XDG
// folders inside the script's work dir, and names the committed test PKI
// ($X509, see signing/testdata/x509/gen.sh).
func setupScript(env *testscript.Env) error {
	env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
	env.Setenv("HOME", env.WorkDir)
	env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
	x509, err := filepath.Abs(filepath.Join("..", "signing", "testdata", "x509"))
	if err != nil {
		return err
	}
	env.Setenv("X509", x509)
	xsd, err := filepath.Abs(filepath.Join("..", "task", "testdata", "task-scheduler.xsd"))
	if err != nil {
		return err
	}
	env.Setenv("TASK_XSD", xsd)
	// task.txtar validates Task Scheduler XML with xmllint when it is
	// installed; in CI (.ci/run installs it) it must be.
	if _, err := exec.LookPath("xmllint"); err != nil && os.Getenv("CI") != "" {
		return errors.New("xmllint is missing (CI is set): install libxml2-utils")
	}
	env.Defer(func() { verifyAuditLogs(env) })
	return nil
}

// noVerifyFile, in a script's work dir, lists (one a line) the audit logs
// the script damages on purpose; every other audit log a script leaves
// must verify.
const noVerifyFile = ".audit-noverify"

// verifyAuditLogs checks the hash chain of every audit log a script left
// in its work dir, each file on its own (a rotated file's first line
// continues the chain of the one before): whatever a script did, the
// trail caafix wrote must be intact. Escalation bundles' copies are
// skipped (their lines are masked, so they do not match their hashes).
func verifyAuditLogs(env *testscript.Env) {
	skip := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(env.WorkDir, noVerifyFile)); err == nil {
		for _, l := range strings.Fields(string(b)) {
			skip[filepath.Clean(l)] = true
		}
	}
	err := filepath.WalkDir(env.WorkDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(env.WorkDir, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), "escalation-") || strings.HasPrefix(d.Name(), ".escalation-") {
				return filepath.SkipDir
			}
			return nil
		}
		if skip[rel] || !isAuditLog(path) {
			return nil
		}
		if _, verr := audit.VerifyFiles([]string{path}, audit.VerifyOptions{AllowContinuation: true}); verr != nil {
			env.T().Fatal(fmt.Sprintf("audit log %s does not verify: %v (a script that damages it on purpose lists it in %s)", rel, verr, noVerifyFile))
		}
		return nil
	})
	if err != nil {
		env.T().Fatal(fmt.Sprintf("look for audit logs: %v", err))
	}
}

// isAuditLog reports whether path is a caafix audit log: a .jsonl file
// (or a gzip-compressed backup) whose first line is a schema-1 event.
func isAuditLog(path string) bool {
	name := filepath.Base(path)
	if strings.HasSuffix(name, ".jsonl.gz") {
		return true
	}
	// commands.jsonl is the simulator's record; audit-lines.jsonl is an
	// escalation bundle's masked copy of a run's lines.
	if !strings.HasSuffix(name, ".jsonl") || name == "commands.jsonl" || name == "audit-lines.jsonl" {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 12)
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == `{"schema":1,`
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
