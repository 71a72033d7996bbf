package executor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bhendo/go-powershell/backend"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/diagnose"
	"github.com/caafix/caafix/escalation"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/scripts"
	"github.com/caafix/caafix/steps"
)

// Mode is what a run may do.
type Mode string

// The modes.
const (
	ModeRun    Mode = "run"     // run the allowed steps
	ModeDryRun Mode = "dry-run" // facts, decisions and pre-checks; no action is sent
	ModePlan   Mode = "plan"    // facts and decisions only
	// ModeCancelRestart aborts a restart that restart.schedule scheduled
	// (shutdown /a); it gathers no facts and runs no step.
	ModeCancelRestart Mode = "restart-cancel"
)

// Options configure a run.
type Options struct {
	Mode     Mode
	Runbook  *runbooks.Runbook
	Signer   string // the signer's key id, or "embedded"
	Starter  backend.Starter
	Host     pshost.Options
	Trail    *audit.Trail
	Consent  policy.Consent
	Deny     []policy.Rule
	Lookback time.Duration // how far back a CAA50021 event counts at detection
	// MaxReboots bounds the restarts one run may schedule (config
	// max_reboots); 0 means the default, 2. Past it restart steps are
	// skipped (rule max-reboots) and the run goes on to escalate.
	MaxReboots int
	StateDir   string        // where caafix keeps its records; "" keeps none
	Simulate   string        // the scenario name, for the audit
	Version    string        // caafix's version, for the audit
	Args       []string      // the command line, for the audit
	Codes      outcome.Codes // the configured exit-code remapping, for run.end
	Task       *TaskChange   // the task a task-install or task-remove run changes
	Resume     ResumeCommand // how the resume task starts caafix after a restart
	// SelfHeal, when set, keeps the self-healing record: backoff and
	// escalation for self-healing runs, re-checks after every fix.
	SelfHeal *SelfHealPolicy
	RunID    string // the run's id, when the caller made one (see NewRunID)
	Now      func() time.Time
	// Progress, when set, receives one human-readable line per decision
	// and step as the run goes.
	Progress func(line string)
	// AllowDowngrade lets a runbook older than the highest version that
	// ran here run anyway (--allow-downgrade, a technician); audited.
	AllowDowngrade bool
	// EscalationDir is where the escalation bundle of a run that ends in
	// escalate or blocked goes (and a collect's); "" writes none.
	EscalationDir string
	Escalation    escalation.Options
	// Refused, when set, is why the runbook file's signature check failed:
	// the run writes run.start and a runbook.check line (rule signature),
	// then ends with this error (exit 3). No host starts and no record in
	// the state dir is read or changed. Runbook then holds only the file's
	// Source and SHA256: its bytes were never parsed.
	Refused error
}

// Run runs the runbook. The report is always returned, with its outcome;
// the error is set when the run could not finish (host or audit failure)
// and then carries the outcome kind.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxReboots <= 0 {
		o.MaxReboots = defaultMaxReboots
	}
	if o.Lookback <= 0 {
		o.Lookback = 24 * time.Hour
	}
	if o.Mode == "" {
		o.Mode = ModeRun
	}
	x := &run{o: o, start: o.Now()}
	var jerr error
	if o.Mode == ModeRun && o.Refused == nil {
		x.interrupted, jerr = readInflight(o.StateDir)
	}
	if o.Mode == ModeRun && jerr == nil && o.Refused == nil {
		x.journal, jerr = readJournal(o.StateDir)
		if j := x.journal; j != nil && (j.Runbook != o.Runbook.Name || j.SHA256 != o.Runbook.SHA256) {
			// Another runbook (or another version) runs now: the old run
			// cannot be resumed, and its steps are not this run's.
			x.staleJournal, x.journal = j, nil
		}
	}
	id := o.RunID
	if x.journal != nil {
		id = x.journal.RunID
	}
	if id == "" {
		id = NewRunID(x.start)
	}
	x.rep = &Report{RunID: id, Mode: string(o.Mode), Runbook: o.Runbook.Name, Version: o.Runbook.Version}
	o.Trail.SetRun(audit.Run{ID: x.rep.RunID, Runbook: o.Runbook.Name, Version: o.Runbook.Version, SHA256: o.Runbook.SHA256, Signer: o.Signer})

	if jerr != nil {
		return x.finish(outcome.HostError, jerr)
	}
	kind, err := x.do(ctx)
	return x.finish(kind, err)
}

