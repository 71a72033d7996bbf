package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/diagnose"
	"github.com/caafix/caafix/runbooks"
)

// cost is what one order costs one device until it is fixed or handed to
// IT, summed over every invocation (a restart resumes in the next one).
type cost struct {
	outcome  string // the last run's outcome
	changing int    // steps whose action was sent (any risk but read)
	restarts int    // restarts scheduled
	signIns  int    // forced re-sign-ins: cleanupaccounts, Office credential removal, leaving Entra ID
}

func (c cost) String() string {
	return fmt.Sprintf("%s | %d | %d | %d", c.outcome, c.changing, c.restarts, c.signIns)
}

// signsOut are the step types after which the user must sign in again.
var signsOut = map[string]bool{"dsregcmd.cleanupaccounts": true, "credentials.remove": true, "dsregcmd.leave": true}

// consents are the two ways caafix meets a device: a technician at it,
// with every consent (where a fixed order costs most), and unattended, as
// an RMM tool or Intune's remediate runs it: no consent, so no restart,
// no repair and no leave.
var consents = []struct {
	name  string
	flags []string
}{
	{"technician", []string{"--allow-disruptive", "--allow-dangerous"}},
	{"unattended", nil},
}

// TestMeasureEvidenceOrder runs every built-in scenario with a fault
// through the real binary, once per consent and order: the shipped
// runbook in its listed order (signed as a file) and in evidence order
// (as it ships). It counts, from each run's audit log, the changing
// steps, restarts and forced re-sign-ins until the device is fixed or
// escalated, prints the tables of docs/performance.md (go test ./tests
// -run TestMeasureEvidenceOrder -v), and holds evidence order to the
// goals: no restart where the evidence names a non-transient cause, at
// most 1.2 changing steps per fixed device on average, never fewer
// devices fixed than the listed order, and never more re-sign-ins.
func TestMeasureEvidenceOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	listed := listedRunbook(t, dir)
	for _, consent := range consents {
		t.Run(consent.name, func(t *testing.T) {
			measureTable(t, dir, listed, consent.name, consent.flags)
		})
	}
}

func measureTable(t *testing.T, dir, listed, consent string, flags []string) {
	type row struct {
		scenario, fault, named string
		listed, evidence       cost
	}
	var rows []row
	for _, name := range devicesim.BuiltinNames() {
		sc, err := devicesim.LoadScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.Faults) == 0 {
			continue
		}
		faults := make([]string, len(sc.Faults))
		for i, f := range sc.Faults {
			faults[i] = string(f)
		}
		r := row{scenario: name, fault: strings.Join(faults, ", ")}
		r.listed = measure(t, dir, name, consent+"-listed", listed, flags)
		r.evidence = measure(t, dir, name, consent+"-evidence", "", flags)
		if named, ok := diagnosis(t, dir, name).NamedCause(); ok {
			r.named = named.Name
		}
		rows = append(rows, r)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%s (consent flags: %s)\n\n", consent, strings.Join(append([]string{"none"}, flags...)[min(len(flags), 1):], " "))
	b.WriteString("| scenario | fault | evidence names | listed: outcome | changing steps | restarts | re-sign-ins | evidence: outcome | changing steps | restarts | re-sign-ins |\n")
	b.WriteString("|---|---|---|---|---:|---:|---:|---|---:|---:|---:|\n")
	type total struct{ fixed, changingFixed, changing, restarts, signIns int }
	var tl, te total
	add := func(tt *total, c cost) {
		tt.changing += c.changing
		tt.restarts += c.restarts
		tt.signIns += c.signIns
		if c.outcome == "fixed" {
			tt.fixed++
			tt.changingFixed += c.changing
		}
	}
	for _, r := range rows {
		named := r.named
		if named == "" {
			named = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.scenario, r.fault, named, r.listed, r.evidence)
		add(&tl, r.listed)
		add(&te, r.evidence)
		if r.named != "" && r.evidence.restarts > 0 {
			t.Errorf("%s: the evidence names %s, yet evidence order restarted the device", r.scenario, r.named)
		}
	}
	avg := func(tt total) float64 {
		if tt.fixed == 0 {
			return 0
		}
		return float64(tt.changingFixed) / float64(tt.fixed)
	}
	fmt.Fprintf(&b, "\n| order | devices fixed | changing steps per fixed device | changing steps, all devices | restarts | re-sign-ins |\n|---|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| listed | %d of %d | %.2f | %d | %d | %d |\n", tl.fixed, len(rows), avg(tl), tl.changing, tl.restarts, tl.signIns)
	fmt.Fprintf(&b, "| evidence | %d of %d | %.2f | %d | %d | %d |\n", te.fixed, len(rows), avg(te), te.changing, te.restarts, te.signIns)
	t.Log("\n" + b.String())
	if avg(te) > 1.2 {
		t.Errorf("evidence order: %.2f changing steps per fixed device, the goal is at most 1.2", avg(te))
	}
	if te.fixed < tl.fixed {
		t.Errorf("evidence order fixed %d devices, the listed order %d", te.fixed, tl.fixed)
	}
	if te.signIns > tl.signIns {
		t.Errorf("evidence order forced %d re-sign-ins, the listed order %d", te.signIns, tl.signIns)
	}
	if len(rows) < 15 {
		t.Errorf("only %d scenarios measured", len(rows))
	}
}

