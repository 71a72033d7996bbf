package executor_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/bhendo/go-powershell/backend"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/scripts"
)

// readOnly are the commands that only read the device: the facts, the
// symptom check and the pre- and post-checks send nothing else.
var readOnly = []string{
	scripts.Hostname, scripts.DsregStatus, scripts.DsregHelp, scripts.CmdkeyList, scripts.ClockOffset,
	scripts.TimeService, scripts.WhoamiUser, scripts.WhoamiGroups, scripts.InteractiveUser,
	scripts.Enrollments, scripts.OfficeC2R, scripts.AntiVirus, scripts.NetAdapters, scripts.LastBoot,
	scripts.AADEvents, evidenceProbe, brokerQuery,
}

// The evidence probes of diagnosis: read-only too.
const (
	evidenceProbe = scripts.SignInProbe
	brokerQuery   = scripts.BrokerPlugin
)

// change names a command that is not read-only, shortly: a credential
// delete by its whole command (the target matters), the others by what
// they do.
func change(cmd string) string {
	l := strings.ToLower(cmd)
	switch {
	case strings.HasPrefix(l, "cmdkey ") && strings.Contains(l, "/delete"):
		return cmd
	case strings.HasPrefix(l, "dsregcmd ") && strings.Contains(l, "/cleanupaccounts"):
		return "dsregcmd /cleanupaccounts"
	case strings.HasPrefix(l, "dsregcmd ") && strings.Contains(l, "/leave"):
		return "dsregcmd /leave"
	case strings.HasPrefix(l, "w32tm ") && strings.Contains(l, "/resync"):
		return "w32tm /resync"
	case strings.HasPrefix(l, "shutdown ") && strings.Contains(l, " /r "):
		return "shutdown /r"
	case strings.HasPrefix(l, "start-service"):
		return "Start-Service w32time"
	case strings.Contains(l, "officeclicktorun"):
		return "OfficeClickToRun repair"
	}
	return "other: " + cmd
}

// changes lists the commands among cmds that are not read-only, named by
// [change].
func changes(cmds []string) []string {
	out := []string{}
	for _, c := range cmds {
		if !slices.Contains(readOnly, c) && !isUserTaskCommand(c) {
			out = append(out, change(c))
		}
	}
	return out
}

// isUserTaskCommand reports whether a command is one of the bridge's own
// (prepare, start, poll, read, clean up a one-shot task in the user's
// session): the commands the task runs are counted where they run.
func isUserTaskCommand(c string) bool {
	return strings.Contains(c, `'caafix\session`) || strings.HasPrefix(c, "Get-ScheduledTask ")
}

// newDevice creates the simulated device of a built-in scenario in a
// fresh state directory.
func newDevice(t *testing.T, scenario string) string {
	t.Helper()
	dir := t.TempDir()
	sc, err := devicesim.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if err := devicesim.Init(dir, sc); err != nil {
		t.Fatal(err)
	}
	return dir
}

// watchStarter starts the in-process device and sees every line the host
// sends it. At each step command it takes a snapshot of the audit log, so
// a test can check that the command's audit line was written first; when
// kill says so, it kills the device instead of delivering the command.
type watchStarter struct {
	inner     backend.Starter
	auditPath string
	kill      func(n int, cmd string) bool // n counts step commands from 1

	mu        sync.Mutex
	n         int
	snapshots [][]string // the step.command commands in the log when command i+1 was sent
	killed    string     // the command that was never delivered
	offset    int64      // how much of the audit log was read
	seen      []string   // the step.command commands read so far
}

var _ backend.Starter = (*watchStarter)(nil)

func (s *watchStarter) StartProcess(cmd string, args ...string) (backend.Waiter, io.Writer, io.Reader, io.Reader, error) {
	w, stdin, stdout, stderr, err := s.inner.StartProcess(cmd, args...)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	p, ok := w.(*devicesim.InProcess)
	if !ok {
		return nil, nil, nil, nil, errors.New("watchStarter needs the in-process device")
	}
	return w, &watchWriter{s: s, w: stdin, p: p}, stdout, stderr, nil
}

