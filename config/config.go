package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/hashicorp/go-multierror"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/caafix/caafix/internal/strictyaml"
	"github.com/caafix/caafix/outcome"
)

// Config is caafix's configuration.
type Config struct {
	StateDir  string
	AuditLog  string // a file, or "-" for stdout
	Output    string // text or json
	Host      Host
	Policy    Policy
	ExitCodes map[string]int // outcome name → exit code
	Detect    Detect
	File      string // the file read, "" when none
}

// Host tunes the PowerShell host.
type Host struct {
	CommandTimeout time.Duration
	StartTimeout   time.Duration
}

// Policy is the configured part of the policy gate.
type Policy struct {
	AllowDisruptive bool
	Deny            []DenyRule
}

// DenyRule denies steps by exactly one of Uses, ID or Risk.
type DenyRule struct {
	Uses, ID, Risk, Reason string
}

// Detect tunes symptom detection.
type Detect struct {
	Lookback time.Duration
}

// Codes returns the exit-code remapping.
func (c *Config) Codes() outcome.Codes {
	out := outcome.Codes{}
	for name, code := range c.ExitCodes {
		if k, err := outcome.Parse(name); err == nil {
			out[k] = code
		}
	}
	return out
}

// An Error is a problem in the configuration.
type Error struct {
	File      string // "" for flags and environment
	Key       string
	Line, Col int
	Problem   string
}

func (e *Error) Error() string {
	where := e.File
	if where == "" {
		where = "configuration"
	}
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", where, e.Line, e.Col)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Problem)
	}
	return fmt.Sprintf("%s: %s", where, e.Problem)
}

// Outcome reports a usage error: exit 2.
func (e *Error) Outcome() outcome.Kind { return outcome.Usage }

// keys are the configuration keys, with their kinds, as viper names them.
var keys = map[string]string{
	"state_dir": "string", "audit_log": "string", "output": "string",
	"host.command_timeout": "duration", "host.start_timeout": "duration",
	"policy.allow_disruptive": "bool", "policy.deny": "deny",
	"exit_codes": "codes", "detect.lookback": "duration",
}

// flagKeys maps command-line flags to configuration keys.
var flagKeys = map[string]string{
	"state-dir": "state_dir", "audit-log": "audit_log", "output": "output",
	"allow-disruptive": "policy.allow_disruptive",
}

// BindFlags binds the flags a command defines to their keys.
func BindFlags(v *viper.Viper, flags *pflag.FlagSet) error {
	for flag, key := range flagKeys {
		if f := flags.Lookup(flag); f != nil {
			if err := v.BindPFlag(key, f); err != nil {
				return fmt.Errorf("bind --%s: %w", flag, err)
			}
		}
	}
	return nil
}

// Load reads the configuration. file is the --config flag: when set it
// must exist; when empty the default file is read if it exists.
func Load(v *viper.Viper, file string) (*Config, error) {
	v.SetDefault("state_dir", DefaultStateDir())
	v.SetDefault("audit_log", DefaultAuditLog())
	v.SetDefault("output", "text")
	v.SetDefault("host.command_timeout", "2m")
	v.SetDefault("host.start_timeout", "30s")
	v.SetDefault("policy.allow_disruptive", false)
	v.SetDefault("detect.lookback", "24h")
	v.SetEnvPrefix("CAAFIX")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()

	var errs []*Error
	cfg := &Config{}
	path := file
	if path == "" {
		if _, err := os.Stat(DefaultFile()); err == nil {
			path = DefaultFile()
		}
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, (&Error{File: path, Problem: "the configuration file does not exist"})
			}
			return nil, &Error{File: path, Problem: fmt.Sprintf("cannot read the configuration file: %v", err)}
		}
		errs = append(errs, checkFile(path, data)...)
		if len(errs) == 0 {
			v.SetConfigType("yaml")
			if err := v.ReadConfig(strings.NewReader(string(data))); err != nil {
				errs = append(errs, &Error{File: path, Problem: fmt.Sprintf("cannot parse: %v", err)})
			}
		}
		cfg.File = path
	}
	if len(errs) == 0 {
		errs = append(errs, fill(v, cfg, path)...)
	}
	if len(errs) > 0 {
		var me *multierror.Error
		for _, e := range errs {
			me = multierror.Append(me, e)
		}
		me.ErrorFormat = func(es []error) string {
			lines := make([]string, len(es))
			for i, e := range es {
				lines[i] = e.Error()
			}
			return strings.Join(lines, "\n")
		}
		return nil, me
	}
	return cfg, nil
}