// defaultMaxReboots bounds the restarts one run may schedule when
// Options.MaxReboots is not set.
const defaultMaxReboots = 2

// RuleMaxReboots skips a restart step of a run that has restarted the
// device Options.MaxReboots times.
const RuleMaxReboots = "max-reboots"

// staleRestart is how long a scheduled restart may take to happen before
// the next run stops waiting for it (restart.schedule's delay is at most
// an hour).
const staleRestart = 2 * time.Hour

type run struct {
	o            Options
	journal      *journal // the run being resumed after a restart, if any
	wroteJournal bool     // this run scheduled a restart and wrote a journal
	staleJournal *journal // a journal of another runbook, discarded
	start        time.Time
	rep          *Report
	host         *pshost.Host
	facts        *device.Facts
	heal         healState           // the self-healing record, when selfHealing
	healDone     bool                // the record needs no update at the end
	healSettled  bool                // settle has run
	userTasks    int                 // one-shot tasks run in the user's session so far, for their names
	inflight     inflight            // where this run is, as the in-flight record says
	interrupted  *inflight           // the record of a run that was killed before this one
	raw          rawOutput           // for the escalation bundle
	diag         *diagnose.Diagnosis // the diagnosis of an evidence-ordered run
	moot         map[string]bool     // blocked steps the evidence rules out too: their block cost nothing
	standing     *diagnose.Family    // a named cause whose fix failed: it stands (rule evidence-fix-failed)
	standingStep string              // the step whose failure showed it
}

// NewRunID returns a run id: the UTC start time and 48 random bits, so ids
// sort by time and do not collide across a fleet.
func NewRunID(t time.Time) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

func (x *run) progress(format string, args ...any) {
	if x.o.Progress != nil {
		x.o.Progress(fmt.Sprintf(format, args...))
	}
}

func (x *run) write(e audit.Event) error {
	if err := x.o.Trail.Write(scrubbed(e)); err != nil {
		return fmt.Errorf("write the audit log (nothing more is sent to the device): %w", err)
	}
	return nil
}

