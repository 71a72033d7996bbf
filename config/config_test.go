package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/caafix/caafix/outcome"
)

// isolate clears every CAAFIX_* variable a developer's shell may hold and
// points the per-OS defaults at temporary directories. Tests that call it
// cannot run in parallel (t.Setenv).
func isolate(t *testing.T) (stateHome string) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "CAAFIX_") {
			t.Setenv(name, "") // viper ignores empty variables
		}
	}
	stateHome = t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", stateHome)
	t.Setenv("ProgramData", stateHome) // Windows
	return stateHome
}

func TestLoadGoodFiles(t *testing.T) {
	isolate(t)
	cfg, err := Load(viper.New(), filepath.Join("testdata", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sample, err := Load(viper.New(), filepath.Join("testdata", "sample.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		got, want any
	}{
		{"state dir from the file", cfg.StateDir, "/var/lib/caafix-test"},
		{"audit log default", cfg.AuditLog, DefaultAuditLog()},
		{"output", cfg.Output, "json"},
		{"command timeout", cfg.Host.CommandTimeout, 90 * time.Second},
		{"start timeout default", cfg.Host.StartTimeout, 30 * time.Second},
		{"allow disruptive", cfg.Policy.AllowDisruptive, true},
		{"deny rules", len(cfg.Policy.Deny), 2},
		{"deny by uses", cfg.Policy.Deny[0], DenyRule{Uses: "office.repair", Reason: "Office is repaired through SCCM here"}},
		{"deny by risk", cfg.Policy.Deny[1], DenyRule{Risk: "dangerous"}},
		{"remapped reboot", cfg.Codes().Exit(outcome.RebootPending), 3010},
		{"remapped blocked", cfg.Codes().Exit(outcome.Blocked), 0},
		{"default kept", cfg.Codes().Exit(outcome.HostError), 7},
		{"only remapped codes listed", len(cfg.ExitCodes), 2},
		{"lookback", cfg.Detect.Lookback, 12 * time.Hour},
		{"file recorded", cfg.File, filepath.Join("testdata", "good.yaml")},
		{"sample: empty state_dir is the default", sample.StateDir, DefaultStateDir()},
		{"sample: empty audit_log is the default", sample.AuditLog, DefaultAuditLog()},
		{"sample: flow-style deny rule", sample.Policy.Deny[0], DenyRule{Uses: "office.repair", Reason: "we repair Office through SCCM"}},
		{"sample: reboot-pending 3010", sample.Codes().Exit(outcome.RebootPending), 3010},
		{"sample: command timeout", sample.Host.CommandTimeout, 2 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

// Files that hold no setting give the defaults.
func TestDefaults(t *testing.T) {
	isolate(t)
	for _, file := range []string{"", "empty.yaml", "comments-only.yaml"} {
		t.Run("file "+file, func(t *testing.T) {
			path := ""
			if file != "" {
				path = filepath.Join("testdata", file)
			}
			cfg, err := Load(viper.New(), path)
			if err != nil {
				t.Fatal(err)
			}
			want := Config{
				StateDir: DefaultStateDir(), AuditLog: DefaultAuditLog(), Output: "text",
				Host:   Host{CommandTimeout: 2 * time.Minute, StartTimeout: 30 * time.Second},
				Detect: Detect{Lookback: 24 * time.Hour},
			}
			got := *cfg
			got.File, got.ExitCodes = "", nil
			if got.Policy.Deny != nil || len(cfg.ExitCodes) != 0 || !equalConfig(got, want) || cfg.File != path {
				t.Errorf("got %+v, want %+v", *cfg, want)
			}
		})
	}
}

func equalConfig(a, b Config) bool {
	return a.StateDir == b.StateDir && a.AuditLog == b.AuditLog && a.Output == b.Output &&
		a.Host == b.Host && a.Policy.AllowDisruptive == b.Policy.AllowDisruptive && a.Detect == b.Detect
}

// Every problem of a file at once, one per line, each with the file, its
// line and column, the key path and what to write instead.
func TestLoadErrors(t *testing.T) {
	isolate(t)
	cases := []struct {
		name string
		file string
		want string // FILE stands for the path
	}{
		{"unknown keys name file, line and a suggestion", "unknown.yaml", `
FILE:2:1: polcy: unknown key; did you mean "policy"?
FILE:5:3: host.comand_timeout: unknown key; did you mean "host.command_timeout"?`},
		{"every bad value at once", "bad-values.yaml", `
FILE:1:9: output: "xml" is not an output format: use text or json
FILE:3:20: host.command_timeout: "soon" is not a duration: write it like 90s, 2m or 1h
FILE:6:7: policy.deny[0]: must name exactly one of uses, id or risk, not 2
FILE:8:13: policy.deny[1].risk: "scary" is not a risk: use read, safe, low, disruptive or dangerous
FILE:9:13: policy.deny[2].risk: "declared" is not a risk: use read, safe, low, disruptive or dangerous (a script step is matched by the risk its author declares; deny every script with uses: script)
FILE:11:3: exit_codes.rebooted: unknown outcome "rebooted": use one of blocked, escalate, fixed, healthy, host-error, locked, not-fixed, reboot-pending, trust-error, usage-error
FILE:12:10: exit_codes.fixed: 70000 is not an exit code: use a whole number from 0 to 65535`},
		{"values of the wrong shape", "wrong-shapes.yaml", `
FILE:1:12: state_dir: must be text, not a list
FILE:2:7: host: must be a mapping of keys to values, not 5
FILE:4:21: policy.allow_disruptive: must be true or false, not "yes"
FILE:5:9: policy.deny: must be a list of rules such as - {uses: office.repair, reason: ...}, not a mapping
FILE:6:13: exit_codes: must be a mapping of outcome names to exit codes, such as reboot-pending: 3010, not a list
FILE:8:13: detect.lookback: must be a duration such as 2m, not a mapping`},
		{"deny rules", "deny-rules.yaml", `
FILE:3:13: policy.deny[0].uses: "office.repiar" is not a step type; did you mean "office.repair"?
FILE:4:11: policy.deny[1].id: "Restart" is not a step id: ids are 1 to 64 of a-z, 0-9 and -
FILE:5:13: policy.deny[2].uses: must be text, not 5
FILE:7:7: policy.deny[3].resaon: unknown key in a deny rule; did you mean "reason"?
FILE:8:7: policy.deny[4]: must be a mapping with one of uses, id or risk, and an optional reason, not "office.repair"
FILE:9:7: policy.deny[5]: must name exactly one of uses, id or risk, not 0`},
		{"exit codes", "exit-codes.yaml", `
FILE:2:3: exit_codes.Reboot-Pending: unknown outcome "Reboot-Pending": use one of blocked, escalate, fixed, healthy, host-error, locked, not-fixed, reboot-pending, trust-error, usage-error
FILE:3:10: exit_codes.fixed: -1 is not an exit code: use a whole number from 0 to 65535
FILE:4:13: exit_codes.escalate: 4 is not an exit code: use a whole number from 0 to 65535
FILE:5:14: exit_codes.not-fixed: 1.5 is not an exit code: use a whole number from 0 to 65535`},
		{"durations out of range", "durations.yaml", `
FILE:2:20: host.command_timeout: 0s must be between 1s and 1h
FILE:3:18: host.start_timeout: 11m must be between 1s and 10m
FILE:5:13: detect.lookback: "30" is not a duration: write it like 90s, 2m or 1h`},
		{"anchors refused", "anchors.yaml", `
FILE:1:7: YAML anchors (&) are not allowed: write the value out
FILE:3:9: YAML aliases (*) are not allowed: write the value out`},
		{"a list is no configuration", "list.yaml", `
FILE:1:1: the configuration must be a mapping of keys to values, such as output: json`},
		{"UTF-16 from PowerShell", "utf16.yaml", `
FILE: the file is UTF-16 text, as Windows PowerShell's > and Out-File write it; save it as UTF-8 (for example with Set-Content -Encoding utf8)`},
		{"missing explicit file", "nope.yaml", `
FILE: the configuration file does not exist`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join("testdata", c.file)
			_, err := Load(viper.New(), path)
			if err == nil {
				t.Fatal("bad configuration loaded")
			}
			checkError(t, err)
			want := strings.ReplaceAll(strings.TrimPrefix(c.want, "\n"), "FILE", path)
			if got := err.Error(); got != want {
				t.Errorf("error:\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// checkError checks the contract of every error Load returns: usage
// errors, found with errors.As, one per line.
func checkError(t *testing.T, err error) {
	t.Helper()
	if outcome.Of(err) != outcome.Usage {
		t.Errorf("outcome = %v, want usage-error", outcome.Of(err))
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("no *Error in %T", err)
	}
	var me *multierror.Error
	if errors.As(err, &me) {
		if got, want := strings.Count(err.Error(), "\n")+1, len(me.Errors); got != want {
			t.Errorf("%d problems on %d lines", want, got)
		}
		for _, e := range me.Errors {
			if !errors.As(e, &ce) {
				t.Errorf("%v is a %T, not an *Error", e, e)
			}
		}
	}
}

func TestMissingExplicitFileHasAHint(t *testing.T) {
	isolate(t)
	_, err := Load(viper.New(), filepath.Join(t.TempDir(), "caafix.yaml"))
	if hint := outcome.HintOf(err); !strings.Contains(hint, "--config") {
		t.Errorf("hint = %q, want one about --config", hint)
	}
}

func TestDefaultFileIsReadWhenItExists(t *testing.T) {
	isolate(t)
	if err := os.MkdirAll(filepath.Dir(DefaultFile()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(DefaultFile(), []byte("output: json\nhots: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(viper.New(), "")
	if want := DefaultFile() + `:2:1: hots: unknown key; did you mean "host"?`; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if err := os.WriteFile(DefaultFile(), []byte("output: json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(viper.New(), "")
	if err != nil || cfg.Output != "json" || cfg.File != DefaultFile() {
		t.Fatalf("cfg = %+v, err = %v", cfg, err)
	}
}

// flags builds the global flags of cmd/caafix and parses args.
func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("caafix", pflag.ContinueOnError)
	fs.String("config", "", "")
	fs.String("state-dir", "", "")
	fs.String("audit-log", "", "")
	fs.String("output", "text", "")
	fs.Bool("allow-disruptive", false, "")
	fs.Bool("allow-dangerous", false, "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

// Flags beat the environment, which beats the file, which beats defaults.
func TestPrecedence(t *testing.T) {
	isolate(t)
	file := filepath.Join(t.TempDir(), "caafix.yaml")
	if err := os.WriteFile(file, []byte("state_dir: from-file\naudit_log: file.jsonl\noutput: json\nhost: {command_timeout: 5m, start_timeout: 1m}\npolicy: {allow_disruptive: false}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CAAFIX_AUDIT_LOG", "env.jsonl")
	t.Setenv("CAAFIX_OUTPUT", "json")
	t.Setenv("CAAFIX_POLICY_ALLOW_DISRUPTIVE", "true")
	t.Setenv("CAAFIX_HOST_COMMAND_TIMEOUT", "45s")
	v := viper.New()
	if err := BindFlags(v, flags(t, "--output", "text")); err != nil {
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
		{"env sets nested booleans", cfg.Policy.AllowDisruptive, true},
		{"env sets nested durations", cfg.Host.CommandTimeout, 45 * time.Second},
		{"file beats default, nested", cfg.Host.StartTimeout, time.Minute},
		{"default when nothing sets it", cfg.Detect.Lookback, 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		file string // contents of the configuration file
		env  map[string]string
		want func(*Config) bool
	}{
		{"state-dir", []string{"--state-dir", "flag-state"}, "state_dir: file-state\n", nil,
			func(c *Config) bool { return c.StateDir == "flag-state" }},
		{"audit-log to stdout", []string{"--audit-log", "-"}, "", map[string]string{"CAAFIX_AUDIT_LOG": "env.jsonl"},
			func(c *Config) bool { return c.AuditLog == "-" }},
		{"allow-disruptive beats the file", []string{"--allow-disruptive"}, "policy: {allow_disruptive: false}\n", nil,
			func(c *Config) bool { return c.Policy.AllowDisruptive }},
		{"allow-disruptive=false beats the environment", []string{"--allow-disruptive=false"}, "", map[string]string{"CAAFIX_POLICY_ALLOW_DISRUPTIVE": "true"},
			func(c *Config) bool { return !c.Policy.AllowDisruptive }},
		{"an unset flag's default does not beat the file", nil, "output: json\n", nil,
			func(c *Config) bool { return c.Output == "json" }},
		{"an unset flag's default does not beat the environment", nil, "", map[string]string{"CAAFIX_OUTPUT": "json"},
			func(c *Config) bool { return c.Output == "json" }},
		{"an empty environment variable is unset", nil, "output: json\n", map[string]string{"CAAFIX_OUTPUT": ""},
			func(c *Config) bool { return c.Output == "json" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			isolate(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			file := filepath.Join(t.TempDir(), "caafix.yaml")
			if err := os.WriteFile(file, []byte(c.file), 0o600); err != nil {
				t.Fatal(err)
			}
			v := viper.New()
			if err := BindFlags(v, flags(t, c.args...)); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(v, file)
			if err != nil {
				t.Fatal(err)
			}
			if !c.want(cfg) {
				t.Errorf("got %+v", cfg)
			}
		})
	}
}

// A command that defines none of the configuration flags still loads.
func TestBindFlagsToleratesMissingFlags(t *testing.T) {
	isolate(t)
	v := viper.New()
	if err := BindFlags(v, pflag.NewFlagSet("version", pflag.ContinueOnError)); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(v, ""); err != nil {
		t.Fatal(err)
	}
}

// A bad value names where it came from: the flag, the variable or the
// file's line.
func TestErrorsNameTheSource(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		file string
		want string
	}{
		{"flag", []string{"--output", "xml"}, nil, "", `--output: "xml" is not an output format: use text or json`},
		{"environment", nil, map[string]string{"CAAFIX_OUTPUT": "yaml"}, "", `CAAFIX_OUTPUT: "yaml" is not an output format: use text or json`},
		{"environment boolean", nil, map[string]string{"CAAFIX_POLICY_ALLOW_DISRUPTIVE": "yes"}, "",
			`CAAFIX_POLICY_ALLOW_DISRUPTIVE: "yes" is not true or false`},
		{"environment duration", nil, map[string]string{"CAAFIX_DETECT_LOOKBACK": "60d"}, "",
			`CAAFIX_DETECT_LOOKBACK: "60d" is not a duration: write it like 90s, 2m or 1h`},
		{"file under a good flag", []string{"--output", "json"}, nil, "host: {start_timeout: 0s}\n",
			`FILE:1:23: host.start_timeout: 0s must be between 1s and 10m`},
		{"flag and file both bad: the flag's value is reported", []string{"--output", "xml"}, nil, "output: csv\n",
			`--output: "xml" is not an output format: use text or json`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			isolate(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			file := filepath.Join(t.TempDir(), "caafix.yaml")
			if err := os.WriteFile(file, []byte(c.file), 0o600); err != nil {
				t.Fatal(err)
			}
			v := viper.New()
			if err := BindFlags(v, flags(t, c.args...)); err != nil {
				t.Fatal(err)
			}
			_, err := Load(v, file)
			if err == nil {
				t.Fatal("loaded")
			}
			checkError(t, err)
			if want := strings.ReplaceAll(c.want, "FILE", file); err.Error() != want {
				t.Errorf("error:\n got: %s\nwant: %s", err, want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  Error
		want string
	}{
		{"file position and key", Error{File: "c.yaml", Line: 2, Col: 3, Key: "host.x", Problem: "unknown key"}, "c.yaml:2:3: host.x: unknown key"},
		{"file without position", Error{File: "c.yaml", Problem: "does not exist"}, "c.yaml: does not exist"},
		{"flag", Error{From: "--output", Key: "output", Problem: "bad"}, "--output: bad"},
		{"no source", Error{Key: "output", Problem: "bad"}, "configuration: output: bad"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.err.Error(); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestEnvVar(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"state_dir":               "CAAFIX_STATE_DIR",
		"policy.allow_disruptive": "CAAFIX_POLICY_ALLOW_DISRUPTIVE",
		"host.command_timeout":    "CAAFIX_HOST_COMMAND_TIMEOUT",
	} {
		if got := EnvVar(key); got != want {
			t.Errorf("EnvVar(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestParserCostLimits(t *testing.T) {
	isolate(t)
	cases := []struct {
		name string
		src  string
		want string
	}{
		{"deep flow nesting", "host: " + strings.Repeat("{a: ", 50_000), "the YAML nests more than 32 levels deep"},
		{"too many tokens", "exit_codes: {" + strings.Repeat("fixed: 1, ", 5000) + "}\n", "the file has more than 10000 YAML tokens"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(viper.New(), "big.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			checkError(t, err)
		})
	}
}

func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := load(viper.New(), "fuzz.yaml", data)
		if err != nil {
			if cfg != nil {
				t.Fatal("a configuration and an error")
			}
			checkError(t, err)
			return
		}
		if cfg.Output != "text" && cfg.Output != "json" || cfg.StateDir == "" || cfg.AuditLog == "" ||
			cfg.Host.CommandTimeout < time.Second || cfg.Host.CommandTimeout > time.Hour ||
			cfg.Detect.Lookback < time.Minute {
			t.Fatalf("accepted an invalid configuration: %+v", cfg)
		}
		for _, r := range cfg.Policy.Deny {
			n := 0
			for _, s := range []string{r.Uses, r.ID, r.Risk} {
				if s != "" {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("accepted deny rule %+v", r)
			}
		}
		for name, code := range cfg.ExitCodes {
			if _, err := outcome.Parse(name); err != nil || code < 0 || code > 65535 {
				t.Fatalf("accepted exit code %s: %d", name, code)
			}
		}
	})
}

func TestTrustPublicKeys(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	const key = "RWRKMcnAZkNLn1AjZgIkx2JfknNheLV3I21OwFGofzilGOUNPT2GUd9F"
	pub := "untrusted comment: minisign public key 9F4B4366C0C9314A\n" + key + "\n"
	if err := os.WriteFile(filepath.Join(dir, "team.pub"), []byte(pub), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("trust:\n  public_keys:\n    - "+key+"\n    - team.pub\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(viper.New(), good)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{key, filepath.Join(dir, "team.pub")}
	if strings.Join(cfg.Trust.PublicKeys, "|") != strings.Join(want, "|") {
		t.Errorf("trust.public_keys = %q, want %q (a relative file is relative to the config)", cfg.Trust.PublicKeys, want)
	}

	cases := []loadErrorCase{
		{"not a key nor a file", "trust:\n  public_keys:\n    - RWQnotakey\n", "trust.public_keys[0]: \"RWQnotakey\" is neither a minisign public key (RWQ…) nor a readable .pub file"},
		{"missing file", "trust:\n  public_keys:\n    - " + key + "\n    - none.pub\n", "trust.public_keys[1]: "},
		{"not a list", "trust:\n  public_keys: " + key + "\n", "trust.public_keys: must be a list"},
		{"number in the list", "trust:\n  public_keys:\n    - 7\n", "trust.public_keys[0]: must be text"},
	}
	loadErrors(t, dir, cases)
}

func TestTrustCertificates(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	root, err := os.ReadFile(filepath.Join("..", "signing", "testdata", "x509", "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "root.pem"), root, 0o644); err != nil {
		t.Fatal(err)
	}
	inline := "    - |\n      " + strings.ReplaceAll(strings.TrimSpace(string(root)), "\n", "\n      ") + "\n"
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("trust:\n  certificates:\n    - root.pem\n"+inline), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(viper.New(), good)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Trust.Certificates) != 2 || cfg.Trust.Certificates[0] != filepath.Join(dir, "root.pem") ||
		cfg.Trust.Certificates[1] != strings.TrimSpace(string(root)) {
		t.Errorf("trust.certificates = %q, want the file relative to the config, then the inline PEM", cfg.Trust.Certificates)
	}

	cases := []loadErrorCase{
		{"missing file", "trust:\n  certificates:\n    - none.pem\n", "trust.certificates[0]: \"" + filepath.Join(dir, "none.pem") + "\" is neither inline PEM nor a readable certificate file"},
		{"a private key", "trust:\n  certificates:\n    - |\n      -----BEGIN PRIVATE KEY-----\n      AAAA\n      -----END PRIVATE KEY-----\n", "trust.certificates[0]: the inline PEM holds a PRIVATE KEY block"},
		{"not a list", "trust:\n  certificates: root.pem\n", "trust.certificates: must be a list"},
		{"number in the list", "trust:\n  certificates:\n    - 7\n", "trust.certificates[0]: must be text"},
	}
	loadErrors(t, dir, cases)
}

// A loadErrorCase is a configuration file and the error it must give.
type loadErrorCase struct{ name, yaml, want string }

// loadErrors loads each case's YAML from dir and wants a usage error
// containing the case's text.
func loadErrors(t *testing.T, dir string, cases []loadErrorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, "bad.yaml")
			if err := os.WriteFile(file, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(viper.New(), file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load = %v, want an error containing %q", err, c.want)
			}
			if outcome.Of(err) != outcome.Usage {
				t.Errorf("outcome %v, want usage-error", outcome.Of(err))
			}
		})
	}
}
