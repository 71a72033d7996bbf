package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/steps"
)

// TestSummaryOverMatrix runs the whole scenario matrix, each case as a
// device of its own, into one folder of logs (half of the devices with a
// file each, the other half into one shared file, as RMM collections
// have both), then checks what "caafix audit summary" reports, as text
// and JSON, against what the matrix table and the policy rules say.
func TestSummaryOverMatrix(t *testing.T) {
	t.Parallel()
	rb, err := runbooks.Embedded("caa50021")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	logs := filepath.Join(root, "logs")
	want := expectedSummary{outcomes: map[string]int{}, fixedBy: map[string]int{}, blocked: map[string]int{}, escalations: map[string]string{}}
	var files []string
	for i, c := range matrixCases() {
		// The built-in scenarios share one hostname; the summary counts
		// devices by hostname, so each case gets its own.
		device := fmt.Sprintf("PC-M%02d", i+1)
		sc, file := deviceScenario(t, root, c.scenario, device)
		log := filepath.Join(logs, device+".jsonl")
		if i%2 == 1 {
			log = filepath.Join(logs, "shared.jsonl")
		}
		if !slices.Contains(files, log) {
			files = append(files, log)
		}
		args := append([]string{"run", "--simulate", file, "--state-dir", filepath.Join(root, "state", device), "--audit-log", log}, c.flags...)
		code, stdout, stderr := caafix(t, root, args...)
		if code != c.exit || stderr != "" {
			t.Fatalf("%s: exit %d, want %d\n%s%s", c.name, code, c.exit, stdout, stderr)
		}
		want.add(device, c, blocks(t, rb, sc, c.flags))
	}
	for _, f := range files {
		if code, out, errOut := caafix(t, root, "audit", "verify", f); code != 0 {
			t.Errorf("audit verify %s: exit %d\n%s%s", f, code, out, errOut)
		}
	}

	code, out, errOut := caafix(t, root, "audit", "summary", logs, "--output", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("audit summary --output json: exit %d\n%s", code, errOut)
	}
	var got struct {
		Files, Runs, Skipped int
		Devices              []struct{ Device, Outcome string }
		Outcomes             map[string]int
		FixedBy              map[string]int `json:"fixed_by"`
		Blocked              []struct {
			Rule, Step string
			Count      int
		}
		Escalations []struct{ Device, Outcome, Message string }
		Spike       struct {
			Detected bool
			Devices  int
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("summary JSON: %v\n%s", err, out)
	}
	cases := len(matrixCases())
	if got.Files != len(files) || got.Runs != cases || got.Skipped != 0 || len(got.Devices) != cases {
		t.Errorf("%d files, %d runs, %d skipped, %d devices; want %d, %d, 0, %d", got.Files, got.Runs, got.Skipped, len(got.Devices), len(files), cases, cases)
	}
	for _, d := range got.Devices {
		if d.Outcome != want.outcome[d.Device] {
			t.Errorf("device %s: outcome %s, want %s", d.Device, d.Outcome, want.outcome[d.Device])
		}
	}
	if !maps.Equal(got.Outcomes, want.outcomes) {
		t.Errorf("outcomes %v, want %v", got.Outcomes, want.outcomes)
	}
	if !maps.Equal(got.FixedBy, want.fixedBy) {
		t.Errorf("fixed by %v, want %v", got.FixedBy, want.fixedBy)
	}
	gotBlocked := map[string]int{}
	for _, b := range got.Blocked {
		gotBlocked[b.Rule+" "+b.Step] = b.Count
	}
	if !maps.Equal(gotBlocked, want.blocked) {
		t.Errorf("blocked %v, want %v", gotBlocked, want.blocked)
	}
	gotEsc := map[string]string{}
	for _, e := range got.Escalations {
		gotEsc[e.Device] = e.Outcome
		if e.Message == "" {
			t.Errorf("escalation of %s has no message", e.Device)
		}
	}
	if !maps.Equal(gotEsc, want.escalations) {
		t.Errorf("escalations %v, want %v", gotEsc, want.escalations)
	}
	// Every device but the healthy ones reported the symptom within the
	// minute the matrix took: a tenant-side spike at the default 10.
	symptomatic := cases - want.outcomes["healthy"]
	if got.Spike.Devices != symptomatic || got.Spike.Detected != (symptomatic >= 10) {
		t.Errorf("spike %+v, want %d devices", got.Spike, symptomatic)
	}

	code, text, errOut := caafix(t, root, "audit", "summary", logs)
	if code != 0 || errOut != "" {
		t.Fatalf("audit summary: exit %d\n%s", code, errOut)
	}
	rows := []string{fmt.Sprintf(`^audit summary: %d files, \d+ events, 0 skipped lines \(not caafix events\), %d runs, %d devices$`, len(files), cases, cases)}
	for o, n := range want.outcomes {
		rows = append(rows, fmt.Sprintf(`^%s +%d$`, regexp.QuoteMeta(o), n))
	}
	for s, n := range want.fixedBy {
		rows = append(rows, fmt.Sprintf(`^%s +%d$`, regexp.QuoteMeta(s), n))
	}
	for rs, n := range want.blocked {
		rule, step, _ := strings.Cut(rs, " ")
		rows = append(rows, fmt.Sprintf(`^%s +%s +%d$`, regexp.QuoteMeta(rule), regexp.QuoteMeta(step), n))
	}
	for d, o := range want.escalations {
		rows = append(rows, fmt.Sprintf(`^%s +%s +\S+ +CAA50021|^%s +%s +\S+ +\S`, d, o, d, o))
	}
	if symptomatic >= 10 {
		rows = append(rows, `likely tenant-side: escalate to the tenant administrator`)
	}
	for _, r := range rows {
		if !regexp.MustCompile(`(?m)` + r).MatchString(text) {
			t.Errorf("no line matches %s in:\n%s", r, text)
		}
	}
}

// expectedSummary is what the summary must say, built case by case.
type expectedSummary struct {
	outcome     map[string]string // device → outcome (latest run: each device runs once)
	outcomes    map[string]int
	fixedBy     map[string]int
	blocked     map[string]int    // "rule step" → decisions
	escalations map[string]string // device → outcome, for escalate and blocked
}

func (e *expectedSummary) add(device string, c matrixCase, blocks []string) {
	if e.outcome == nil {
		e.outcome = map[string]string{}
	}
	e.outcome[device] = c.outcome
	e.outcomes[c.outcome]++
	if c.outcome == "fixed" {
		e.fixedBy[c.fixedBy]++
	}
	if c.outcome == "escalate" || c.outcome == "blocked" {
		e.escalations[device] = c.outcome
	}
	for _, b := range blocks {
		e.blocked[b]++
	}
}

// blocks returns the "rule step" pairs that the built-in rules of
// docs/policy.md block for rb on the scenario's device under flags:
// dangerous steps on hybrid-joined, then managed devices, else without
// --allow-dangerous; disruptive steps without --allow-disruptive.
func blocks(t *testing.T, rb *runbooks.Runbook, sc *devicesim.Scenario, flags []string) []string {
	t.Helper()
	var out []string
	for _, st := range rb.Steps {
		s, ok := steps.Lookup(st.Uses)
		if !ok {
			t.Fatalf("step type %s not in the catalogue", st.Uses)
		}
		switch s.Meta().Risk {
		case steps.RiskDangerous:
			switch {
			case sc.Device.Join == devicesim.JoinHybrid:
				out = append(out, "hybrid-joined "+st.ID)
			case sc.Device.Managed:
				out = append(out, "managed-device "+st.ID)
			case !slices.Contains(flags, "--allow-dangerous"):
				out = append(out, "dangerous-needs-consent "+st.ID)
			}
		case steps.RiskDisruptive:
			if !slices.Contains(flags, "--allow-disruptive") {
				out = append(out, "disruptive-needs-consent "+st.ID)
			}
		}
	}
	return out
}

var hostnameLine = regexp.MustCompile(`(?m)^(\s*hostname:\s*).*$`)

// deviceScenario writes the built-in scenario name as a file whose device
// is called hostname, and returns it loaded and the file's path.
func deviceScenario(t *testing.T, dir, name, hostname string) (*devicesim.Scenario, string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "devicesim", "scenarios", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !hostnameLine.Match(src) {
		t.Fatalf("scenario %s names no hostname", name)
	}
	file := filepath.Join(dir, "scenarios", hostname+".yaml")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, hostnameLine.ReplaceAll(src, []byte("${1}"+hostname)), 0o600); err != nil {
		t.Fatal(err)
	}
	sc, err := devicesim.LoadScenario(file)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Device.Hostname != hostname {
		t.Fatalf("scenario %s: hostname %q, want %q", name, sc.Device.Hostname, hostname)
	}
	return sc, file
}
