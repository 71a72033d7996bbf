package audit

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// fleetRun is one run of a generated fleet log.
type fleetRun struct {
	device  string // "" for a run that ends before its facts
	id      string
	at      time.Time // when the run starts
	symptom bool      // the facts report CAA50021
	outcome string
	fixedBy string
	message string
	blocks  [][2]string // rule, step
	output  int         // bytes of stdout per gathered command (0: 200)
	mode    string      // run.start's mode ("": run)
	cmds    int         // facts commands (0: 3)
}

// stepClock is a clock that the fleet writer sets at each run's start;
// every call moves it on by one millisecond.
type stepClock struct{ t time.Time }

func (c *stepClock) now() time.Time {
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

var t0 = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

// writeRun writes the lines of r as the executor would: run.start, facts
// commands, facts, one policy.decision per step, steps, run.end.
func writeRun(tb testing.TB, tr *Trail, c *stepClock, r fleetRun) {
	tb.Helper()
	c.t = r.at
	w := func(e Event) {
		if err := tr.Write(e); err != nil {
			tb.Fatalf("write %s: %v", e.Name, err)
		}
	}
	tr.SetRun(Run{ID: r.id, Runbook: "caa50021", Version: 1, SHA256: strings.Repeat("ab", 32), Signer: "embedded"})
	mode := r.mode
	if mode == "" {
		mode = "run"
	}
	w(Event{Name: "run.start", Fields: map[string]any{"mode": mode, "caafix_version": "1.0.0", "args": []string{mode}, "steps": 7}})
	out := r.output
	if out == 0 {
		out = 200
	}
	cmds := r.cmds
	if cmds == 0 {
		cmds = 3
	}
	for i := range cmds {
		cmd := fmt.Sprintf("dsregcmd /status | Select-String -Pattern 'AzureAdPrt|DeviceAuthStatus' # %d", i)
		w(Event{Name: "step.command", Command: cmd, Fields: map[string]any{"phase": "facts"}})
		w(Event{Name: "step.output", ExitCode: ptr(0), DurationMs: ptr[int64](42), Fields: map[string]any{
			"phase": "facts", "ok": true, "stdout": strings.Repeat("AzureAdPrt : YES\r\n", out/18+1)[:out], "stderr": ""}})
	}
	if r.device == "" {
		w(Event{Name: "run.end", Outcome: "host-error", ExitCode: ptr(7), DurationMs: ptr[int64](5), Fields: map[string]any{"error": "powershell did not start"}})
		return
	}
	tr.SetRun(Run{ID: r.id, Runbook: "caa50021", Version: 1, SHA256: strings.Repeat("ab", 32), Signer: "embedded", Device: r.device})
	symptom := map[string]any{"present": r.symptom, "events": 0, "prt": "yes", "reasons": []string{"no CAA50021 event"}}
	if r.symptom {
		symptom = map[string]any{"present": true, "events": 3, "first": r.at.Format(time.RFC3339), "last": r.at.Format(time.RFC3339), "prt": "no", "reasons": []string{"CAA50021 3 times", `"quoted" \ reason`}}
	}
	w(Event{Name: "facts", Fields: map[string]any{
		"join": "cloud", "managed": false, "elevated": true, "context": "user", "user": "alex@contoso.com", "prt": "no",
		"clock_skew_s": 0.5, "credentials": []string{"MicrosoftOffice16_Data:SSPI:alex@contoso.com"},
		"office": map[string]any{"installed": true, "platform": "x64", "culture": "en-us"}, "hostname": r.device,
		"problems": []string{}, "symptom": symptom,
	}})
	w(Event{Name: "policy.decision", Step: "wam-cache", Uses: "dsregcmd.cleanupaccounts", Decision: "allow", Rule: "default", Reason: "allowed", Fields: map[string]any{"risk": "safe", "context": "user"}})
	for _, b := range r.blocks {
		w(Event{Name: "policy.decision", Step: b[1], Uses: "dsregcmd.leave", Decision: "block", Rule: b[0], Reason: "dangerous: needs consent", Fields: map[string]any{"risk": "dangerous", "context": "system"}})
	}
	if r.symptom {
		w(Event{Name: "step.start", Step: "wam-cache", Uses: "dsregcmd.cleanupaccounts", Fields: map[string]any{"risk": "safe", "context": "user"}})
		w(Event{Name: "step.command", Step: "wam-cache", Uses: "dsregcmd.cleanupaccounts", Command: "dsregcmd /cleanupaccounts", Fields: map[string]any{"phase": "action"}})
		w(Event{Name: "step.output", Step: "wam-cache", Uses: "dsregcmd.cleanupaccounts", ExitCode: ptr(0), DurationMs: ptr[int64](300), Fields: map[string]any{"phase": "action", "ok": true, "stdout": "", "stderr": ""}})
		w(Event{Name: "step.end", Step: "wam-cache", Uses: "dsregcmd.cleanupaccounts", Reason: "cache cleared", DurationMs: ptr[int64](310), Fields: map[string]any{"result": "fixed"}})
	}
	for _, b := range r.blocks {
		w(Event{Name: "step.end", Step: b[1], Uses: "dsregcmd.leave", Rule: b[0], Reason: "dangerous: needs consent", Fields: map[string]any{"result": "blocked"}})
	}
	code := map[string]int{"healthy": 0, "fixed": 0, "escalate": 4, "blocked": 4, "not-fixed": 1}[r.outcome]
	w(Event{Name: "run.end", Outcome: r.outcome, ExitCode: &code, DurationMs: ptr[int64](900), Fields: map[string]any{
		"fixed_by": r.fixedBy, "message": r.message, "error": ""}})
}
