package executor_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
)

var healPolicy = executor.SelfHealPolicy{MaxFailures: 3, Backoff: time.Hour, MaxBackoff: 24 * time.Hour, RecheckAfter: 24 * time.Hour}

// later is a clock that runs offset ahead of the real one. It must run:
// a step's post-check looks at what the device logged after the action
// started. The simulated device logs at the real time, so a run far ahead
// sees those events as old, as a run a day later would.
func later(offset time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(offset) }
}

// healRun runs a self-healing run on dir, offset ahead of now.
func healRun(t *testing.T, dir string, offset time.Duration) result {
	t.Helper()
	p := healPolicy
	r := runOn(t, dir, executor.Options{Consent: policy.Consent{SelfHeal: true}, SelfHeal: &p, Now: later(offset),
		EscalationDir: filepath.Join(dir, "escalations")}, nil)
	if r.err != nil {
		t.Fatalf("run at +%s: %v", offset, r.err)
	}
	checkTrail(t, r)
	return r
}

func events(r result, name string) int {
	n := 0
	for _, l := range r.audit {
		if l.Event == name {
			n++
		}
	}
	return n
}

func healRecord(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "self-heal.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Failed self-healing runs back off exponentially; a run inside the
// backoff sends nothing; the third failure in a row escalates with the
// evidence; a fix by any run resets the count.
func TestSelfHealBacksOffAndEscalates(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "transient") // self-healing cannot restart: every run is blocked
	r := healRun(t, dir, 0)
	if r.rep.Outcome != outcome.Blocked {
		t.Fatalf("first run: %s, want blocked", r.rep.Outcome)
	}
	first := r.rep.RunID

	r = healRun(t, dir, 30*time.Minute)
	if r.rep.Outcome != outcome.NotFixed || len(r.sent) != 0 || events(r, "self_heal.backoff") != 1 {
		t.Fatalf("inside the 1h backoff: %s, sent %q, want not-fixed with nothing sent", r.rep.Outcome, r.sent)
	}
	if !strings.Contains(r.rep.Summary(), "backing off after 1 failed run(s)") || !strings.Contains(r.rep.Summary(), first) {
		t.Errorf("backoff summary: %s", r.rep.Summary())
	}

	r = healRun(t, dir, 61*time.Minute)
	if r.rep.Outcome != outcome.Blocked {
		t.Fatalf("after the backoff: %s, want another attempt", r.rep.Outcome)
	}
	// The second failure waits two hours.
	r = healRun(t, dir, 61*time.Minute+119*time.Minute)
	if r.rep.Outcome != outcome.NotFixed || len(r.sent) != 0 {
		t.Fatalf("inside the 2h backoff: %s, sent %d commands", r.rep.Outcome, len(r.sent))
	}
	r = healRun(t, dir, 61*time.Minute+121*time.Minute)
	if r.rep.Outcome != outcome.Escalate || events(r, "self_heal.escalate") != 1 {
		t.Fatalf("third failure: %s, want escalate", r.rep.Outcome)
	}
	s := r.rep.Summary()
	if !strings.Contains(s, "needs IT: 3 self-healing run(s) failed in a row; evidence: ") || !strings.Contains(s, first) || strings.Count(s, " blocked (") != 3 {
		t.Errorf("escalation summary lacks the evidence: %s", s)
	}
	if got := healRecord(t, dir)["failures"]; got != 3.0 {
		t.Errorf("failures = %v", got)
	}
	bundle := r.rep.Bundle
	if _, err := os.Stat(filepath.Join(bundle, "ESCALATION.md")); bundle == "" || err != nil {
		t.Errorf("the escalating run left no bundle (%q): %v", bundle, err)
	}
	// Still inside the (4h) backoff: escalate at once, sending nothing,
	// and name the escalating run's bundle.
	r = healRun(t, dir, 4*time.Hour)
	if r.rep.Outcome != outcome.Escalate || len(r.sent) != 0 {
		t.Fatalf("backoff after escalation: %s, sent %d", r.rep.Outcome, len(r.sent))
	}
	if r.rep.Bundle != bundle || !strings.Contains(r.rep.Summary(), ", bundle "+bundle) {
		t.Errorf("the backoff escalation names bundle %q, want %q: %s", r.rep.Bundle, bundle, r.rep.Summary())
	}

	// A technician restarts the device; the run after the boot verifies
	// the fix, and self-healing starts afresh.
	tech := healPolicy
	at := 4*time.Hour + time.Minute
	r = runOn(t, dir, executor.Options{Consent: fullConsent, SelfHeal: &tech, Now: later(at)}, nil)
	if r.rep.Outcome != outcome.RebootPending {
		t.Fatalf("technician: %s", r.rep.Outcome)
	}
	r = runOn(t, dir, executor.Options{Consent: fullConsent, SelfHeal: &tech, Now: later(at + 10*time.Minute)}, nil)
	if r.rep.Outcome != outcome.Fixed {
		t.Fatalf("after the boot: %s", r.rep.Outcome)
	}
	rec := healRecord(t, dir)
	if rec["failures"] != 0.0 || rec["next_attempt"] != nil || rec["fix"] == nil || rec["bundle"] != nil {
		t.Errorf("after the fix the record is %v", rec)
	}
	r = healRun(t, dir, at+20*time.Minute)
	if r.rep.Outcome != outcome.Healthy || events(r, "self_heal.backoff") != 0 {
		t.Errorf("self-heal after the fix: %s", r.rep.Outcome)
	}
}