type watchWriter struct {
	s *watchStarter
	w io.Writer
	p *devicesim.InProcess
}

// Close closes the device's stdin, as go-powershell does at exit.
func (w *watchWriter) Close() error {
	if c, ok := w.w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// inner finds the command in the host's envelope.
var inner = regexp.MustCompile(`try \{ (.*); \$caafixOK = \$\? \} catch`)

var errKilledByTest = errors.New("device killed by the test")

func (w *watchWriter) Write(p []byte) (int, error) {
	m := inner.FindSubmatch(p)
	if m != nil && string(m[1]) != "chcp" {
		cmd := string(m[1])
		w.s.mu.Lock()
		w.s.n++
		n := w.s.n
		w.s.snapshots = append(w.s.snapshots, w.s.auditCommands())
		kill := w.s.kill != nil && w.s.kill(n, cmd)
		if kill {
			w.s.killed = cmd
		}
		w.s.mu.Unlock()
		if kill {
			_ = w.p.Kill()
			return 0, errKilledByTest
		}
	}
	return w.w.Write(p)
}

// auditCommands returns the command of every step.command line in the
// audit log as it is at this moment. It reads only what was appended since
// its last call; the caller holds s.mu.
func (s *watchStarter) auditCommands() []string {
	f, err := os.Open(s.auditPath)
	if err != nil {
		return slices.Clone(s.seen)
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, s.offset, 1<<40))
	if err != nil {
		return slices.Clone(s.seen)
	}
	// Only complete lines: the trail writes each line in one call, but a
	// reader must not count on seeing all of it.
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil
	}
	s.offset += int64(len(b))
	for _, e := range parseLines(b) {
		if e.Event == "step.command" {
			s.seen = append(s.seen, e.Command)
		}
	}
	return slices.Clone(s.seen)
}

// line is one audit line, the fields these tests read.
type line struct {
	Event    string `json:"event"`
	RunID    string `json:"run_id"`
	Seq      int64  `json:"seq"`
	Step     string `json:"step"`
	Decision string `json:"decision"`
	Rule     string `json:"rule"`
	Command  string `json:"command"`
	Outcome  string `json:"outcome"`
	ExitCode *int   `json:"exit_code"`
	FixedBy  string `json:"fixed_by"`
}

func parseLines(b []byte) []line {
	var out []line
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var l line
		if json.Unmarshal(sc.Bytes(), &l) == nil {
			out = append(out, l)
		}
	}
	return out
}

// result is one finished run on the simulated device.
type result struct {
	rep  *executor.Report
	err  error
	sent []string // the commands the device received in this run, without the host's chcp and exit
	// device is what ran on the device, in order: the commands sent and
	// the commands one-shot tasks ran in the user's session (without the
	// task's own runner script and its exit line).
	device   []string
	audit    []line
	starter  *watchStarter
	rb       *runbooks.Runbook
	rawAudit []byte
}

// shipped is the embedded caa50021 runbook with its steps run in order:
// listed tests the executor's mechanics step by step, evidence is how it
// ships.
func shipped(t *testing.T, order string) *runbooks.Runbook {
	t.Helper()
	rb, err := runbooks.Embedded("caa50021")
	if err != nil {
		t.Fatal(err)
	}
	rb.Order = order
	return rb
}

