package executor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/outcome"
)

// SelfHealPolicy is what the configuration's self_heal section says about
// failed runs and fixes that do not last. The executor keeps its record in
// self-heal.json in the state dir; see docs/rmm.md for the behaviour.
type SelfHealPolicy struct {
	MaxFailures  int           // failures and recurrences that make a self-healing run escalate
	Backoff      time.Duration // the wait after the first failure, doubled per failure
	MaxBackoff   time.Duration // the longest wait
	RecheckAfter time.Duration // how long after a fix the symptom's return is a recurrence
}

// selfHealFile is the self-healing record in the state dir.
const selfHealFile = "self-heal.json"

// maxHistory is how many failed runs and recurrences the record keeps as
// evidence for an escalation.
const maxHistory = 10

type healState struct {
	// Failures counts failed self-healing runs in a row; a healthy or
	// fixed run of any kind resets it.
	Failures int `json:"failures"`
	// Recurrences counts fixes the symptom came back after within
	// RecheckAfter, since the last re-check that found the device healthy.
	Recurrences int `json:"recurrences"`
	// NextAttempt is the end of the backoff: self-healing runs before it
	// end at once.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// Fix is the last verified fix, until it is re-checked.
	Fix *healFix `json:"fix,omitempty"`
	// History is the evidence: failed runs and recurrences, newest last.
	History []healEvent `json:"history,omitempty"`
	// Bundle is the escalation bundle of the last self-healing run that
	// wrote one: the runs that back off after an escalation name it.
	Bundle string `json:"bundle,omitempty"`
}

type healFix struct {
	Time  time.Time `json:"time"`
	RunID string    `json:"run_id"`
	Step  string    `json:"step"`
}

type healEvent struct {
	Time    time.Time `json:"time"`
	RunID   string    `json:"run_id"`
	Outcome string    `json:"outcome"` // the run's outcome, or "recurrence"
	Detail  string    `json:"detail"`
}

func (e healEvent) String() string {
	return fmt.Sprintf("%s run %s %s (%s)", e.Time.UTC().Format(time.RFC3339), e.RunID, e.Outcome, e.Detail)
}

// readHealState returns the record; none yet is a fresh one. A damaged
// record is an error: the caller reports it and starts afresh rather than
// guess a backoff.
func readHealState(dir string) (healState, error) {
	var s healState
	b, ok, err := readRecord(dir, selfHealFile, 0)
	if err != nil {
		return s, fmt.Errorf("read %s: %w", filepath.Join(dir, selfHealFile), err)
	}
	if !ok {
		return s, nil
	}
	if err := json.Unmarshal(b, &s); err != nil || s.Failures < 0 || s.Recurrences < 0 {
		return healState{}, fmt.Errorf("%s is damaged; it was replaced with a fresh record", filepath.Join(dir, selfHealFile))
	}
	return s, nil
}

func writeHealState(dir string, s healState) error { return writeRecord(dir, selfHealFile, s) }

// strikes are what counts toward escalation.
func (s healState) strikes() int { return s.Failures + s.Recurrences }

