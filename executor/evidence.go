package executor

import (
	"context"
	"fmt"
	"slices"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/diagnose"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/steps"
)

// ModeDiagnose gathers the facts and the evidence and ranks the cause
// families; it runs no step and sends nothing that changes the device.
const ModeDiagnose Mode = "diagnose"

// evidence gathers the evidence, ranks the families and writes the
// diagnosis event; read-only.
//
// Run as SYSTEM with a user signed in, the user's part of the evidence
// (PRT, vault, broker plug-in, the sign-in endpoint through the user's
// proxy settings) is read in the user's session, as the user steps run:
// SYSTEM's would clear or name the wrong family.
func (x *run) evidence(ctx context.Context) (*diagnose.Diagnosis, error) {
	r, facts := x.runner("", "", "evidence"), x.facts
	// collect promises to change nothing: it registers no task in the
	// user's session, so the user's part of its evidence is unknown.
	if x.facts.Context == device.ContextSystem && x.facts.User != "" && x.o.Mode != ModeCollect {
		r = userRunner{x: x, phase: "evidence", user: x.facts.User}
		uf, err := device.UserView(ctx, r, x.facts)
		if err != nil {
			return nil, err
		}
		facts = uf
	}
	ev, err := device.GatherEvidence(ctx, r, facts, device.EvidenceOptions{Lookback: x.o.Lookback, Now: x.o.Now})
	if err != nil {
		return nil, err
	}
	d := diagnose.Rank(ev)
	x.rep.Evidence, x.rep.Diagnosis = ev, &d
	if err := x.write(audit.Event{Name: "diagnosis", Fields: map[string]any{"families": d.Families, "evidence_problems": ev.Problems}}); err != nil {
		return nil, err
	}
	for _, f := range d.Families {
		x.progress("diagnose %-19s %.2f %s", f.Name, f.Confidence, joinOr(f.Evidence, ""))
	}
	return &d, nil
}

// diagnoseOnly is the whole of a ModeDiagnose run after the facts.
func (x *run) diagnoseOnly(ctx context.Context) (outcome.Kind, error) {
	if _, err := x.evidence(ctx); err != nil {
		return outcome.Of(err), err
	}
	if !x.facts.Symptom.Present {
		return outcome.Healthy, nil
	}
	return outcome.NotFixed, nil
}

// byEvidence returns the runbook to run: as it is, unless it asks for
// order: evidence and the symptom is present; then a copy whose steps are
// in the diagnosis's order (see [diagnose.Order]), with x.diag set for
// [run.ruleOut].
func (x *run) byEvidence(ctx context.Context, rb *runbooks.Runbook) (*runbooks.Runbook, error) {
	if rb.Order != runbooks.OrderEvidence || !x.facts.Symptom.Present {
		return rb, nil
	}
	d, err := x.evidence(ctx)
	if err != nil {
		return nil, err
	}
	x.diag = d
	uses := make([]string, len(rb.Steps))
	for i, st := range rb.Steps {
		uses[i] = st.Uses
	}
	out := *rb
	out.Steps = make([]runbooks.Step, 0, len(rb.Steps))
	for _, i := range diagnose.Order(*d, uses) {
		out.Steps = append(out.Steps, rb.Steps[i])
	}
	if !slices.EqualFunc(out.Steps, rb.Steps, func(a, b runbooks.Step) bool { return a.ID == b.ID }) {
		ids := make([]string, len(out.Steps))
		for i, st := range out.Steps {
			ids[i] = st.ID
		}
		x.progress("order    by evidence: %s", joinOr(ids, ""))
	}
	return &out, nil
}

// ruleOut turns the gate's allow into a skip for every step the diagnosis
// rules out. The gate's blocks and skips stand: they say more. A blocked
// step the evidence rules out too is moot: escalating past it is the
// evidence's doing, not the gate's, so the run ends escalate, not blocked.
func (x *run) ruleOut(decisions []policy.Decision) {
	if x.diag == nil {
		return
	}
	x.moot = map[string]bool{}
	for i, d := range decisions {
		rule, reason, out := diagnose.RuledOut(*x.diag, d.Uses, steps.Risk(d.Risk))
		switch {
		case !out:
		case d.Verdict == policy.Allow:
			decisions[i].Verdict, decisions[i].Rule, decisions[i].Reason = policy.Skip, rule, reason
		case d.Verdict == policy.Block:
			x.moot[d.Step] = true
		}
	}
}

// withDiagnosis adds what the evidence names to the escalation's message,
// so that IT reads the likely cause on the summary line, not only that
// the local fixes ran out.
func (x *run) withDiagnosis(uses, msg string) string {
	if uses != "escalate" || x.diag == nil {
		return msg
	}
	top, ok := x.diag.Top()
	if !ok || len(top.Evidence) == 0 {
		return msg
	}
	return fmt.Sprintf("%s The evidence names %s (confidence %.2f): %s.", msg, top.Name, top.Confidence, top.Evidence[0])
}