func (x *run) do(ctx context.Context) (kind outcome.Kind, err error) {
	rb := x.o.Runbook
	if err := x.write(audit.Event{Name: "run.start", Fields: map[string]any{
		"mode": string(x.o.Mode), "simulate": x.o.Simulate, "caafix_version": x.o.Version,
		"runbook_source": rb.Source, "steps": len(rb.Steps), "args": x.o.Args,
		"resume_after": resumeStep(x.journal), "discarded_run": resumeRun(x.staleJournal),
	}}); err != nil {
		return outcome.HostError, err
	}
	if x.o.Refused != nil {
		return x.refuse()
	}
	if err := x.reportInterrupted(); err != nil {
		return outcome.HostError, err
	}

	if x.selfHealing() {
		if err := x.loadHeal(); err != nil {
			return outcome.HostError, err
		}
		if kind, done, err := x.backoffGate(); done {
			return kind, err
		}
	}

	if x.o.Mode != ModeCancelRestart {
		// The runbook's age is settled before any host starts.
		if kind, err := x.checkRunbook(); err != nil {
			return kind, err
		}
	}
	host, err := pshost.Start(ctx, x.o.Starter, x.o.Host)
	if err != nil {
		return outcome.HostError, err
	}
	x.host = host
	defer host.Close()
	// Self-healing's verdict first: it may turn the run into an
	// escalation, which gets its bundle like any other.
	defer func() {
		kind, err = x.settle(kind, err)
		kind, err = x.bundle(ctx, kind, err)
	}()

	if x.o.Mode == ModeCancelRestart {
		return x.cancelRestart(ctx)
	}
	if x.o.Mode == ModeTaskInstall || x.o.Mode == ModeTaskRemove {
		return x.changeTask(ctx)
	}
	if err := x.removeStaleTask(ctx); err != nil {
		return outcome.Of(err), err
	}

	lf, err := readLastFix(x.o.StateDir)
	if err != nil {
		return outcome.HostError, err
	}
	notBefore := lf.Time
	if i := x.interrupted; i != nil && i.Phase == inflightAction && i.At.After(notBefore) {
		// The killed run's action may have fixed the device: only events
		// after it was sent may make the symptom present again.
		notBefore = i.At
	}
	facts, err := device.Gather(ctx, x.runner("", "", "facts"), device.GatherOptions{Lookback: x.o.Lookback, Now: x.o.Now, NotBefore: notBefore})
	if err != nil {
		return outcome.Of(err), err
	}
	x.facts = facts
	x.rep.Facts = facts
	x.rep.Device = facts.Hostname
	rb = x.o.Runbook
	x.o.Trail.SetRun(audit.Run{ID: x.rep.RunID, Runbook: rb.Name, Version: rb.Version, SHA256: rb.SHA256, Signer: x.o.Signer, Device: facts.Hostname})
	sym := facts.Symptom
	x.rep.Symptom = &sym
	if err := x.write(audit.Event{Name: "facts", Fields: factFields(facts)}); err != nil {
		return outcome.HostError, err
	}
	if x.o.Mode == ModeCollect {
		return collected(sym), nil
	}
	if x.o.Mode == ModeDiagnose {
		return x.diagnoseOnly(ctx)
	}
	if x.selfHealing() {
		if err := x.recheck(sym); err != nil {
			return outcome.HostError, err
		}
	}
	if rb, err = x.byEvidence(ctx, rb); err != nil {
		return outcome.Of(err), err
	}

	decisions := policy.Evaluate(policy.Input{Runbook: rb, Facts: facts, Consent: x.o.Consent, Deny: x.o.Deny})
	x.ruleOut(decisions)
	for i, d := range decisions {
		if err := x.write(audit.Event{Name: "policy.decision", Step: d.Step, Uses: d.Uses, Decision: string(d.Verdict),
			Rule: d.Rule, Reason: d.Reason, Fields: map[string]any{"risk": string(d.Risk), "context": string(d.Context)}}); err != nil {
			return outcome.HostError, err
		}
		x.rep.Steps = append(x.rep.Steps, StepReport{ID: d.Step, Uses: d.Uses, Decision: d.Verdict, Rule: d.Rule, Reason: d.Reason, Result: ResultNotRun})
		x.progress("policy  %-20s %-26s %-5s %s", d.Step, d.Uses, d.Verdict, d.Reason)
		if d.Verdict == policy.Block {
			x.rep.Steps[i].Result = ResultBlocked
		} else if d.Verdict == policy.Skip {
			x.rep.Steps[i].Result = ResultSkipped
		}
	}

	startAt := 0
	if j := x.journal; j != nil && !facts.LastBoot.IsZero() && !facts.LastBoot.After(j.BootBefore) {
		if x.o.Now().Sub(j.ScheduledAt) < staleRestart {
			x.rep.Message = "the restart that step " + j.Step + " scheduled has not happened yet; run caafix again after it"
			x.progress("resume  %s", x.rep.Message)
			return outcome.RebootPending, nil
		}
		// The restart never came (aborted, or the host died before it was
		// scheduled): start afresh rather than wait for ever.
		x.progress("resume  the restart that step %s scheduled at %s never happened; starting afresh", j.Step, j.ScheduledAt.UTC().Format(time.RFC3339))
		x.staleJournal, x.journal = j, nil
		// Its resume task would start a run at some later boot for a
		// restart that is not coming.
		if err := x.removeResume(ctx, j.Step); err != nil {
			return outcome.Of(err), err
		}
	}
	if j := x.journal; j != nil {
		for i, st := range rb.Steps {
			if st.ID == j.Step {
				startAt = i + 1
			}
		}
		for i := 0; i < startAt; i++ {
			if x.rep.Steps[i].Result == ResultNotRun {
				x.rep.Steps[i].Reason = "ran before the restart"
			}
		}
		x.progress("resume  after the restart of step %s (run %s)", j.Step, j.RunID)
		if err := x.removeResume(ctx, j.Step); err != nil {
			return outcome.Of(err), err
		}
		if !sym.Present {
			x.rep.FixedBy = j.Step
			if startAt > 0 {
				x.rep.Steps[startAt-1].Result, x.rep.Steps[startAt-1].Reason = ResultFixed, "the symptom is gone after the restart"
			}
			if err := writeLastFix(x.o.StateDir, lastFix{Time: x.o.Now(), RunID: x.rep.RunID, Step: j.Step, Runbook: rb.Name}); err != nil {
				return outcome.HostError, err
			}
			x.progress("step    %-20s fixed: the symptom is gone after the restart", j.Step)
			return outcome.Fixed, nil
		}
	}
	if !sym.Present {
		x.progress("detect  no CAA50021 symptom: %s", joinOr(sym.Reasons, "no recent CAA50021 event and a PRT present"))
		return outcome.Healthy, nil
	}
	x.progress("detect  symptom present: %s", joinOr(sym.Reasons, "CAA50021"))
	if x.o.Mode == ModePlan {
		for i, d := range decisions {
			if d.Verdict == policy.Allow {
				s, _ := steps.Lookup(d.Uses)
				env := x.env(rb.Steps[i], time.Time{})
				x.rep.Steps[i].Commands = s.Commands(env)
			}
		}
		return outcome.NotFixed, nil
	}

	since := x.start.Add(-x.o.Lookback)
	blocked := false
	for _, d := range decisions {
		blocked = blocked || (d.Verdict == policy.Block && !x.moot[d.Step])
	}
	for i, d := range decisions {
		sr := &x.rep.Steps[i]
		if i < startAt {
			continue
		}
		if d.Verdict == policy.Allow && d.Uses == "restart.schedule" && x.journal != nil && x.journal.Reboots >= x.o.MaxReboots {
			skipDuringRun(&d, sr, RuleMaxReboots, fmt.Sprintf("this run already restarted the device %d time(s), the limit (max_reboots %d): the fault outlives restarts", x.journal.Reboots, x.o.MaxReboots))
		}
		if d.Verdict == policy.Allow && x.standing != nil && d.Uses != "escalate" && steps.Risk(d.Risk) != steps.RiskRead &&
			!slices.Contains(diagnose.Fixes(x.standing.Name), d.Uses) {
			skipDuringRun(&d, sr, diagnose.RuleFixFailed, fmt.Sprintf("the fix of %s, the cause the evidence names (confidence %.2f), failed in step %s: while that cause stands no other fix can clear the symptom", x.standing.Name, x.standing.Confidence, x.standingStep))
			x.progress("policy  %-20s %-26s skip  %s", d.Step, d.Uses, d.Reason)
		}
		if d.Verdict != policy.Allow {
			if err := x.write(audit.Event{Name: "step.end", Step: d.Step, Uses: d.Uses, Fields: map[string]any{"result": string(sr.Result)}, Reason: d.Reason, Rule: d.Rule}); err != nil {
				return outcome.HostError, err
			}
			continue
		}
		end, kind, err := x.step(ctx, rb.Steps[i], sr, since)
		if err != nil {
			return outcome.Of(err), err
		}
		if sr.Result == ResultFailed && x.diag != nil && x.standing == nil {
			if f, ok := diagnose.Stands(*x.diag, d.Uses); ok {
				x.standing, x.standingStep = &f, d.Step
			}
		}
		if end {
			// Escalating while the gate held back a step that might have
			// helped is the gate's doing: say so.
			if kind == outcome.Escalate && blocked && d.Uses == "escalate" {
				kind = outcome.Blocked
			}
			return kind, nil
		}
	}
	switch {
	case x.o.Mode == ModeDryRun:
		return outcome.NotFixed, nil
	case blocked:
		return outcome.Blocked, nil
	}
	return outcome.NotFixed, nil
}

