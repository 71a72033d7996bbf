package main

import (
	"io"
	"path/filepath"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
)

// redactKeyFile is the per-device redaction key, in the state dir, made
// when user redaction is on and no audit.redact_key is configured.
const redactKeyFile = "audit-redact.key"

// openTrail opens the audit log as configured: rotation, user redaction
// (with the configured key, or the device's own in stateDir) and the
// Windows Event Log.
func (a *app) openTrail(stateDir string) (*audit.Trail, error) {
	c := a.cfg.Audit
	opts := audit.Options{
		Rotate:      &audit.Rotation{MaxSizeMB: c.MaxSizeMB, MaxBackups: c.MaxBackups, MaxAgeDays: c.MaxAgeDays, Compress: c.Compress},
		RedactUsers: c.RedactUsers,
		EventLog:    c.EventLog,
	}
	if c.RedactUsers {
		opts.RedactKey = []byte(c.RedactKey)
		if c.RedactKey == "" {
			key, err := audit.LoadRedactKey(filepath.Join(stateDir, redactKeyFile))
			if err != nil {
				return nil, outcome.Errorf(outcome.HostError, "%w", err).
					WithHint("check the state dir's permissions, or configure audit.redact_key")
			}
			opts.RedactKey = key
		}
		a.redactKey = opts.RedactKey
	}
	return audit.Open(a.cfg.AuditLog, opts)
}

// redactOutput makes everything the run prints pass through the trail's
// user redaction, as the audit log does: the RMM tool keeps stdout.
func (a *app) redactOutput(t *audit.Trail) {
	if !a.cfg.Audit.RedactUsers {
		return
	}
	a.stdout = redactWriter{t, a.stdout}
	a.stderr = redactWriter{t, a.stderr}
}

// redactReport redacts the free text of a report before its summary line
// is made, so that the line is clipped after redaction.
func redactReport(t *audit.Trail, rep *executor.Report) {
	rep.Error, rep.Message = t.Redact(rep.Error), t.Redact(rep.Message)
	for i := range rep.Rollbacks {
		rep.Rollbacks[i] = t.Redact(rep.Rollbacks[i])
	}
	for i := range rep.Steps {
		rep.Steps[i].Reason = t.Redact(rep.Steps[i].Reason)
	}
}

// redactWriter redacts each write; every line caafix prints is one write.
type redactWriter struct {
	t *audit.Trail
	w io.Writer
}

func (r redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, r.t.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
