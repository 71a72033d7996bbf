package policy

import (
	"fmt"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/steps"
)

// Verdict is the gate's decision for one step.
type Verdict string

// The verdicts.
const (
	Allow Verdict = "allow"
	Block Verdict = "block" // a rule forbids the step here
	Skip  Verdict = "skip"  // the step cannot run in this session (rights, user)
)

// The built-in rules, by name.
const (
	RuleHybridJoined      = "hybrid-joined"
	RuleManagedDevice     = "managed-device"
	RuleUnknownJoinState  = "unknown-join-state"
	RuleNeedsAdmin        = "needs-admin"
	RuleDisruptiveConsent = "disruptive-needs-consent"
	RuleDangerousConsent  = "dangerous-needs-consent"
	RuleUserSession       = "user-session"
	RuleConfigDeny        = "config-deny"
	RuleUnknownStep       = "unknown-step"
	RuleUnsignedScript    = "unsigned-script"
	RuleDefault           = "default"
)

// Rule is a configured deny rule: it matches a step by exactly one of
// Uses, ID or Risk.
type Rule struct {
	Uses, ID, Risk string
	Reason         string
}

func (r Rule) matches(st runbooks.Step, risk steps.Risk) bool {
	switch {
	case r.Uses != "":
		return r.Uses == st.Uses
	case r.ID != "":
		return r.ID == st.ID
	case r.Risk != "":
		return r.Risk == string(risk)
	}
	return false
}

func (r Rule) selector() string {
	switch {
	case r.Uses != "":
		return "uses " + r.Uses
	case r.ID != "":
		return "id " + r.ID
	}
	return "risk " + r.Risk
}

// Consent is what the operator allowed for this run.
type Consent struct {
	AllowDisruptive bool // --allow-disruptive, policy.allow_disruptive, or a maintenance window
	AllowDangerous  bool // --allow-dangerous on the command line
	SelfHeal        bool // an unattended self-healing run: never dangerous steps
	// Window is the maintenance window open now ("" when none): inside it
	// disruptive steps may run, in a self-healing run too.
	Window string
	Source string
}

// Input is everything the gate decides on.
type Input struct {
	Runbook *runbooks.Runbook
	Facts   *device.Facts
	Consent Consent
	Deny    []Rule
}

// Decision is the gate's answer for one step.
type Decision struct {
	Step       string
	Uses       string
	Risk       steps.Risk
	Context    steps.Context
	NeedsAdmin bool
	Verdict    Verdict
	Rule       string
	Reason     string
}

// Evaluate decides every step of the runbook, in order.
func Evaluate(in Input) []Decision {
	out := make([]Decision, 0, len(in.Runbook.Steps))
	for _, st := range in.Runbook.Steps {
		out = append(out, decide(in, st))
	}
	return out
}

func decide(in Input, st runbooks.Step) Decision {
	d := Decision{Step: st.ID, Uses: st.Uses}
	m, ok := steps.MetaOf(st)
	if !ok {
		// Validation rejects unknown types; if one gets here, fail closed.
		d.Verdict, d.Rule, d.Reason = Block, RuleUnknownStep, fmt.Sprintf("no step type %q in this build", st.Uses)
		return d
	}
	d.Risk, d.Context, d.NeedsAdmin = m.Risk, m.Context, m.NeedsAdmin
	if st.Uses == "script" && !in.Runbook.Signed() {
		// The author's PowerShell is trusted only as far as its signature:
		// a runbook parsed without one (lint, sign) never runs a script.
		d.Verdict, d.Rule, d.Reason = Block, RuleUnsignedScript, "a script step runs only from a signed runbook, and these bytes were not verified"
		return d
	}
	f := in.Facts
	dangerous := m.Risk == steps.RiskDangerous || st.Uses == "dsregcmd.leave"

	block := func(rule, reason string) Decision {
		d.Verdict, d.Rule, d.Reason = Block, rule, reason
		return d
	}
	// Built-in blocks first: no flag or configuration can lift them.
	if dangerous {
		switch {
		case f.Join == device.JoinHybrid:
			return block(RuleHybridJoined, "the device is hybrid joined (AzureAdJoined and DomainJoined): "+st.Uses+" would cut it off from its domain and Entra ID")
		case !f.ManagedKnown:
			return block(RuleManagedDevice, "MDM enrollment could not be read: treated as managed (fail closed)")
		case f.Managed:
			return block(RuleManagedDevice, "the device is MDM managed (Intune): leave it to its management")
		case f.Join == device.JoinUnknown || f.Join == "":
			return block(RuleUnknownJoinState, "the join state could not be read (fail closed)")
		}
	}
	for _, r := range in.Deny {
		if r.matches(st, m.Risk) {
			reason := "denied by configuration (" + r.selector() + ")"
			if r.Reason != "" {
				reason += ": " + r.Reason
			}
			return block(RuleConfigDeny, reason)
		}
	}
	if dangerous {
		switch {
		case in.Consent.SelfHeal:
			return block(RuleDangerousConsent, "dangerous steps never run in a self-healing run")
		case !in.Consent.AllowDangerous:
			return block(RuleDangerousConsent, "dangerous: runs only with --allow-dangerous, given by a technician on the command line")
		}
	}
	if m.Risk == steps.RiskDisruptive && in.Consent.Window == "" {
		// A self-healing run has nobody's consent but the configuration's
		// maintenance windows.
		if in.Consent.SelfHeal {
			return block(RuleDisruptiveConsent, "disruptive steps run in a self-healing run only inside a maintenance window (maintenance_windows), and none is open now")
		}
		if !in.Consent.AllowDisruptive {
			return block(RuleDisruptiveConsent, "disruptive: runs only with --allow-disruptive, inside a maintenance window or with policy.allow_disruptive")
		}
	}
	if m.NeedsAdmin && !f.Elevated {
		d.Verdict, d.Rule, d.Reason = Skip, RuleNeedsAdmin, "needs administrator rights; caafix is not elevated"
		return d
	}
	if m.Context == steps.ContextUser && f.Context != device.ContextUser {
		// As SYSTEM, a user step runs in the signed-in user's session (a
		// one-shot scheduled task with the user's principal); with nobody
		// signed in, or an unknown context, it does not run at all.
		switch {
		case f.Context != device.ContextSystem:
			d.Verdict, d.Rule = Skip, RuleUserSession
			d.Reason = "acts on the signed-in user's profile, and whose account caafix runs as could not be read (fail closed)"
			return d
		case f.User == "":
			d.Verdict, d.Rule = Skip, RuleUserSession
			d.Reason = "acts on the signed-in user's profile and nobody is signed in; never run as SYSTEM instead"
			return d
		}
		d.Verdict, d.Rule, d.Reason = Allow, RuleDefault, "allowed; runs in "+f.User+"'s session (a one-shot scheduled task with the user's principal)"
		return d
	}
	d.Verdict, d.Rule, d.Reason = Allow, RuleDefault, "allowed"
	if m.Risk == steps.RiskDisruptive || dangerous {
		d.Reason = "allowed by " + consentSource(in.Consent)
	}
	return d
}

func consentSource(c Consent) string {
	if c.Window != "" && (c.SelfHeal || !c.AllowDisruptive) {
		return "the maintenance window " + c.Window
	}
	if c.Source != "" {
		return c.Source
	}
	return "operator consent"
}
