package escalation

import (
	"fmt"
	"strings"
)

// The answers of a [StopRule].
const (
	Applies    = "yes"   // the evidence meets the rule
	NotApplies = "no"    // the evidence rules it out
	Check      = "check" // the device cannot tell: the admin must look
)

// A StopRule is one of the guide's "When to stop" rules — the cases no
// local fix can solve — and whether this case meets it.
type StopRule struct {
	Name     string
	Applies  string // Applies, NotApplies or Check
	Evidence string
}

// StopRules evaluates the "When to stop" rules for the case: a managed
// device after the local fixes, Conditional Access, a tenant-wide pattern,
// new-user onboarding.
func StopRules(c *Case) []StopRule {
	return stopRules(c, gatherEvidence(c))
}

func stopRules(c *Case, ev *evidence) []StopRule {
	return []StopRule{managedRule(c), caRule(ev), tenantRule(), onboardingRule(ev)}
}

func managedRule(c *Case) StopRule {
	r := StopRule{Name: "Managed device after the local fixes"}
	f := c.Facts
	tried := localFixes(c.Steps)
	blocked := blockedBy(c.Steps, "managed-device")
	switch {
	case f == nil || !f.ManagedKnown:
		r.Applies, r.Evidence = Check, "the MDM enrollment could not be read; the policy gate treated the device as managed"
	case f.Managed:
		r.Applies = Applies
		r.Evidence = "the device is MDM (Intune) enrolled: resetting or re-joining it belongs to its management"
		if tried != "" {
			r.Evidence += "; local fixes tried: " + tried
		}
		if blocked != "" {
			r.Evidence += "; blocked as managed: " + blocked
		}
	default:
		r.Applies, r.Evidence = NotApplies, "the device is not MDM enrolled"
	}
	return r
}

func caRule(ev *evidence) StopRule {
	return codeRule("Conditional Access", ev.has(conditionalAccessCodes...),
		": Entra ID refuses the token by policy, which nothing on the device can change",
		"no Conditional Access error code in the AAD events on the device; the sign-in log's Conditional Access tab is authoritative")
}

// codeRule applies when the AAD events carry one of the rule's codes;
// otherwise the admin must check.
func codeRule(name string, hit []string, meaning, check string) StopRule {
	if len(hit) > 0 {
		return StopRule{Name: name, Applies: Applies, Evidence: "the AAD events carry " + describe(hit) + meaning}
	}
	return StopRule{Name: name, Applies: Check, Evidence: check}
}

func tenantRule() StopRule {
	return StopRule{Name: "Tenant-wide pattern", Applies: Check,
		Evidence: "one device cannot see it: when other devices show CAA50021 in the same hour (caafix audit summary over the fleet's logs reports a spike), look at the tenant — a Conditional Access change or a service incident — not at this device"}
}

func onboardingRule(ev *evidence) StopRule {
	return codeRule("New-user onboarding", ev.has(onboardingCodes...),
		": the user has not finished setting up their account",
		"the device cannot tell whether the user is new: for a user in their first days, check licence assignment, MFA registration and group memberships")
}

// describe lists codes with their meanings: "AADSTS53000 (device not compliant …)".
func describe(codes []string) string {
	parts := make([]string, 0, len(codes))
	for _, c := range codes {
		if m, ok := codeMeaning[c]; ok {
			parts = append(parts, c+" ("+m+")")
		} else {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, ", ")
}

// localFixes lists the steps that tried a fix, with their results:
// "wam-cache (failed), office-credentials (ran)". Checks and the escalate
// step change nothing and are not fixes.
func localFixes(steps []Step) string {
	var parts []string
	for _, s := range steps {
		if s.Uses == "escalate" || s.Uses == "aad.symptom" {
			continue
		}
		switch s.Result {
		case "ran", "failed", "fixed", "ended":
			parts = append(parts, s.ID+" ("+s.Result+")")
		}
	}
	return strings.Join(parts, ", ")
}

// blockedBy lists the steps a rule blocked; rule "" means any rule.
func blockedBy(steps []Step, rule string) string {
	var parts []string
	for _, s := range steps {
		if s.Result == "blocked" && (rule == "" || s.Rule == rule) {
			parts = append(parts, s.ID)
		}
	}
	return strings.Join(parts, ", ")
}

// whyStopped says in words why the run ended where it did.
func whyStopped(c *Case) string {
	if c.Command == "collect" {
		return "This bundle was collected on request (`caafix collect`): no step ran. The steps of an earlier run, if any, are in its own bundle or in the audit log."
	}
	var ended *Step
	for i := range c.Steps {
		if c.Steps[i].Result == "ended" {
			ended = &c.Steps[i]
		}
	}
	var upstream []string // steps the evidence held back: an upstream cause
	for _, st := range c.Steps {
		if st.Rule == "evidence-upstream" {
			upstream = append(upstream, st.ID)
		}
	}
	var b strings.Builder
	switch {
	case len(upstream) > 0 && ended != nil:
		fmt.Fprintf(&b, "The evidence names a cause upstream of the device, which no local step fixes, so caafix changed nothing (held back: %s) and step %s (`%s`) handed the case to IT (outcome `%s`, exit %d).", strings.Join(upstream, ", "), ended.ID, ended.Uses, c.Outcome, c.ExitCode)
		if len(c.Diagnosis) > 0 {
			fmt.Fprintf(&b, " Most likely: %s (confidence %.2f); see the diagnosis below.", c.Diagnosis[0].Name, c.Diagnosis[0].Confidence)
		}
	case c.Outcome == "blocked":
		fmt.Fprintf(&b, "The symptom remains and the policy gate blocked steps that could have helped (outcome `blocked`, exit %d):", c.ExitCode)
		for _, s := range c.Steps {
			if s.Result == "blocked" {
				fmt.Fprintf(&b, "\n- %s (`%s`), rule `%s`: %s", s.ID, s.Uses, s.Rule, oneLine(s.Reason))
			}
		}
	case ended != nil && ended.Uses == "dsregcmd.leave":
		fmt.Fprintf(&b, "Step %s made the device leave Entra ID (outcome `%s`, exit %d). The user must rejoin: Settings > Accounts > Access work or school > Connect; no tool can do it for them.", ended.ID, c.Outcome, c.ExitCode)
	case ended != nil:
		fmt.Fprintf(&b, "Every local fix the policy allowed was tried and the symptom remains; step %s (`%s`) handed the case to IT (outcome `%s`, exit %d).", ended.ID, ended.Uses, c.Outcome, c.ExitCode)
	default:
		fmt.Fprintf(&b, "The run ended with outcome `%s` (exit %d).", c.Outcome, c.ExitCode)
	}
	if c.Message != "" {
		fmt.Fprintf(&b, "\n\nThe run's message: %s", oneLine(c.Message))
	}
	return b.String()
}

func oneLine(s string) string {
	return clip(strings.Join(strings.Fields(s), " "), 2000)
}
