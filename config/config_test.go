package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/caafix/caafix/outcome"
)

func TestLoadGoodFile(t *testing.T) {
	cfg, err := Load(viper.New(), filepath.Join("testdata", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		got, want any
	}{
		{"state dir from the file", cfg.StateDir, "/var/lib/caafix-test"},
		{"output", cfg.Output, "json"},
		{"command timeout", cfg.Host.CommandTimeout, 90 * time.Second},
		{"start timeout default", cfg.Host.StartTimeout, 30 * time.Second},
		{"allow disruptive", cfg.Policy.AllowDisruptive, true},
		{"deny rules", len(cfg.Policy.Deny), 2},
		{"deny by uses", cfg.Policy.Deny[0].Uses, "office.repair"},
		{"deny reason", cfg.Policy.Deny[0].Reason, "Office is repaired through SCCM here"},
		{"deny by risk", cfg.Policy.Deny[1].Risk, "dangerous"},
		{"remapped reboot", cfg.Codes().Exit(outcome.RebootPending), 3010},
		{"remapped blocked", cfg.Codes().Exit(outcome.Blocked), 0},
		{"default kept", cfg.Codes().Exit(outcome.HostError), 7},
		{"lookback", cfg.Detect.Lookback, 12 * time.Hour},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		wants []string
	}{
		{"unknown keys name file, line and a suggestion", "unknown.yaml", []string{
			`testdata/unknown.yaml:2:1: polcy: unknown key`,
			`testdata/unknown.yaml:5:3: host.comand_timeout: unknown key; did you mean "host.command_timeout"?`,
		}},
		{"every bad value at once", "bad-values.yaml", []string{
			`output: "xml" is not an output format`,
			`host.command_timeout: "soon" is not a duration`,
			`policy.deny[0]: must name exactly one of uses, id or risk`,
			`policy.deny[1].risk: "scary" is not a risk`,
			`exit_codes.rebooted: unknown outcome "rebooted"`,
			`exit_codes.fixed: 70000 is not an exit code`,
		}},
		{"missing explicit file", "nope.yaml", []string{"testdata/nope.yaml: the configuration file does not exist"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(viper.New(), filepath.Join("testdata", c.file))
			if err == nil {
				t.Fatal("bad configuration loaded")
			}
			if outcome.Of(err) != outcome.Usage {
				t.Errorf("outcome = %v, want usage-error", outcome.Of(err))
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("no *Error in %T", err)
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// Flags beat the environment, which beats the file, which beats defaults.
func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "caafix.yaml")
	if err := os.WriteFile(file, []byte("state_dir: from-file\naudit_log: file.jsonl\noutput: json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CAAFIX_AUDIT_LOG", "env.jsonl")
	t.Setenv("CAAFIX_OUTPUT", "json")
	t.Setenv("CAAFIX_POLICY_ALLOW_DISRUPTIVE", "true")
	v := viper.New()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("output", "text", "")
	fs.String("state-dir", "", "")
	fs.String("audit-log", "", "")
	if err := fs.Parse([]string{"--output", "text"}); err != nil {
		t.Fatal(err)
	}
	if err := BindFlags(v, fs); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(v, file)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		got, want any
	}{
		{"flag beats env and file", cfg.Output, "text"},
		{"env beats file", cfg.AuditLog, "env.jsonl"},
		{"file beats default", cfg.StateDir, "from-file"},
		{"env sets nested keys", cfg.Policy.AllowDisruptive, true},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", "/state-home")
	cfg, err := Load(viper.New(), "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.File != "" || cfg.StateDir != filepath.Join("/state-home", "caafix") || cfg.AuditLog != filepath.Join("/state-home", "caafix", "logs", "audit.jsonl") {
		t.Errorf("defaults: %+v", cfg)
	}
}