// listedRunbook writes the shipped runbook with order: listed to dir,
// signs it with a fresh key and writes a configuration that trusts it;
// it returns the runbook's path.
func listedRunbook(t *testing.T, dir string) string {
	t.Helper()
	src, ok := runbooks.EmbeddedSource("caa50021")
	if !ok || bytes.Count(src, []byte("\norder: evidence\n")) != 1 {
		t.Fatal("the shipped runbook has no single order: evidence line")
	}
	file := filepath.Join(dir, "caa50021-listed.yaml")
	if err := os.WriteFile(file, bytes.Replace(src, []byte("\norder: evidence\n"), []byte("\norder: listed\n"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	key, pub := filepath.Join(dir, "measure.key"), filepath.Join(dir, "measure.pub")
	mustCaafix(t, dir, "key", "generate", "--secret-key", key, "--public-key", pub, "--unencrypted")
	mustCaafix(t, dir, "runbook", "sign", "--secret-key", key, file)
	if err := os.WriteFile(filepath.Join(dir, "caafix.yaml"), []byte("trust:\n  public_keys:\n    - "+pub+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// caafix runs the binary in dir, with its home and state there, and
// returns its exit code, stdout and stderr.
func caafix(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(caafixPath(), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+dir)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("caafix %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errOut.String()
}

// mustCaafix runs the binary and fails the test unless it exits 0.
func mustCaafix(t *testing.T, dir string, args ...string) {
	t.Helper()
	if code, _, stderr := caafix(t, dir, args...); code != 0 {
		t.Fatalf("caafix %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
}

// measure runs the scenario's device with the consent flags until its run
// no longer ends reboot-pending, and adds up the cost from the audit log.
func measure(t *testing.T, dir, scenario, order, runbook string, flags []string) cost {
	t.Helper()
	state := filepath.Join(dir, scenario+"-"+order)
	audit := state + ".jsonl"
	args := append([]string{"run", "--config", filepath.Join(dir, "caafix.yaml"), "--simulate", scenario, "--state-dir", state,
		"--audit-log", audit}, flags...)
	if runbook != "" {
		args = append(args, runbook)
	}
	for n := 1; ; n++ {
		code, out, _ := caafix(t, dir, args...)
		if code != 5 {
			break
		}
		if n == 3 {
			t.Fatalf("%s in %s order: still reboot-pending after %d runs\n%s", scenario, order, n, out)
		}
	}
	data, err := os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	var c cost
	risk := map[string]string{} // run id + step → risk
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e struct {
			Event, Step, Uses, Risk, Result, Outcome string
			RunID                                    string `json:"run_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", audit, err)
		}
		switch e.Event {
		case "step.start":
			risk[e.RunID+"/"+e.Step] = e.Risk
		case "step.end":
			sent := e.Result == "ran" || e.Result == "fixed" || e.Result == "failed" || e.Result == "ended"
			if !sent || risk[e.RunID+"/"+e.Step] == "read" {
				continue
			}
			c.changing++
			if e.Uses == "restart.schedule" {
				c.restarts++
			}
			if signsOut[e.Uses] {
				c.signIns++
			}
		case "run.end":
			c.outcome = e.Outcome
		}
	}
	return c
}

// diagnosis is caafix diagnose --output json on a fresh device.
func diagnosis(t *testing.T, dir, scenario string) diagnose.Diagnosis {
	t.Helper()
	code, out, _ := caafix(t, dir, "diagnose", "--simulate", scenario, "--audit-log", filepath.Join(dir, "diagnose.jsonl"), "--output", "json")
	var d diagnose.Diagnosis
	if err := json.Unmarshal([]byte(out), &d); code != 0 || err != nil {
		t.Fatalf("diagnose %s: exit %d, %v: %s", scenario, code, err, out)
	}
	return d
}