// skipDuringRun turns the gate's allow into a skip decided by the run
// itself (max-reboots, evidence-fix-failed): the step's step.end line
// carries the rule and reason, as there is no policy.decision line for it.
func skipDuringRun(d *policy.Decision, sr *StepReport, rule, reason string) {
	d.Verdict, d.Rule, d.Reason = policy.Skip, rule, reason
	sr.Result, sr.Decision, sr.Rule, sr.Reason = ResultSkipped, policy.Skip, rule, reason
}

// step runs one allowed step; end reports that the run is over with kind.
func (x *run) step(ctx context.Context, st runbooks.Step, sr *StepReport, since time.Time) (end bool, kind outcome.Kind, err error) {
	s, _ := steps.Lookup(st.Uses)
	m, _ := steps.MetaOf(st) // a script step's declared risk and context
	started := x.o.Now()
	env := x.env(st, started)
	env.Since = since
	ctx, cancel := context.WithTimeout(ctx, steps.Timeout(st))
	defer cancel()
	defer func() { sr.Duration = x.o.Now().Sub(started) }()

	if err := x.write(audit.Event{Name: "step.start", Step: st.ID, Uses: st.Uses, Fields: map[string]any{
		"risk": string(m.Risk), "context": string(m.Context), "timeout_ms": steps.Timeout(st).Milliseconds()}}); err != nil {
		return true, outcome.HostError, err
	}
	if err := x.mark(st.ID, st.Uses, inflightCheck); err != nil {
		return true, outcome.HostError, err
	}
	if x.o.Mode == ModeDryRun && x.bridged(m) {
		// Even a read in the user's session needs a task registered and
		// a folder written: a dry run changes nothing, so it stops here.
		sr.Result, sr.Reason = ResultWouldRun, "would run in "+x.facts.User+"'s session through a one-shot scheduled task; a dry run starts none, so the pre-check did not run"
		sr.Commands = s.Commands(env)
		x.progress("step    %-20s would run: %s", st.ID, sr.Reason)
		return false, 0, x.endStep(st, sr, started, "")
	}
	env.Runner = x.stepRunner(st, m, "pre-check")
	check, err := s.Pre(ctx, env)
	if err != nil {
		return true, outcome.Of(err), err
	}
	env.Pre = check
	sr.Commands = s.Commands(env)
	if !check.Needed {
		sr.Result, sr.Reason = ResultNotNeeded, check.Reason
		x.progress("step    %-20s not needed: %s", st.ID, check.Reason)
		return false, 0, x.endStep(st, sr, started, "")
	}
	if x.o.Mode == ModeDryRun {
		sr.Result, sr.Reason = ResultWouldRun, check.Reason
		x.progress("step    %-20s would run: %s", st.ID, check.Reason)
		return false, 0, x.endStep(st, sr, started, "")
	}
	if m.Risk == steps.RiskDisruptive || m.Risk == steps.RiskDangerous {
		if err := x.o.Trail.Sync(); err != nil {
			return true, outcome.HostError, fmt.Errorf("sync the audit log before a %s step: %w", m.Risk, err)
		}
	}
	x.progress("step    %-20s running: %s", st.ID, check.Reason)
	// On disk before the action is sent: a run that finds this record
	// knows the action may have happened and re-checks before repeating.
	if err := x.mark(st.ID, st.Uses, inflightAction); err != nil {
		return true, outcome.HostError, err
	}
	if st.Uses == "restart.schedule" {
		// The journal is on disk before the restart is scheduled, so the
		// run after the boot resumes instead of restarting again.
		reboots := 1
		if x.journal != nil {
			reboots = x.journal.Reboots + 1
		}
		j := journal{RunID: x.rep.RunID, Runbook: x.o.Runbook.Name, SHA256: x.o.Runbook.SHA256, Step: st.ID,
			Reboots: reboots, BootBefore: x.facts.LastBoot, ScheduledAt: x.o.Now()}
		if err := writeJournal(x.o.StateDir, j); err != nil {
			return true, outcome.HostError, err
		}
		x.wroteJournal = true
		failed, err := x.registerResume(ctx, st.ID)
		if err != nil {
			return true, outcome.Of(err), err
		}
		if failed != "" {
			sr.Result, sr.Reason = ResultFailed, failed
			x.progress("step    %-20s failed: %s", st.ID, failed)
			return false, 0, x.endStep(st, sr, started, "")
		}
	}
	env.Runner = x.stepRunner(st, m, "action")
	// The symptom is judged by what happens after the action starts: an
	// event the pre-check itself saw must not count against the fix.
	env.Started = x.o.Now()
	eff, err := s.Act(ctx, env)
	if err != nil {
		return true, outcome.Of(err), err
	}
	rollback := steps.Rollback(st)
	if eff.Failed {
		sr.Result, sr.Reason = ResultFailed, eff.Reason
		x.addRollback(st, rollback)
		x.progress("step    %-20s failed: %s", st.ID, eff.Reason)
		return false, 0, x.endStep(st, sr, started, rollback)
	}
	if len(sr.Commands) > 0 {
		x.addRollback(st, rollback)
	}
	if eff.EndRun {
		sr.Result, sr.Reason = ResultEnded, eff.Reason
		x.rep.Message = x.withDiagnosis(st.Uses, eff.Message)
		x.progress("step    %-20s %s", st.ID, eff.Reason)
		return true, eff.Outcome, x.endStep(st, sr, started, rollback)
	}
	if len(sr.Commands) == 0 {
		// An action that sends nothing (the aad.symptom re-check) changed
		// nothing: it must not be credited with a fix just because no new
		// event was logged in the moment after it.
		sr.Result, sr.Reason = ResultRan, eff.Reason
		x.progress("step    %-20s ran: %s", st.ID, sr.Reason)
		return false, 0, x.endStep(st, sr, started, rollback)
	}
	env.Runner = x.stepRunner(st, m, "post-check")
	v, err := s.Post(ctx, env)
	if err != nil {
		return true, outcome.Of(err), err
	}
	if !v.OK {
		sr.Result, sr.Reason = ResultFailed, "post-check: "+v.Reason
		x.progress("step    %-20s post-check failed: %s", st.ID, v.Reason)
		return false, 0, x.endStep(st, sr, started, rollback)
	}
	sym, _, err := device.CheckSymptom(ctx, x.runner(st.ID, st.Uses, "detect"), env.Started)
	if err != nil {
		return true, outcome.Of(err), err
	}
	if !sym.Present {
		sr.Result, sr.Reason = ResultFixed, v.Reason
		x.rep.FixedBy = st.ID
		x.rep.Symptom = &sym
		if err := writeLastFix(x.o.StateDir, lastFix{Time: x.o.Now(), RunID: x.rep.RunID, Step: st.ID, Runbook: x.o.Runbook.Name}); err != nil {
			return true, outcome.HostError, err
		}
		x.progress("step    %-20s fixed: %s", st.ID, v.Reason)
		return true, outcome.Fixed, x.endStep(st, sr, started, rollback)
	}
	sr.Result, sr.Reason = ResultRan, v.Reason+"; the symptom remains"
	x.progress("step    %-20s ran: %s", st.ID, sr.Reason)
	return false, 0, x.endStep(st, sr, started, rollback)
}