// runOn runs a runbook (by default the embedded caa50021 in its listed
// order, see [shipped]) on the device in
// dir with o's Mode, Consent and Runbook; kill, when set, kills the device
// in place of one command. The audit log is a file of its own.
func runOn(t *testing.T, dir string, o executor.Options, kill func(int, string) bool) result {
	t.Helper()
	if o.Runbook == nil {
		o.Runbook = shipped(t, runbooks.OrderListed)
	}
	before, err := devicesim.Commands(dir)
	if err != nil {
		t.Fatal(err)
	}
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	trail, err := audit.Open(auditPath, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sim := devicesim.NewInProcessStarter(dir)
	sim.Now = o.Now
	ws := &watchStarter{inner: sim, auditPath: auditPath, kill: kill}
	o.Starter, o.Trail, o.StateDir = ws, trail, dir
	rep, runErr := executor.Run(context.Background(), o)
	if err := trail.Close(); err != nil {
		t.Errorf("close the audit log: %v", err)
	}
	after, err := devicesim.Commands(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := result{rep: rep, err: runErr, starter: ws, rb: o.Runbook}
	for _, c := range after[len(before):] {
		switch {
		case c.RunAs != "":
			if !strings.HasPrefix(c.Command, "$d = $PSScriptRoot;") && c.Command != "exit $LASTEXITCODE" {
				r.device = append(r.device, c.Command)
			}
		case c.Command != "chcp" && c.Command != "exit":
			r.sent = append(r.sent, c.Command)
			r.device = append(r.device, c.Command)
		}
	}
	r.rawAudit, err = os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	r.audit = parseLines(r.rawAudit)
	return r
}

// checkAudit checks a run's audit log: see [checkTrail], and the
// commands. The step.command lines name exactly the commands the device
// received, in order (when the test killed the device, the last line names
// the command it never received), and each was written before its
// command reached the device: when the device was sent its i-th command,
// the log held exactly i step.command lines, the last one for that command.
func checkAudit(t *testing.T, r result) {
	t.Helper()
	checkTrail(t, r)
	cmds := r.auditCommands()
	r.starter.mu.Lock()
	defer r.starter.mu.Unlock()
	delivered := cmds
	if r.starter.killed != "" {
		if len(cmds) == 0 || cmds[len(cmds)-1] != r.starter.killed {
			t.Fatalf("the device was killed instead of receiving %q, but the audit's last step.command is not that command: %q", r.starter.killed, cmds)
		}
		delivered = cmds[:len(cmds)-1]
	}
	if !slices.Equal(delivered, r.sent) {
		t.Errorf("the audit's step.command lines differ from what the device received:\naudit  %q\ndevice %q", delivered, r.sent)
	}
	if len(r.starter.snapshots) != len(cmds) {
		t.Fatalf("the host wrote %d step commands, the audit log has %d step.command lines", len(r.starter.snapshots), len(cmds))
	}
	for i, snap := range r.starter.snapshots {
		if !slices.Equal(snap, cmds[:i+1]) {
			t.Errorf("command %d %q was sent when the audit log held %d step.command lines (%q), want its own line last", i+1, cmds[i], len(snap), snap)
		}
	}
}

// checkTrail checks what every run's audit log must hold, host error or
// not: an intact chain, run.start first, the facts, one policy decision
// per step in runbook order, and run.end last with the run's outcome.
func checkTrail(t *testing.T, r result) {
	t.Helper()
	rep, err := audit.Verify(bytes.NewReader(r.rawAudit), "audit.jsonl")
	if err != nil {
		t.Fatalf("audit.Verify: %v", err)
	}
	if rep.Head != r.rep.AuditHead {
		t.Errorf("the log ends at %s, the report says %s", rep.Head, r.rep.AuditHead)
	}
	if len(r.audit) < 2 {
		t.Fatalf("the audit log has %d lines", len(r.audit))
	}
	if first := r.audit[0]; first.Event != "run.start" || first.RunID != r.rep.RunID {
		t.Errorf("first line is %s of run %s, want run.start of run %s", first.Event, first.RunID, r.rep.RunID)
	}
	last := r.audit[len(r.audit)-1]
	if last.Event != "run.end" {
		t.Fatalf("last line is %s, want run.end", last.Event)
	}
	if last.Outcome != r.rep.Outcome.String() {
		t.Errorf("run.end outcome = %q, want %q", last.Outcome, r.rep.Outcome)
	}
	if last.ExitCode == nil || *last.ExitCode != r.rep.Outcome.ExitCode() {
		t.Errorf("run.end exit_code = %v, want %d", last.ExitCode, r.rep.Outcome.ExitCode())
	}
	if last.FixedBy != r.rep.FixedBy {
		t.Errorf("run.end fixed_by = %q, want %q", last.FixedBy, r.rep.FixedBy)
	}
	counts := map[string]int{}
	var decided []string
	for _, l := range r.audit {
		counts[l.Event]++
		if l.RunID != r.rep.RunID {
			t.Errorf("line %d (%s) belongs to run %q, want %q", l.Seq, l.Event, l.RunID, r.rep.RunID)
		}
		if l.Event == "policy.decision" {
			decided = append(decided, l.Step)
			if !slices.Contains([]string{"allow", "block", "skip"}, l.Decision) || l.Rule == "" {
				t.Errorf("policy.decision for %s: decision %q rule %q", l.Step, l.Decision, l.Rule)
			}
		}
	}
	if counts["run.start"] != 1 || counts["run.end"] != 1 {
		t.Errorf("%d run.start and %d run.end lines, want one each", counts["run.start"], counts["run.end"])
	}
	if r.rep.Facts != nil {
		checkFacts(t, r.rawAudit)
	}
	if r.rep.Facts != nil {
		// One per step, in the order the run took them (the report's).
		var ids, listed []string
		for _, s := range r.rep.Steps {
			ids = append(ids, s.ID)
		}
		for _, s := range r.rb.Steps {
			listed = append(listed, s.ID)
		}
		if !slices.Equal(decided, ids) || !sameSet(ids, listed) {
			t.Errorf("policy.decision lines for %q, want one per step in the run's order %q of %q", decided, ids, listed)
		}
	}
}

// auditCommands lists the commands of the run's step.command lines.
func (r result) auditCommands() []string {
	var out []string
	for _, l := range r.audit {
		if l.Event == "step.command" {
			out = append(out, l.Command)
		}
	}
	return out
}

// checkSummary checks the line RMM tools keep.
func checkSummary(t *testing.T, rep *executor.Report) {
	t.Helper()
	s := rep.Summary()
	if strings.ContainsAny(s, "\r\n") {
		t.Errorf("summary is not one line: %q", s)
	}
	if n := utf8.RuneCountInString(s); n > executor.MaxSummary {
		t.Errorf("summary has %d characters, more than %d", n, executor.MaxSummary)
	}
	if !utf8.ValidString(s) {
		t.Errorf("summary is not valid UTF-8: %q", s)
	}
	if !strings.Contains(s, rep.Outcome.String()) {
		t.Errorf("summary %q does not name the outcome %s", s, rep.Outcome)
	}
	if rep.Outcome == outcome.Fixed && !strings.Contains(s, "fixed by step "+rep.FixedBy) {
		t.Errorf("summary %q does not name the step that fixed it (%s)", s, rep.FixedBy)
	}
}

// decision returns the report's line for step id.
func decision(t *testing.T, rep *executor.Report, id string) executor.StepReport {
	t.Helper()
	for _, s := range rep.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no step %s in the report", id)
	return executor.StepReport{}
}

// Consents used by the tests.
var (
	noConsent    = policy.Consent{}
	disruptive   = policy.Consent{AllowDisruptive: true}
	dangerous    = policy.Consent{AllowDangerous: true}
	fullConsent  = policy.Consent{AllowDisruptive: true, AllowDangerous: true}
	selfHealFull = policy.Consent{AllowDisruptive: true, AllowDangerous: true, SelfHeal: true}
)

func builtinScenarios(t *testing.T) []string {
	t.Helper()
	names := devicesim.BuiltinNames()
	if len(names) == 0 {
		t.Fatal("no built-in scenarios")
	}
	return names
}

// checkFacts checks that the log has one facts line with what the policy
// gate decides on.
func checkFacts(t *testing.T, raw []byte) {
	t.Helper()
	var facts []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["event"] == "facts" {
			facts = append(facts, m)
		}
	}
	if len(facts) != 1 {
		t.Fatalf("%d facts lines, want 1", len(facts))
	}
	for _, k := range []string{"join", "managed", "elevated", "context", "user", "prt", "clock_skew_s"} {
		if _, ok := facts[0][k]; !ok {
			t.Errorf("the facts line has no %s", k)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
