package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/caafix/caafix/steps"
)

// The rules an evidence-ordered run skips steps by, as policy decisions
// name them (docs/policy.md).
const (
	// RuleUpstream: the most likely family is one no local step fixes
	// (Conditional Access, security software or VPN): every step that
	// changes the device is skipped and the run escalates.
	RuleUpstream = "evidence-upstream"
	// RuleNamedCause: a disruptive step that fixes only generic families
	// (the restart, the Office repair) is skipped when the evidence names
	// a specific cause.
	RuleNamedCause = "evidence-named-cause"
	// RuleNoEvidence: a dangerous step (leaving Entra ID) runs only when
	// the evidence makes a family it fixes likely.
	RuleNoEvidence = "evidence-required"
	// RuleCleared: a changing step is skipped when the evidence clears
	// every family it fixes (see [Cleared]).
	RuleCleared = "evidence-cleared"
	// RuleFixFailed: the fix of a cause the evidence names failed (its
	// action or its own post-check), so that cause stands; while it
	// does, no other family's fix can clear the symptom, so the changing
	// steps left are skipped and the run escalates (see [Stands]).
	RuleFixFailed = "evidence-fix-failed"
)

// Stands returns the cause the evidence names (a specific family at
// least [Likely]) that a step of type uses fixes: when that step fails,
// the cause stands. ok is false for a step that fixes no named cause.
func Stands(d Diagnosis, uses string) (Family, bool) {
	for _, f := range d.Families {
		if Specific(f.Name) && f.Confidence >= Likely && slices.Contains(fixes[f.Name], uses) {
			return f, true
		}
	}
	return Family{}, false
}

// Order returns the order to run steps in, as indexes into uses: first
// the fixes of each likely family (confidence at least Likely), most
// likely first,
// then every other step as listed. The escalation moves forward only
// for an upstream family that is likely: it ends the run.
func Order(d Diagnosis, uses []string) []int {
	out := make([]int, 0, len(uses))
	placed := make([]bool, len(uses))
	for _, f := range d.Families {
		if f.Confidence < Likely {
			// A hunch does not jump the queue: the fixes of unlikely
			// families keep the runbook's order, cheapest first.
			continue
		}
		for _, fix := range fixes[f.Name] {
			if fix == "escalate" && !(Upstream(f.Name) && f.Confidence >= Likely) {
				continue
			}
			for i, u := range uses {
				if u == fix && !placed[i] {
					placed[i] = true
					out = append(out, i)
				}
			}
		}
	}
	for i := range uses {
		if !placed[i] {
			out = append(out, i)
		}
	}
	return out
}

// RuledOut says whether the diagnosis rules out a step of type uses and
// risk, with the rule and the reason; see the Rule constants.
func RuledOut(d Diagnosis, uses string, risk steps.Risk) (rule, reason string, out bool) {
	changing := risk != steps.RiskRead
	if top, ok := d.Top(); ok && changing && Upstream(top.Name) && top.Confidence >= Likely {
		return RuleUpstream, fmt.Sprintf("the evidence names %s (confidence %.2f): no step on the device fixes it, so none runs; IT must act", top.Name, top.Confidence), true
	}
	fixed := FixedBy(uses)
	if named, ok := d.NamedCause(); ok && risk == steps.RiskDisruptive && len(fixed) > 0 && !slices.ContainsFunc(fixed, Specific) {
		return RuleNamedCause, fmt.Sprintf("the evidence names %s (confidence %.2f), which this %s step does not fix", named.Name, named.Confidence, risk), true
	}
	if risk == steps.RiskDangerous {
		best := 0.0
		for _, f := range fixed {
			best = max(best, d.Confidence(f))
		}
		if best < Likely {
			return RuleNoEvidence, fmt.Sprintf("a dangerous step runs only when the evidence makes what it fixes (%s) likely; its confidence is %.2f", strings.Join(fixed, ", "), best), true
		}
	}
	if changing && len(fixed) > 0 {
		var why []string
		for _, f := range fixed {
			if r, ok := d.Cleared[f]; ok {
				why = append(why, f+": "+r)
			}
		}
		if len(why) == len(fixed) {
			return RuleCleared, "the evidence clears what this step fixes: " + strings.Join(why, "; "), true
		}
	}
	return "", "", false
}