func (x *run) addRollback(st runbooks.Step, note string) {
	if note != "" {
		x.rep.Rollbacks = append(x.rep.Rollbacks, st.ID+": "+note)
	}
}

func (x *run) endStep(st runbooks.Step, sr *StepReport, started time.Time, rollback string) error {
	ms := x.o.Now().Sub(started).Milliseconds()
	return x.write(audit.Event{Name: "step.end", Step: st.ID, Uses: st.Uses, Reason: sr.Reason, Rollback: rollback,
		DurationMs: &ms, Fields: map[string]any{"result": string(sr.Result)}})
}

func (x *run) env(st runbooks.Step, started time.Time) *steps.Env {
	return &steps.Env{Facts: x.facts, Step: st, Started: started, Since: x.start.Add(-x.o.Lookback), Now: x.o.Now}
}

// finish writes run.end and settles the report.
func (x *run) finish(kind outcome.Kind, err error) (*Report, error) {
	// A run that ends without a pending restart ends its journal: the next
	// run starts afresh. A host error keeps it, so the next run resumes.
	if kind != outcome.RebootPending && (err == nil || outcome.Of(err) != outcome.HostError) && (x.journal != nil || x.wroteJournal || x.staleJournal != nil) {
		if rerr := removeJournal(x.o.StateDir); rerr != nil && err == nil {
			err = fmt.Errorf("clear the resume journal: %w", rerr)
			kind = outcome.HostError
		}
	}
	// The run ends in order: no step is in flight any more. After a host
	// error the last command's fate is unknown, so the record stays and
	// the next run treats this one as interrupted.
	// A run that ended before it wrote a record of its own leaves the
	// record of the killed run before it for the next run to report.
	if x.inflight.RunID != "" && (err == nil || outcome.Of(err) != outcome.HostError) {
		if rerr := removeInflight(x.o.StateDir); rerr != nil && err == nil {
			err = fmt.Errorf("clear the in-flight record: %w", rerr)
			kind = outcome.HostError
		}
	}
	if err != nil {
		x.rep.Error = err.Error()
	}
	kind, err = x.settle(kind, err)
	x.rep.Outcome = kind
	x.rep.OutcomeStr = kind.String()
	x.rep.Duration = x.o.Now().Sub(x.start)
	if err != nil {
		x.rep.Error = err.Error()
	}
	ms := x.rep.Duration.Milliseconds()
	code := x.o.Codes.Exit(kind)
	werr := x.o.Trail.Write(scrubbed(audit.Event{Name: "run.end", Outcome: kind.String(), ExitCode: &code, DurationMs: &ms,
		Fields: map[string]any{"fixed_by": x.rep.FixedBy, "message": x.rep.Message, "error": x.rep.Error, "bundle": x.rep.Bundle}}))
	x.rep.AuditHead = x.o.Trail.Head()
	if werr != nil && err == nil {
		err = &pshost.HostError{Op: "audit", Err: werr}
		x.rep.Outcome, x.rep.OutcomeStr, x.rep.Error = outcome.HostError, outcome.HostError.String(), err.Error()
	}
	if err != nil && outcome.Of(err) == outcome.HostError && x.rep.Outcome != outcome.HostError {
		x.rep.Outcome, x.rep.OutcomeStr = outcome.HostError, outcome.HostError.String()
	}
	return x.rep, err
}

