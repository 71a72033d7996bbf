package executor

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/outcome"
)

// VersionsFile records, per runbook name, the highest version that ran on
// this device (rollback protection). An attacker who holds an old signed
// runbook — still valid, since signatures do not expire — cannot bring
// back what a newer version fixed. Embedded runbooks take part under the
// same names: a binary downgrade that ships an older embedded runbook is
// a rollback too.
const VersionsFile = "runbook-versions.json"

// maxVersions bounds how much of the record is read: the state dir is
// admin-only, but a damaged file must not cost memory.
const maxVersions = 1 << 20

// Rule names for the runbook checks made before the host starts.
const (
	RuleRollback  = "rollback"
	RuleExpired   = "expired"
	RuleSignature = "signature" // the file's signature check failed (Options.Refused)
)

// versionRecord is the file's content.
type versionRecord struct {
	Runbooks map[string]versionEntry `json:"runbooks"`
}

// versionEntry is the highest version of one runbook that ran.
type versionEntry struct {
	Version int       `json:"version"`
	SHA256  string    `json:"runbook_sha256"`
	Signer  string    `json:"signer"`
	RunID   string    `json:"run_id"`
	Time    time.Time `json:"time"`
}

// readVersions returns the record in dir; an empty one when there is none.
// A damaged record is a trust failure: guessing it empty would turn
// rollback protection off.
func readVersions(dir string) (versionRecord, error) {
	rec := versionRecord{Runbooks: map[string]versionEntry{}}
	path := filepath.Join(dir, VersionsFile)
	b, ok, err := readRecord(dir, VersionsFile, maxVersions)
	if err != nil {
		return rec, fmt.Errorf("read the runbook version record %s: %w", path, err)
	}
	if !ok {
		return rec, nil
	}
	var got versionRecord // not rec: a file without "runbooks" is damaged too
	if len(b) > maxVersions || json.Unmarshal(b, &got) != nil || got.Runbooks == nil {
		return rec, outcome.Errorf(outcome.Trust, "the runbook version record %s is damaged: rollback protection cannot tell which versions ran", path).
			WithHint("restore it from a backup; or, knowing that this accepts any version once, move it aside and run the newest runbook")
	}
	return got, nil
}

// writeVersions writes the record atomically (temp file, fsync, rename).
func writeVersions(dir string, rec versionRecord) error {
	if dir == "" {
		return nil
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(dir, VersionsFile, append(b, '\n'))
}

// refuse records a runbook file refused by its signature check and ends
// the run with that refusal: the fleet's audit trail shows the attempt
// (an unsigned, tampered or foreign runbook pushed to the device).
func (x *run) refuse() (outcome.Kind, error) {
	rb := x.o.Runbook
	x.healDone = true // the self-healing record was not read: it stays as it is
	if err := x.write(audit.Event{Name: "runbook.check", Decision: "block", Rule: RuleSignature, Reason: x.o.Refused.Error(),
		Fields: map[string]any{"file": rb.Source}}); err != nil {
		return outcome.HostError, err
	}
	return outcome.Trust, x.o.Refused
}

// checkRunbook refuses, before the host starts, a runbook past its
// expires date (freeze protection) and one older than the highest version
// of the same name that ran here (rollback protection), unless
// --allow-downgrade was given; an allowed downgrade is audited. A real
// run raises the record; plans and dry runs only check it.
func (x *run) checkRunbook() (outcome.Kind, error) {
	rb := x.o.Runbook
	now := x.o.Now()
	if !rb.Expires.IsZero() && !now.Before(rb.Expires) {
		reason := fmt.Sprintf("runbook %s version %d expired at %s (its expires: key)", rb.Name, rb.Version, rb.Expires.Format(time.RFC3339))
		if err := x.write(audit.Event{Name: "runbook.check", Decision: "block", Rule: RuleExpired, Reason: reason,
			Fields: map[string]any{"expires": rb.Expires.Format(time.RFC3339)}}); err != nil {
			return outcome.HostError, err
		}
		return outcome.Trust, outcome.Errorf(outcome.Trust, "%s: %s; an expired runbook is refused so that an old one cannot be replayed for ever", rb.Source, reason).
			WithHint("get the current signed release from its author (a new version with a later expires:)")
	}
	rec, err := readVersions(x.o.StateDir)
	if err != nil {
		return outcome.Of(err), err
	}
	prev, seen := rec.Runbooks[rb.Name]
	if seen && rb.Version < prev.Version {
		reason := fmt.Sprintf("runbook %s version %d is older than version %d, which ran on this device at %s (run %s)",
			rb.Name, rb.Version, prev.Version, prev.Time.UTC().Format(time.RFC3339), prev.RunID)
		decision := "block"
		if x.o.AllowDowngrade {
			decision, reason = "allow", reason+"; allowed by --allow-downgrade"
		}
		if err := x.write(audit.Event{Name: "runbook.check", Decision: decision, Rule: RuleRollback, Reason: reason,
			Fields: map[string]any{"recorded_version": prev.Version, "recorded_sha256": prev.SHA256}}); err != nil {
			return outcome.HostError, err
		}
		if !x.o.AllowDowngrade {
			arg := rb.Source
			if strings.HasPrefix(arg, "embedded:") {
				arg = rb.Name
			}
			return outcome.Trust, outcome.Errorf(outcome.Trust, "%s: %s; rollback protection refuses an older version", rb.Source, reason).
				WithHint(fmt.Sprintf("run version %d or newer of %s; a technician who means to go back runs \"caafix run --allow-downgrade %s\" (audited)", prev.Version, rb.Name, arg))
		}
		x.progress("trust   %s", reason)
	}
	if x.o.Mode != ModeRun || (seen && rb.Version <= prev.Version) {
		return 0, nil
	}
	rec.Runbooks[rb.Name] = versionEntry{Version: rb.Version, SHA256: rb.SHA256, Signer: x.o.Signer, RunID: x.rep.RunID, Time: now.UTC()}
	if err := writeVersions(x.o.StateDir, rec); err != nil {
		return outcome.HostError, fmt.Errorf("record runbook %s version %d for rollback protection: %w", rb.Name, rb.Version, err)
	}
	return 0, nil
}
