package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/viper"
)

func TestAuditKeys(t *testing.T) {
	isolate(t)
	cfg, err := Load(viper.New(), filepath.Join("testdata", "audit.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := Audit{MaxSizeMB: 20, MaxBackups: 30, MaxAgeDays: 365, Compress: true, RedactUsers: true,
		RedactKey: "9f86d081884c7d659a2feaa0c55ad015", EventLog: true}
	if cfg.Audit != want {
		t.Errorf("audit = %+v, want %+v", cfg.Audit, want)
	}
	def, err := Load(viper.New(), filepath.Join("testdata", "empty.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Audit{MaxSizeMB: 100}); def.Audit != want {
		t.Errorf("defaults = %+v, want %+v", def.Audit, want)
	}
}

func TestAuditKeysFromEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv("CAAFIX_AUDIT_REDACT_USERS", "true")
	t.Setenv("CAAFIX_AUDIT_MAX_SIZE_MB", "8")
	cfg, err := Load(viper.New(), filepath.Join("testdata", "audit.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Audit.RedactUsers || cfg.Audit.MaxSizeMB != 8 {
		t.Errorf("audit = %+v, want the environment's redact_users and max_size_mb", cfg.Audit)
	}
	t.Setenv("CAAFIX_AUDIT_MAX_SIZE_MB", "lots")
	_, err = Load(viper.New(), filepath.Join("testdata", "audit.yaml"))
	if err == nil || err.Error() != `CAAFIX_AUDIT_MAX_SIZE_MB: "lots" is not a whole number from 2 to 102400` {
		t.Errorf("error = %v", err)
	}
}

func TestAuditKeyErrors(t *testing.T) {
	isolate(t)
	file := filepath.Join("testdata", "audit-bad.yaml")
	_, err := Load(viper.New(), file)
	if err == nil {
		t.Fatal("no error")
	}
	want := strings.ReplaceAll(strings.TrimSpace(`
FILE:2:16: audit.max_size_mb: "1" is not a whole number from 2 to 102400
FILE:3:16: audit.max_backups: "-1" is not a whole number from 0 to 1048576
FILE:4:17: audit.max_age_days: must be a whole number, not "soon"
FILE:5:13: audit.compress: must be true or false, not "yes"
FILE:6:15: audit.redact_key: the key has 12 bytes; use at least 16 random ones, such as 64 hex digits
FILE:7:3: audit.event_log: unknown key; did you mean "audit.eventlog"?`), "FILE", file)
	if got := err.Error(); got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
}