func joinOr(r []string, def string) string {
	if len(r) == 0 {
		return def
	}
	out := r[0]
	for _, s := range r[1:] {
		out += "; " + s
	}
	return out
}

// reportInterrupted writes what the killed run before this one left, and
// starts this run's own in-flight record.
func (x *run) reportInterrupted() error {
	if x.o.Mode != ModeRun {
		return nil
	}
	if i := x.interrupted; i != nil {
		x.rep.Interrupted = interruptedText(i)
		x.progress("resume  %s", x.rep.Interrupted)
		fields := map[string]any{"interrupted_run": i.RunID, "phase": i.Phase, "interrupted_at": i.At}
		if err := x.write(audit.Event{Name: "run.interrupted", Step: i.Step, Uses: i.Uses, Reason: x.rep.Interrupted, Fields: fields}); err != nil {
			return err
		}
	}
	x.inflight = inflight{RunID: x.rep.RunID, Runbook: x.o.Runbook.Name, PID: os.Getpid(), Started: x.start}
	return x.mark("", "", inflightStart)
}

// cancelRestart sends shutdown /a and reads its answer: aborted, nothing
// to abort (1116), or a failure.
func (x *run) cancelRestart(ctx context.Context) (outcome.Kind, error) {
	res, err := x.runner("restart", "restart.schedule", "action").Run(ctx, scripts.AbortRestart)
	if err != nil {
		return outcome.Of(err), err
	}
	switch res.ExitCode {
	case 0:
		x.rep.Message = "the scheduled restart was aborted"
		// No restart will come: the run that scheduled it is not resumed.
		if err := removeJournal(x.o.StateDir); err != nil {
			return outcome.HostError, fmt.Errorf("clear the resume journal: %w", err)
		}
		if err := x.removeResume(ctx, "restart"); err != nil {
			return outcome.Of(err), err
		}
		return outcome.Healthy, nil
	case errNoShutdownInProgress:
		x.rep.Message = "no restart was scheduled: nothing to abort"
		return outcome.Healthy, nil
	}
	x.rep.Message = fmt.Sprintf("shutdown /a failed with exit %d: %s", res.ExitCode, strings.TrimSpace(res.Stdout+" "+res.Stderr))
	return outcome.NotFixed, nil
}

// errNoShutdownInProgress is Windows' ERROR_NO_SHUTDOWN_IN_PROGRESS, which
// shutdown /a returns when there is nothing to abort.
const errNoShutdownInProgress = 1116

func resumeStep(j *journal) string {
	if j == nil {
		return ""
	}
	return j.Step
}

func resumeRun(j *journal) string {
	if j == nil {
		return ""
	}
	return j.RunID
}