// rebreak gives the simulated device its scenario's faults back, as
// security software undoing a fix would.
func rebreak(t *testing.T, dir, scenario string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, "devicesim", "device.json")); err != nil {
		t.Fatal(err)
	}
	sc, err := devicesim.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if err := devicesim.Init(dir, sc); err != nil {
		t.Fatal(err)
	}
}

// The symptom coming back within a day of a verified fix is a recurrence:
// audited, and counted toward escalation even when the run fixes the
// device again. A re-check a day after a fix that finds it healthy clears
// the count.
func TestRecurrencesEscalate(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "wam-cache")
	r := healRun(t, dir, 0)
	if r.rep.Outcome != outcome.Fixed {
		t.Fatalf("first run: %s, want fixed", r.rep.Outcome)
	}
	for i := 1; i <= 3; i++ {
		rebreak(t, dir, "wam-cache")
		r = healRun(t, dir, time.Duration(i)*time.Hour)
		if events(r, "recurrence") != 1 {
			t.Fatalf("recurrence %d not audited", i)
		}
		want := outcome.Fixed
		if i == 3 {
			want = outcome.Escalate
		}
		if r.rep.Outcome != want || r.rep.FixedBy == "" {
			t.Fatalf("recurrence %d: %s (fixed by %q), want %s", i, r.rep.Outcome, r.rep.FixedBy, want)
		}
	}
	s := r.rep.Summary()
	if !strings.Contains(s, "needs IT: fixed again by step wam-cache, but CAA50021 came back 3 time(s) within 24h of a fix") || strings.Count(s, " recurrence (CAA50021 is back ") != 3 {
		t.Errorf("escalation summary: %s", s)
	}
	// A day later the last fix still holds: the re-check clears the count.
	r = healRun(t, dir, 3*time.Hour+25*time.Hour)
	if r.rep.Outcome != outcome.Healthy || events(r, "recheck") != 1 {
		t.Fatalf("re-check: %s, %d recheck events", r.rep.Outcome, events(r, "recheck"))
	}
	if rec := healRecord(t, dir); rec["recurrences"] != 0.0 || rec["fix"] != nil {
		t.Errorf("after the re-check the record is %v", rec)
	}
}

// Inside a maintenance window a self-healing run may restart the device.
func TestSelfHealRestartsInsideAWindow(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "transient")
	p := healPolicy
	r := runOn(t, dir, executor.Options{Consent: policy.Consent{SelfHeal: true, Window: "sat,sun 02:00 for 4h"}, SelfHeal: &p}, nil)
	if r.rep.Outcome != outcome.RebootPending {
		t.Fatalf("%s, want reboot-pending", r.rep.Outcome)
	}
	checkAudit(t, r)
	if !strings.Contains(string(r.rawAudit), `"step":"restart","uses":"restart.schedule","decision":"allow","rule":"default","reason":"allowed by the maintenance window sat,sun 02:00 for 4h"`) {
		t.Error("the restart's policy.decision does not name the window")
	}
	if d := decision(t, r.rep, "leave-entra"); d.Decision != policy.Block {
		t.Errorf("leave-entra inside a window: %s", d.Decision)
	}
}

// A damaged record is reported and replaced; the run goes on.
func TestADamagedSelfHealRecordIsReplaced(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "wam-cache")
	if err := os.WriteFile(filepath.Join(dir, "self-heal.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := healRun(t, dir, 0)
	if r.rep.Outcome != outcome.Fixed || events(r, "self_heal.reset") != 1 {
		t.Fatalf("%s, %d reset events", r.rep.Outcome, events(r, "self_heal.reset"))
	}
	if rec := healRecord(t, dir); rec["fix"] == nil {
		t.Errorf("the new record is %v", rec)
	}
}

// A self-healing run that fails with a host error keeps that error as the
// failure's detail: the backoff and the escalation show it as evidence.
func TestSelfHealRecordsTheHostError(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "wam-cache")
	p := healPolicy
	r := runOn(t, dir, executor.Options{Consent: policy.Consent{SelfHeal: true}, SelfHeal: &p}, killAt(4))
	if r.rep.Outcome != outcome.HostError {
		t.Fatalf("outcome %s, want host-error", r.rep.Outcome)
	}
	history, _ := healRecord(t, dir)["history"].([]any)
	if len(history) != 1 {
		t.Fatalf("history %v, want one failure", history)
	}
	detail, _ := history[0].(map[string]any)["detail"].(string)
	if !strings.Contains(detail, "powershell host") {
		t.Errorf("the failure's detail is %q, want the host error", detail)
	}
}