// checkFile decodes the file strictly to find unknown keys with their lines.
func checkFile(path string, data []byte) []*Error {
	root, probs := strictyaml.Parse(data)
	var errs []*Error
	for _, p := range probs {
		errs = append(errs, &Error{File: path, Line: p.Line, Col: p.Col, Problem: p.Msg})
	}
	if root == nil {
		return errs
	}
	var walk func(n ast.Node, prefix string)
	walk = func(n ast.Node, prefix string) {
		fields, probs, ok := strictyaml.Mapping(n)
		if !ok {
			errs = append(errs, &Error{File: path, Key: strings.TrimSuffix(prefix, "."), Line: strictyaml.Line(n), Col: strictyaml.Col(n), Problem: "must be a mapping"})
			return
		}
		for _, p := range probs {
			errs = append(errs, &Error{File: path, Line: p.Line, Col: p.Col, Problem: p.Msg})
		}
		for _, f := range fields {
			key := prefix + f.Key
			if _, known := keys[key]; known {
				continue
			}
			if isSection(key) {
				walk(f.Value, key+".")
				continue
			}
			problem := "unknown key"
			if near := strictyaml.Closest(key, knownKeys()); near != "" {
				problem += fmt.Sprintf("; did you mean %q?", near)
			} else {
				problem += "; known keys: " + strings.Join(knownKeys(), ", ")
			}
			errs = append(errs, &Error{File: path, Key: key, Line: strictyaml.Line(f.KeyAt), Col: strictyaml.Col(f.KeyAt), Problem: problem})
		}
	}
	walk(root, "")
	return errs
}

func isSection(prefix string) bool {
	for k := range keys {
		if strings.HasPrefix(k, prefix+".") {
			return true
		}
	}
	return false
}

func knownKeys() []string {
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fill reads every key from viper into cfg and validates it.
func fill(v *viper.Viper, cfg *Config, file string) []*Error {
	var errs []*Error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{File: file, Key: key, Problem: fmt.Sprintf(format, args...)})
	}
	dur := func(key string, lo, hi time.Duration) time.Duration {
		s := v.GetString(key)
		d, err := time.ParseDuration(s)
		if err != nil {
			bad(key, "%q is not a duration: write it like 90s, 2m or 1h", s)
			return 0
		}
		if d < lo || d > hi {
			bad(key, "%s must be between %s and %s", d, lo, hi)
		}
		return d
	}
	cfg.StateDir = v.GetString("state_dir")
	cfg.AuditLog = v.GetString("audit_log")
	if cfg.StateDir == "" {
		bad("state_dir", "must not be empty")
	}
	if cfg.AuditLog == "" {
		bad("audit_log", `must not be empty (use "-" for stdout)`)
	}
	cfg.Output = v.GetString("output")
	if cfg.Output != "text" && cfg.Output != "json" {
		bad("output", "%q is not an output format: use text or json", cfg.Output)
	}
	cfg.Host.CommandTimeout = dur("host.command_timeout", time.Second, time.Hour)
	cfg.Host.StartTimeout = dur("host.start_timeout", time.Second, 10*time.Minute)
	cfg.Detect.Lookback = dur("detect.lookback", time.Minute, 30*24*time.Hour)
	switch s := strings.ToLower(v.GetString("policy.allow_disruptive")); s {
	case "true", "1", "yes":
		cfg.Policy.AllowDisruptive = true
	case "false", "0", "no", "":
	default:
		bad("policy.allow_disruptive", "%q is not true or false", s)
	}
	if raw := v.Get("policy.deny"); raw != nil {
		list, ok := raw.([]any)
		if !ok {
			bad("policy.deny", "must be a list of rules such as {uses: office.repair, reason: ...}")
		}
		for i, item := range list {
			m, ok := item.(map[string]any)
			key := fmt.Sprintf("policy.deny[%d]", i)
			if !ok {
				bad(key, "must be a mapping with one of uses, id or risk, and an optional reason")
				continue
			}
			var r DenyRule
			n := 0
			for k, val := range m {
				s, _ := val.(string)
				switch k {
				case "uses":
					r.Uses, n = s, n+1
				case "id":
					r.ID, n = s, n+1
				case "risk":
					r.Risk, n = s, n+1
					if !contains([]string{"read", "safe", "low", "disruptive", "dangerous", "declared"}, s) {
						bad(key+".risk", "%q is not a risk: use read, safe, low, disruptive, dangerous or declared", s)
					}
				case "reason":
					r.Reason = s
				default:
					bad(key+"."+k, "unknown key; a deny rule has uses, id, risk and reason")
				}
			}
			if n != 1 {
				bad(key, "must name exactly one of uses, id or risk")
			}
			cfg.Policy.Deny = append(cfg.Policy.Deny, r)
		}
	}
	cfg.ExitCodes = map[string]int{}
	for name, val := range v.GetStringMap("exit_codes") {
		key := "exit_codes." + name
		if _, err := outcome.Parse(name); err != nil {
			bad(key, "%v", err)
			continue
		}
		code, ok := toInt(val)
		if !ok || code < 0 || code > 65535 {
			bad(key, "%v is not an exit code: use a whole number from 0 to 65535", val)
			continue
		}
		cfg.ExitCodes[name] = code
	}
	return errs
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case uint64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
