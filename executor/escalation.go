package executor

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/escalation"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// ModeCollect gathers the facts and writes an escalation bundle; it
// decides nothing and runs no step (caafix collect).
const ModeCollect Mode = "collect"

// rawOutput keeps the last raw output of the commands the escalation
// bundle quotes verbatim.
type rawOutput struct {
	dsreg, events string
}

// keep remembers the raw output of dsregcmd /status and the AAD events
// query, whichever phase sent them, for the escalation bundle.
func (x *run) keep(script string, res pshost.Result) {
	switch script {
	case scripts.DsregStatus:
		x.raw.dsreg = res.Stdout
	case scripts.AADEvents:
		x.raw.events = res.Stdout
	}
}

// wantsBundle says whether the run ends with an escalation bundle: a run
// that ends in escalate or blocked (exit 4 by default, whatever the
// exit_codes remapping), and every collect.
func (x *run) wantsBundle(kind outcome.Kind, err error) bool {
	if err != nil || x.o.EscalationDir == "" || x.facts == nil {
		return false
	}
	return x.o.Mode == ModeCollect || (x.o.Mode == ModeRun && (kind == outcome.Escalate || kind == outcome.Blocked))
}

// bundle writes the escalation bundle while the host is still open: it
// reads the Windows version, writes the escalation.bundle audit line, then
// the bundle. A bundle that cannot be written does not change the run's
// outcome (the report says why it is missing); an audit line that cannot
// be written does, as everywhere.
func (x *run) bundle(ctx context.Context, kind outcome.Kind, err error) (outcome.Kind, error) {
	if !x.wantsBundle(kind, err) {
		return kind, err
	}
	if x.rep.Diagnosis == nil && x.facts.Symptom.Present {
		// A collect, or a run in listed order: diagnose now, read-only,
		// so that IT reads the likely cause too.
		if _, derr := x.evidence(ctx); derr != nil {
			return outcome.Of(derr), derr
		}
	}
	c := &escalation.Case{
		Command: "run", RunID: x.rep.RunID, Time: x.o.Now(), Runbook: x.o.Runbook.Name, RunbookVersion: x.o.Runbook.Version,
		Outcome: kind.String(), ExitCode: x.o.Codes.Exit(kind), Message: x.rep.Message, Facts: x.facts,
		Dsreg: x.raw.dsreg, Events: x.raw.events, AuditLog: x.o.Trail.Path(),
	}
	if x.o.Mode == ModeCollect {
		c.Command = "collect"
	}
	c.Evidence = x.rep.Evidence
	if d := x.rep.Diagnosis; d != nil {
		for _, f := range d.Families {
			c.Diagnosis = append(c.Diagnosis, escalation.Family{Name: f.Name, Confidence: f.Confidence, Evidence: f.Evidence})
		}
	}
	for _, s := range x.rep.Steps {
		c.Steps = append(c.Steps, escalation.Step{ID: s.ID, Uses: s.Uses, Decision: string(s.Decision), Rule: s.Rule, Result: string(s.Result), Reason: s.Reason})
	}
	res, rerr := x.runner("", "", "escalation").Run(ctx, scripts.OSVersion)
	if rerr != nil {
		return outcome.Of(rerr), rerr
	}
	c.OS, _ = escalation.ParseOS(res.Stdout) // unknown is said so in the bundle

	path := filepath.Join(x.o.EscalationDir, escalation.Name(c))
	if x.o.Escalation.Zip {
		path += ".zip"
	}
	if werr := x.write(audit.Event{Name: "escalation.bundle", Outcome: kind.String(), Fields: map[string]any{
		"path": path, "zip": x.o.Escalation.Zip, "source": c.Command}}); werr != nil {
		return outcome.HostError, werr
	}
	lines, lerr := escalation.RunLines(c.AuditLog, c.RunID)
	c.AuditLines, c.AuditHead = lines, x.o.Trail.Head()
	got, berr := escalation.Write(x.o.EscalationDir, c, x.o.Escalation)
	switch {
	case berr != nil:
		x.rep.BundleError = berr.Error()
	case lerr != nil:
		x.rep.Bundle, x.rep.BundleError = got, "the audit lines are incomplete: "+lerr.Error()
	default:
		x.rep.Bundle = got
	}
	if x.selfHealing() && x.o.Consent.SelfHeal {
		// The self-healing record names the bundle of its own last
		// escalation only, or none when that one could not be written.
		x.heal.Bundle = x.rep.Bundle
		if werr := writeHealState(x.o.StateDir, x.heal); werr != nil {
			return outcome.HostError, fmt.Errorf("save the self-healing record: %w", werr)
		}
	}
	return kind, err
}

// collected is a collect's outcome: the symptom's, as detect reports it.
func collected(sym device.Symptom) outcome.Kind {
	if sym.Present {
		return outcome.NotFixed
	}
	return outcome.Healthy
}