// backoffAfter returns the wait after the n-th failure in a row:
// Backoff, doubled for each failure before it, at most MaxBackoff.
func (p SelfHealPolicy) backoffAfter(n int) time.Duration {
	d := p.Backoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

func (s *healState) remember(e healEvent) {
	s.History = append(s.History, e)
	if len(s.History) > maxHistory {
		s.History = s.History[len(s.History)-maxHistory:]
	}
}

// evidence lists the newest n history entries.
func (s healState) evidence(n int) string {
	h := s.History
	if len(h) > n {
		h = h[len(h)-n:]
	}
	parts := make([]string, len(h))
	for i, e := range h {
		parts[i] = e.String()
	}
	return strings.Join(parts, "; ")
}

// selfHealing reports whether this run keeps the self-healing record:
// runs that act on the device do; a self-healing run also obeys it.
func (x *run) selfHealing() bool {
	return x.o.SelfHeal != nil && x.o.Mode == ModeRun
}

// loadHeal reads the record at the start of the run.
func (x *run) loadHeal() error {
	s, err := readHealState(x.o.StateDir)
	if err != nil {
		x.progress("backoff %s", err)
		if werr := x.write(audit.Event{Name: "self_heal.reset", Reason: err.Error()}); werr != nil {
			return werr
		}
	}
	x.heal = s
	return nil
}

// backoffGate ends a self-healing run at once while the backoff after
// failed runs lasts: nothing is sent to the device. The outcome is
// not-fixed (the last run did not fix the device), or escalate once the
// failures reached the limit.
func (x *run) backoffGate() (outcome.Kind, bool, error) {
	s, now := x.heal, x.o.Now()
	if !x.o.Consent.SelfHeal || x.journal != nil || !now.Before(s.NextAttempt) {
		return 0, false, nil
	}
	kind := outcome.NotFixed
	if s.strikes() >= x.o.SelfHeal.MaxFailures {
		kind = outcome.Escalate
	}
	x.rep.Message = fmt.Sprintf("self-heal is backing off after %d failed run(s) in a row; nothing was sent to the device; the next attempt is after %s; last: %s",
		s.Failures, s.NextAttempt.UTC().Format(time.RFC3339), s.evidence(1))
	fields := map[string]any{"failures": s.Failures, "recurrences": s.Recurrences, "next_attempt": s.NextAttempt.UTC()}
	if kind == outcome.Escalate {
		x.rep.Message = "needs IT: " + x.rep.Message
		// Nothing is gathered while backing off: the case is the bundle
		// of the run that escalated.
		if _, err := os.Stat(s.Bundle); s.Bundle != "" && err == nil {
			x.rep.Bundle, fields["bundle"] = s.Bundle, s.Bundle
		} else {
			x.rep.BundleError = "no bundle of the escalating run is on this device (it was not written, or was removed); run caafix collect --out DIR for one"
		}
	}
	x.progress("backoff %s", x.rep.Message)
	if err := x.write(audit.Event{Name: "self_heal.backoff", Reason: x.rep.Message, Fields: fields}); err != nil {
		return outcome.HostError, true, err
	}
	x.healDone = true // the record stays as it is
	return kind, true, nil
}

// recheck compares the symptom with the last verified fix: back within
// RecheckAfter, it is a recurrence (audited, and counted toward
// escalation); gone at the first run after RecheckAfter, the fix held.
func (x *run) recheck(sym device.Symptom) error {
	f := x.heal.Fix
	if f == nil {
		return nil
	}
	now := x.o.Now()
	since := now.Sub(f.Time)
	fields := map[string]any{"fixed_at": f.Time.UTC(), "fixed_by": f.Step, "fixed_run": f.RunID, "hours_since_fix": int(since.Hours())}
	switch {
	case sym.Present && since <= x.o.SelfHeal.RecheckAfter:
		x.heal.Fix = nil
		x.heal.Recurrences++
		detail := fmt.Sprintf("CAA50021 is back %s after step %s fixed it in run %s", since.Round(time.Minute), f.Step, f.RunID)
		x.heal.remember(healEvent{Time: now, RunID: x.rep.RunID, Outcome: "recurrence", Detail: detail})
		fields["recurrences"] = x.heal.Recurrences
		x.progress("recheck %s (recurrence %d)", detail, x.heal.Recurrences)
		return x.write(audit.Event{Name: "recurrence", Reason: detail + "; security software or a policy may be undoing the fix", Fields: fields})
	case sym.Present:
		// Long after the fix: a new occurrence, not the fix failing.
		x.heal.Fix = nil
	case since >= x.o.SelfHeal.RecheckAfter:
		x.heal.Fix = nil
		x.heal.Recurrences = 0
		x.progress("recheck the fix by step %s (run %s) still holds after %s", f.Step, f.RunID, since.Round(time.Minute))
		return x.write(audit.Event{Name: "recheck", Reason: "the fix still holds", Fields: fields})
	}
	return nil
}

// settle runs [run.settleHeal] once, merging its error into the run's:
// inside the run before the escalation bundle, or at its end for a run
// that ended before its host started.
func (x *run) settle(kind outcome.Kind, err error) (outcome.Kind, error) {
	if x.healSettled {
		return kind, err
	}
	x.healSettled = true
	if err != nil && x.rep.Error == "" {
		// The failure's detail for the self-healing record; finish sets
		// the same again.
		x.rep.Error = err.Error()
	}
	k, herr := x.settleHeal(kind)
	if herr != nil {
		if err == nil {
			err = herr
		}
		return outcome.HostError, err
	}
	return k, err
}

// settleHeal updates the record with the run's outcome and, for a
// self-healing run, escalates once failures and recurrences reach the
// limit. It returns the outcome to report.
func (x *run) settleHeal(kind outcome.Kind) (outcome.Kind, error) {
	if !x.selfHealing() || x.healDone {
		return kind, nil
	}
	p, s, now := x.o.SelfHeal, &x.heal, x.o.Now()
	failed := false
	switch kind {
	case outcome.Fixed:
		s.Failures, s.NextAttempt, s.Bundle = 0, time.Time{}, ""
		s.Fix = &healFix{Time: now, RunID: x.rep.RunID, Step: x.rep.FixedBy}
	case outcome.Healthy:
		s.Failures, s.NextAttempt, s.Bundle = 0, time.Time{}, ""
	case outcome.NotFixed, outcome.Blocked, outcome.Escalate, outcome.HostError:
		if !x.o.Consent.SelfHeal {
			// A technician's or an RMM's run that did not fix the
			// device says nothing about self-healing's attempts.
			break
		}
		failed = true
		s.Failures++
		s.NextAttempt = now.Add(p.backoffAfter(s.Failures))
		s.remember(healEvent{Time: now, RunID: x.rep.RunID, Outcome: kind.String(), Detail: x.failureDetail()})
	}
	if err := writeHealState(x.o.StateDir, *s); err != nil {
		return outcome.HostError, fmt.Errorf("save the self-healing record: %w", err)
	}
	if failed {
		x.progress("self-heal failure %d in a row; the next attempt is after %s", s.Failures, s.NextAttempt.UTC().Format(time.RFC3339))
	}
	escalate := x.o.Consent.SelfHeal && s.strikes() >= p.MaxFailures && (failed || kind == outcome.Fixed && s.Recurrences >= p.MaxFailures)
	if !escalate || kind == outcome.HostError {
		// A host error keeps its own exit code: the tool, not the device,
		// needs looking at first.
		return kind, nil
	}
	why := fmt.Sprintf("%d self-healing run(s) failed in a row", s.Failures)
	if s.Recurrences > 0 {
		why += fmt.Sprintf(" and CAA50021 came back %d time(s) within %s of a fix (security software or a policy may be undoing it)", s.Recurrences, shortDur(p.RecheckAfter))
	}
	if kind == outcome.Fixed {
		why = fmt.Sprintf("fixed again by step %s, but CAA50021 came back %d time(s) within %s of a fix (security software or a policy may be undoing it)", x.rep.FixedBy, s.Recurrences, shortDur(p.RecheckAfter))
	}
	evidence := s.evidence(p.MaxFailures)
	msg := "needs IT: " + why + "; evidence: " + evidence
	if x.rep.Message != "" {
		msg += "; " + x.rep.Message
	}
	x.rep.Message = msg
	x.progress("self-heal escalates: %s", why)
	if err := x.write(audit.Event{Name: "self_heal.escalate", Reason: why, Outcome: outcome.Escalate.String(), Fields: map[string]any{
		"failures": s.Failures, "recurrences": s.Recurrences, "evidence": s.History, "original_outcome": kind.String()}}); err != nil {
		return outcome.HostError, err
	}
	return outcome.Escalate, nil
}

// failureDetail says briefly why the run failed, for the evidence.
func (x *run) failureDetail() string {
	if x.rep.Error != "" {
		return clip(x.rep.Error, 200)
	}
	if x.rep.Message != "" {
		return clip(x.rep.Message, 200)
	}
	var parts []string
	for _, s := range x.rep.Steps {
		if s.Result == ResultFailed || s.Result == ResultBlocked || s.Result == ResultRan {
			parts = append(parts, s.ID+" "+string(s.Result))
		}
	}
	if len(parts) == 0 {
		return "no step could run"
	}
	return clip(strings.Join(parts, ", "), 200)
}

func shortDur(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}
