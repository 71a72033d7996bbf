package executor

import (
	"fmt"
	"strings"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/diagnose"
	"github.com/caafix/caafix/internal/scrub"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
)

// Result is what happened to one step.
type Result string

// The step results.
const (
	ResultBlocked   Result = "blocked"    // the policy gate blocked it
	ResultSkipped   Result = "skipped"    // the gate skipped it (rights, user session)
	ResultNotNeeded Result = "not-needed" // its pre-check found nothing to do
	ResultWouldRun  Result = "would-run"  // dry run: the action was not sent
	ResultFailed    Result = "failed"     // its action or post-check failed
	ResultRan       Result = "ran"        // it ran and verified; the symptom remains
	ResultFixed     Result = "fixed"      // it ran and the symptom is gone
	ResultEnded     Result = "ended"      // it ran and ended the run (restart, leave, escalate)
	ResultNotRun    Result = "not-run"    // the run ended before it
)

// StepReport is one step's line in the report.
type StepReport struct {
	ID       string         `json:"id"`
	Uses     string         `json:"uses"`
	Decision policy.Verdict `json:"decision"`
	Rule     string         `json:"rule"`
	Result   Result         `json:"result"`
	Reason   string         `json:"reason"`
	Commands []string       `json:"commands,omitempty"`
	Rollback string         `json:"rollback,omitempty"`
	Duration time.Duration  `json:"duration_ns"`
}

// Report is the outcome of a run, for the summary line and --output json.
type Report struct {
	RunID      string          `json:"run_id"`
	Mode       string          `json:"mode"`
	Runbook    string          `json:"runbook"`
	Version    int             `json:"runbook_version"`
	Outcome    outcome.Kind    `json:"-"`
	OutcomeStr string          `json:"outcome"`
	Device     string          `json:"device,omitempty"`
	Symptom    *device.Symptom `json:"symptom,omitempty"`
	FixedBy    string          `json:"fixed_by,omitempty"`
	Message    string          `json:"message,omitempty"`
	// Interrupted says that the run before this one was killed, and where.
	Interrupted string        `json:"interrupted,omitempty"`
	Facts       *device.Facts `json:"facts,omitempty"`
	// Evidence and Diagnosis are set by diagnose runs and evidence-ordered
	// runs with the symptom present.
	Evidence  *device.Evidence    `json:"evidence,omitempty"`
	Diagnosis *diagnose.Diagnosis `json:"diagnosis,omitempty"`
	Steps     []StepReport        `json:"steps"`
	Rollbacks []string            `json:"rollbacks,omitempty"`
	AuditHead string              `json:"audit_head,omitempty"`
	// Bundle is the escalation bundle's path; BundleError says why it is
	// missing or incomplete.
	Bundle      string        `json:"bundle,omitempty"`
	BundleError string        `json:"bundle_error,omitempty"`
	Error       string        `json:"error,omitempty"`
	Duration    time.Duration `json:"duration_ns"`
}

// MaxSummary is the longest summary line: Intune keeps 2,048 characters of
// the last line, RMM tools often less.
const MaxSummary = 2000

// Summary returns the one line that RMM tools and Intune keep: the outcome,
// what fixed it or why not, the rollback notes of the steps that ran, and
// the audit chain head.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "caafix %s: ", r.Outcome)
	switch {
	case r.Error != "":
		b.WriteString(r.Error)
	case r.Outcome == outcome.Fixed:
		fmt.Fprintf(&b, "fixed by step %s", r.FixedBy)
	case r.Outcome == outcome.Healthy && r.Message != "":
		b.WriteString(r.Message)
	case r.Outcome == outcome.Healthy:
		b.WriteString("no CAA50021 symptom; nothing changed")
	case r.Message != "":
		b.WriteString(r.Message)
	default:
		b.WriteString(r.stepLine())
	}
	clauses := []string{b.String()}
	if r.Outcome == outcome.Fixed && r.Message != "" {
		clauses = append(clauses, r.Message)
	}
	if r.Interrupted != "" {
		clauses = append(clauses, r.Interrupted)
	}
	if blocked := r.blocked(); blocked != "" && r.Outcome != outcome.Fixed && r.Outcome != outcome.Healthy {
		clauses = append(clauses, "blocked: "+blocked)
	}
	if len(r.Rollbacks) > 0 {
		clauses = append(clauses, "rollback: "+strings.Join(r.Rollbacks, " | "))
	}
	if r.BundleError != "" {
		clauses = append(clauses, "escalation bundle: "+r.BundleError)
	}
	// A message is a sentence: its full stop goes before the "; ".
	for i := range len(clauses) - 1 {
		clauses[i] = strings.TrimSuffix(strings.TrimRight(clauses[i], " "), ".")
	}
	tail := fmt.Sprintf(" [runbook %s v%d, run %s", r.Runbook, r.Version, r.RunID)
	if r.Runbook == "" {
		// A file refused before its bytes were parsed has no name yet.
		tail = " [run " + r.RunID
	}
	if r.Bundle != "" {
		// In the tail, so no clipping of the text before can cut it.
		tail += ", bundle " + r.Bundle
	}
	if r.AuditHead != "" {
		tail += ", audit head " + r.AuditHead
	}
	tail += "]"
	return clip(oneLine(scrub.Text(strings.Join(clauses, "; "))), MaxSummary-len(tail)) + tail
}

func (r *Report) stepLine() string {
	var parts []string
	for _, s := range r.Steps {
		if s.Result == ResultRan || s.Result == ResultFailed {
			parts = append(parts, s.ID+" "+string(s.Result))
		}
	}
	if len(parts) == 0 {
		return "no step could run"
	}
	return "symptom remains after " + strings.Join(parts, ", ")
}

func (r *Report) blocked() string {
	var parts []string
	for _, s := range r.Steps {
		if s.Result == ResultBlocked {
			parts = append(parts, s.ID+" ("+s.Rule+")")
		}
	}
	return strings.Join(parts, ", ")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func clip(s string, n int) string {
	if n < 1 {
		n = 1
	}
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary and mark the cut.
	cut := n - len("…")
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
