package escalation

import (
	"time"

	"github.com/caafix/caafix/device"
)

// Case is what a bundle is made of: the run's record and the device's
// evidence, as the executor kept them. Only RunID and Time are required;
// anything else that is missing is said to be missing in ESCALATION.md.
type Case struct {
	// Command made the bundle: "run" (a run that ended in exit 4) or
	// "collect" (caafix collect, which runs no step).
	Command        string
	RunID          string
	Time           time.Time // when the bundle was written
	Runbook        string
	RunbookVersion int
	// Outcome is the run's outcome (escalate, blocked; for collect,
	// healthy or not-fixed) and ExitCode the process exit code it maps to.
	Outcome  string
	ExitCode int
	Message  string        // the run's message for IT, if any
	Facts    *device.Facts // nil when the facts could not be read
	OS       OS
	// Dsreg is the raw output of dsregcmd /status, "" when not read.
	Dsreg string
	// Events is the raw output of the AAD events query (scripts.AADEvents),
	// "" when not read.
	Events string
	Steps  []Step
	// AuditLog is where the audit log is ("-" for stdout) and AuditLines
	// this run's lines in it, as [RunLines] reads them.
	AuditLog   string
	AuditLines []string
	AuditHead  string // the hash of the last line of this run written so far
	// Diagnosis, when set, ranks the cause families, most likely first. It
	// is optional: without it ESCALATION.md leaves the section out.
	Diagnosis []Family
	// Evidence is what the diagnosis was drawn from (facts.json has it
	// as "evidence"); nil when none was gathered.
	Evidence *device.Evidence
}

// Step is one step of the run and what became of it.
type Step struct {
	ID       string
	Uses     string
	Decision string // allow, block or skip
	Rule     string // the policy rule behind the decision
	Result   string // fixed, ran, failed, not-needed, ended, blocked, skipped, not-run
	Reason   string
}

// Family is one likely cause family with its evidence, as a diagnosis
// ranks them (the names are the simulator's faults: wam-cache,
// conditional-access, …).
type Family struct {
	Name       string   `json:"name"`
	Confidence float64  `json:"confidence"` // 0 to 1
	Evidence   []string `json:"evidence"`
}

// OS is the Windows version, from Win32_OperatingSystem.
type OS struct {
	Caption     string `json:"caption,omitempty"`      // Microsoft Windows 11 Enterprise
	Version     string `json:"version,omitempty"`      // 10.0.22631
	BuildNumber string `json:"build_number,omitempty"` // 22631
}

// String is "Microsoft Windows 11 Enterprise 10.0.22631 (build 22631)",
// or "unknown".
func (o OS) String() string {
	s := o.Caption
	if o.Version != "" {
		s = join(s, o.Version)
	}
	if o.BuildNumber != "" {
		s = join(s, "(build "+o.BuildNumber+")")
	}
	if s == "" {
		return "unknown"
	}
	return s
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}
