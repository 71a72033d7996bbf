package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/internal/strictyaml"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/signing"
)

// Config is caafix's configuration, validated.
type Config struct {
	StateDir  string // never empty
	AuditLog  string // a file, or "-" for stdout; never empty
	Output    string // text or json
	Host      Host
	Policy    Policy
	ExitCodes map[string]int // outcome name → process exit code; only the remapped ones
	Detect    Detect
	Trust     Trust
	SelfHeal  SelfHeal
	// MaxReboots bounds the restarts one run may schedule (1 to 10,
	// default 2); past it the run escalates.
	MaxReboots int
	// MaintenanceWindows are when disruptive steps may run without
	// --allow-disruptive, in self-healing runs too (device local time).
	MaintenanceWindows []policy.Window
	Audit              Audit
	File               string // the configuration file read, "" when none
}

// Audit tunes the audit trail (docs/audit.md): rotation, user redaction
// and the Windows Event Log.
type Audit struct {
	MaxSizeMB   int  // rotate the file at this size, 2 to 102400 (default 100)
	MaxBackups  int  // rotated files to keep; 0 keeps all
	MaxAgeDays  int  // remove rotated files older than this; 0 keeps them
	Compress    bool // gzip rotated files
	RedactUsers bool // replace user names and e-mail addresses with keyed tokens
	// RedactKey is the redaction key, at least 16 bytes; "" means a key
	// made for this device in the state dir. One key for the fleet lets
	// reviewers group a user across devices.
	RedactKey string
	EventLog  bool // copy every line to the Windows Event Log
}

// Host tunes the PowerShell host.
type Host struct {
	CommandTimeout time.Duration // default per-command timeout, 1s to 1h
	StartTimeout   time.Duration // how long powershell.exe may take to start, 1s to 10m
}

// Policy is the configured part of the policy gate. It can only deny more
// than the built-in rules; nothing here can allow what they block, and
// dangerous steps need --allow-dangerous on the command line, which is no
// configuration key.
type Policy struct {
	AllowDisruptive bool
	Deny            []DenyRule
}

// DenyRule denies steps by exactly one of Uses (a step type), ID (a
// runbook's step id) or Risk (read, safe, low, disruptive or dangerous; a
// script step is matched by the risk its author declared).
type DenyRule struct {
	Uses, ID, Risk string
	Reason         string // shown in the plan and the audit log; may be ""
}

// Trust is the trust store for runbook files: the keys whose signatures
// caafix accepts. Empty: no runbook file runs; embedded runbooks do.
type Trust struct {
	// PublicKeys are minisign public key lines ("RW…") or paths of
	// minisign .pub files; a relative path is relative to the
	// configuration file's folder. Each has been checked to parse.
	PublicKeys []string
	// Certificates are the trusted anchors for X.509 signatures
	// (RUNBOOK.p7s): inline PEM, or paths of PEM or DER certificate files,
	// relative to the configuration file's folder. Each has been checked
	// to parse.
	Certificates []string
}

// Detect tunes symptom detection.
type Detect struct {
	Lookback time.Duration // how far back to look for CAA50021 events, 1m to 720h
}

// Codes returns the exit-code remapping for [outcome.Codes.Exit].
func (c *Config) Codes() outcome.Codes {
	out := outcome.Codes{}
	for name, code := range c.ExitCodes {
		if k, err := outcome.Parse(name); err == nil {
			out[k] = code
		}
	}
	return out
}

// Risks are the risk names a deny rule may use, as package steps declares
// them. The design's catalogue gives the script step's risk as
// "declared": a script is judged by the risk its author declares, so a
// rule denies scripts with uses: script, not with a risk of its own.
var Risks = []string{"read", "safe", "low", "disruptive", "dangerous"}

// MaxSize is the largest configuration file accepted, in bytes.
const MaxSize = 1 << 20

// An Error is a problem in the configuration. Nothing has touched the
// device yet, so it is always a usage error (exit 2).
type Error struct {
	File      string // the configuration file, when the value came from it
	Line, Col int    // the position in File; 0 when unknown
	From      string // "--flag" or "CAAFIX_VAR" when the value came from there
	Key       string // the key path: "host.command_timeout", "policy.deny[1].risk"
	Problem   string // what is wrong and what to write instead
	Hint      string // shown on its own line, optional
}

// Error returns "file:line:col: key: problem", "CAAFIX_VAR: problem" or
// "--flag: problem".
func (e *Error) Error() string {
	if e.From != "" {
		return fmt.Sprintf("%s: %s", e.From, e.Problem)
	}
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

// UserHint returns the hint, for [outcome.HintOf].
func (e *Error) UserHint() string { return e.Hint }

// kind is the shape of a configuration key's value.
type kind int

const (
	kText kind = iota
	kDuration
	kBool
	kSection  // a mapping of further keys
	kDeny     // the list of deny rules
	kExitCode // the mapping of outcome names to exit codes
	kList     // a list of text values
	kInt      // a whole number
	kWindows  // the list of maintenance windows
)

// keys are the configuration keys, as paths, with their shapes.
var keys = map[string]kind{
	"state_dir":               kText,
	"audit_log":               kText,
	"output":                  kText,
	"host":                    kSection,
	"host.command_timeout":    kDuration,
	"host.start_timeout":      kDuration,
	"policy":                  kSection,
	"policy.allow_disruptive": kBool,
	"policy.deny":             kDeny,
	"exit_codes":              kExitCode,
	"detect":                  kSection,
	"detect.lookback":         kDuration,
	"trust":                   kSection,
	"trust.public_keys":       kList,
	"self_heal":               kSection,
	"max_reboots":             kInt,
	"self_heal.max_failures":  kInt,
	"self_heal.backoff":       kDuration,
	"self_heal.max_backoff":   kDuration,
	"self_heal.recheck_after": kDuration,
	"maintenance_windows":     kWindows,
	"trust.certificates":      kList,
	"audit":                   kSection,
	"audit.max_size_mb":       kInt,
	"audit.max_backups":       kInt,
	"audit.max_age_days":      kInt,
	"audit.compress":          kBool,
	"audit.redact_users":      kBool,
	"audit.redact_key":        kText,
	"audit.eventlog":          kBool,
}

// flagKeys maps command-line flags to configuration keys.
var flagKeys = map[string]string{
	"state-dir":        "state_dir",
	"audit-log":        "audit_log",
	"output":           "output",
	"allow-disruptive": "policy.allow_disruptive",
}

// denyKeys are the keys of one deny rule; the first three are selectors.
var denyKeys = []string{"uses", "id", "risk", "reason"}

var idPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// BindFlags binds the flags that fs defines to their configuration keys:
// --state-dir, --audit-log, --output and --allow-disruptive. A command
// that does not define one of them simply does not bind it.
func BindFlags(v *viper.Viper, fs *pflag.FlagSet) error {
	for _, flag := range sortedKeys(flagKeys) {
		f := fs.Lookup(flag)
		if f == nil {
			continue
		}
		if err := v.BindPFlag(flagKeys[flag], f); err != nil {
			return fmt.Errorf("bind --%s: %w", flag, err)
		}
	}
	return nil
}

// EnvVar returns the environment variable that sets key:
// CAAFIX_POLICY_ALLOW_DISRUPTIVE for policy.allow_disruptive.
func EnvVar(key string) string {
	return "CAAFIX_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Load reads the configuration into v and validates it. Precedence:
// flags bound with [BindFlags] > CAAFIX_* environment variables > the file
// > the per-OS defaults. file is the --config flag: when set it must exist;
// when "" the [DefaultFile] is read if it exists.
//
// The error, when not nil, holds every problem found, each an [*Error];
// several are a *multierror.Error that lists them one per line, file
// problems first, by position.
func Load(v *viper.Viper, file string) (*Config, error) {
	path := file
	if path == "" {
		switch _, err := os.Stat(DefaultFile()); {
		case err == nil:
			path = DefaultFile()
		case !errors.Is(err, fs.ErrNotExist):
			return nil, &Error{File: DefaultFile(), Problem: fmt.Sprintf("cannot read the configuration file: %v", cause(err))}
		}
	}
	var data []byte
	if path != "" {
		var err error
		if data, err = readFile(path, file != ""); err != nil {
			return nil, err
		}
	}
	return load(v, path, data)
}

// load is Load after the file, if any, has been read: path is "" when
// there is none.
func load(v *viper.Viper, path string, data []byte) (*Config, error) {
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

	l := &loader{v: v, file: path, index: map[string]node{}}
	if path != "" {
		if !l.checkFile(data) {
			return nil, l.result()
		}
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM))); err != nil {
			// viper's YAML errors run over several lines; ours are one.
			l.add(&Error{File: path, Problem: "cannot parse: " + strings.Join(strings.Fields(err.Error()), " ")})
			return nil, l.result()
		}
	}
	cfg := &Config{File: path}
	l.fill(cfg)
	if len(l.errs) > 0 {
		return nil, l.result()
	}
	return cfg, nil
}

// readFile reads the configuration file; explicit says the user named it.
func readFile(path string, explicit bool) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		e := &Error{File: path, Problem: "the configuration file does not exist"}
		if explicit {
			e.Hint = "check the --config path, or leave --config out to use " + DefaultFile() + " when it exists"
		}
		return nil, e
	}
	if err != nil {
		return nil, &Error{File: path, Problem: fmt.Sprintf("cannot read the configuration file: %v", cause(err))}
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, &Error{File: path, Problem: "is a directory, not a configuration file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, &Error{File: path, Problem: fmt.Sprintf("cannot read the configuration file: %v", cause(err))}
	}
	if len(data) > MaxSize {
		return nil, &Error{File: path, Problem: fmt.Sprintf("the file is larger than %d bytes (1 MiB); a configuration is a few lines", MaxSize)}
	}
	return data, nil
}

// cause drops the operation and path that *fs.PathError repeats.
func cause(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}

// loader collects the problems of one Load.
type loader struct {
	v     *viper.Viper
	file  string
	index map[string]node // key path → where its value is in the file
	errs  []*Error
	seen  map[string]bool // key paths with a problem already
}

// add records a problem, once per key path: the file check and the value
// check may both find the same one.
func (l *loader) add(e *Error) {
	if e.Key != "" {
		k := strings.ToLower(e.Key)
		if l.seen[k] {
			return
		}
		if l.seen == nil {
			l.seen = map[string]bool{}
		}
		l.seen[k] = true
	}
	l.errs = append(l.errs, e)
}

// bad records a problem with the effective value of key; value is its
// text, used to tell where it came from.
func (l *loader) bad(key, value, format string, args ...any) {
	e := &Error{Key: key, Problem: fmt.Sprintf(format, args...)}
	env := EnvVar(key)
	n, inFile := l.index[strings.ToLower(key)]
	switch {
	case strings.Contains(key, "["), strings.HasPrefix(key, "exit_codes."), key == "maintenance_windows":
		// Lists and maps come from the file only.
		if inFile {
			e.File, e.Line, e.Col = l.file, n.line, n.col
		} else if l.file != "" {
			e.File = l.file
		}
	case os.Getenv(env) != "" && os.Getenv(env) == value:
		e.From = env
	case inFile && n.text == value:
		e.File, e.Line, e.Col = l.file, n.line, n.col
	case flagOf(key) != "":
		e.From = "--" + flagOf(key)
	}
	l.add(e)
}

func flagOf(key string) string {
	for flag, k := range flagKeys {
		if k == key {
			return flag
		}
	}
	return ""
}

func (l *loader) result() error {
	sort.SliceStable(l.errs, func(i, j int) bool {
		a, b := l.errs[i], l.errs[j]
		if (a.Line == 0) != (b.Line == 0) {
			return a.Line != 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return strictyaml.JoinErrors(l.errs)
}

// fill reads every key from viper into cfg and validates it.
func (l *loader) fill(cfg *Config) {
	v := l.v
	text := func(key, def string) string {
		if s := strings.TrimSpace(v.GetString(key)); s != "" {
			return s
		}
		// An empty value, as in the sample file's state_dir: "", means
		// the default.
		return def
	}
	dur := func(key, def string, lo, hi time.Duration) time.Duration {
		s := text(key, def)
		d, err := time.ParseDuration(s)
		if err != nil {
			l.bad(key, s, "%q is not a duration: write it like 90s, 2m or 1h", s)
			return 0
		}
		if d < lo || d > hi {
			l.bad(key, s, "%s must be between %s and %s", s, short(lo), short(hi))
		}
		return d
	}
	cfg.StateDir = text("state_dir", DefaultStateDir())
	cfg.AuditLog = text("audit_log", DefaultAuditLog())
	cfg.Output = text("output", "text")
	if cfg.Output != "text" && cfg.Output != "json" {
		l.bad("output", cfg.Output, "%q is not an output format: use text or json", cfg.Output)
	}
	cfg.Host.CommandTimeout = dur("host.command_timeout", "2m", time.Second, time.Hour)
	cfg.Host.StartTimeout = dur("host.start_timeout", "30s", time.Second, 10*time.Minute)
	cfg.Detect.Lookback = dur("detect.lookback", "24h", time.Minute, 30*24*time.Hour)
	boolean := func(key string) bool {
		s := text(key, "false")
		b, err := strconv.ParseBool(s)
		if err != nil {
			l.bad(key, s, "%q is not true or false", s)
		}
		return b
	}
	number := func(key, def string, lo, hi int) int {
		s := text(key, def)
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			l.bad(key, s, "%q is not a whole number from %d to %d", s, lo, hi)
		}
		return n
	}
	cfg.Policy.AllowDisruptive = boolean("policy.allow_disruptive")
	cfg.Audit = Audit{
		MaxSizeMB:   number("audit.max_size_mb", "100", audit.MinRotateMB, 100<<10),
		MaxBackups:  number("audit.max_backups", "0", 0, 1<<20),
		MaxAgeDays:  number("audit.max_age_days", "0", 0, 100*366),
		Compress:    boolean("audit.compress"),
		RedactUsers: boolean("audit.redact_users"),
		RedactKey:   v.GetString("audit.redact_key"),
		EventLog:    boolean("audit.eventlog"),
	}
	if k := cfg.Audit.RedactKey; k != "" && len(k) < audit.MinRedactKey {
		// The key is a secret: the message never shows it.
		l.bad("audit.redact_key", k, "the key has %d bytes; use at least %d random ones, such as 64 hex digits", len(k), audit.MinRedactKey)
	}
	cfg.Policy.Deny = l.deny(v.Get("policy.deny"))
	cfg.ExitCodes = l.exitCodes(v.Get("exit_codes"))
	cfg.Trust.PublicKeys = l.trustList("trust.public_keys", v.Get("trust.public_keys"), "a minisign public key (RW…) or the path of a .pub file",
		func(s string) bool { return strings.HasPrefix(s, "RW") },
		func(s string) error { _, err := signing.ParsePublicKey(s); return err })
	cfg.Trust.Certificates = l.trustList("trust.certificates", v.Get("trust.certificates"), "an inline PEM certificate or the path of a certificate file",
		signing.IsInlinePEM,
		func(s string) error { _, err := signing.ParseCertificates(s); return err })
	cfg.SelfHeal = l.selfHeal(dur)
	cfg.MaxReboots = l.maxReboots()
	cfg.MaintenanceWindows = l.windows(v.Get("maintenance_windows"))
}

// trustList validates a list of trust values (trust.public_keys,
// trust.certificates): each is written inline or is a path, relative to
// the configuration file's folder, and must parse.
func (l *loader) trustList(name string, raw any, what string, inline func(string) bool, parse func(string) error) []string {
	var list []any
	switch r := raw.(type) {
	case nil:
		return nil
	case string:
		// From the environment (CAAFIX_TRUST_…): one value.
		if strings.TrimSpace(r) == "" {
			return nil
		}
		list = []any{r}
	case []any:
		list = r
	default:
		l.bad(name, fmt.Sprint(raw), "must be a list, each %s", what)
		return nil
	}
	var out []string
	for i, item := range list {
		key := fmt.Sprintf("%s[%d]", name, i)
		s, ok := item.(string)
		if !ok {
			l.bad(key, "", "must be text: %s", what)
			continue
		}
		s = strings.TrimSpace(s)
		if !inline(s) && !filepath.IsAbs(s) && l.file != "" {
			s = filepath.Join(filepath.Dir(l.file), s)
		}
		if err := parse(s); err != nil {
			l.bad(key, "", "%v", err)
			continue
		}
		out = append(out, s)
	}
	return out
}

// deny validates the deny rules.
func (l *loader) deny(raw any) []DenyRule {
	if raw == nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		l.bad("policy.deny", fmt.Sprint(raw), "must be a list of rules such as {uses: office.repair, reason: ...}")
		return nil
	}
	var out []DenyRule
	for i, item := range list {
		key := fmt.Sprintf("policy.deny[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			l.bad(key, "", "must be a mapping with one of uses, id or risk, and an optional reason")
			continue
		}
		var r DenyRule
		selectors := 0
		for _, k := range sortedKeys(m) {
			if slices.Contains(denyKeys[:3], k) {
				selectors++
			}
			s, isText := m[k].(string)
			if slices.Contains(denyKeys, k) && !isText {
				l.bad(key+"."+k, "", "must be text")
				continue
			}
			switch k {
			case "uses":
				r.Uses = s
				if !slices.Contains(runbooks.TypeNames(), s) {
					msg := fmt.Sprintf("%q is not a step type", s)
					if near := strictyaml.Closest(s, runbooks.TypeNames()); near != "" {
						msg += fmt.Sprintf("; did you mean %q?", near)
					} else {
						msg += "; the types are: " + strings.Join(runbooks.TypeNames(), ", ")
					}
					l.bad(key+".uses", s, "%s", msg)
				}
			case "id":
				r.ID = s
				if !idPattern.MatchString(s) {
					l.bad(key+".id", s, "%q is not a step id: ids are 1 to 64 of a-z, 0-9 and -", s)
				}
			case "risk":
				r.Risk = s
				if !slices.Contains(Risks, s) {
					hint := ""
					if s == "declared" {
						hint = " (a script step is matched by the risk its author declares; deny every script with uses: script)"
					}
					l.bad(key+".risk", s, "%q is not a risk: use %s or %s%s", s, strings.Join(Risks[:len(Risks)-1], ", "), Risks[len(Risks)-1], hint)
				}
			case "reason":
				r.Reason = s
			default:
				l.bad(key+"."+k, "", "unknown key in a deny rule; it has %s", strings.Join(denyKeys, ", "))
			}
		}
		if selectors != 1 {
			l.bad(key, "", "must name exactly one of uses, id or risk, not %d", selectors)
		}
		out = append(out, r)
	}
	return out
}

// exitCodes validates the exit-code remapping.
func (l *loader) exitCodes(raw any) map[string]int {
	out := map[string]int{}
	if raw == nil {
		return out
	}
	m, ok := raw.(map[string]any)
	if !ok {
		l.bad("exit_codes", fmt.Sprint(raw), "must be a mapping of outcome names to exit codes, such as {reboot-pending: 3010}")
		return out
	}
	for _, name := range sortedKeys(m) {
		key := "exit_codes." + name
		if _, err := outcome.Parse(name); err != nil {
			l.bad(key, "", "%v", err)
			continue
		}
		code, ok := toInt(m[name])
		if !ok || code < 0 || code > 65535 {
			l.bad(key, "", "%v is not an exit code: use a whole number from 0 to 65535", m[name])
			continue
		}
		out[name] = code
	}
	return out
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), int64(int(n)) == n
	case uint64:
		return int(n), n <= 1<<31
	}
	return 0, false
}

// short writes a duration the way people write it: 5m, not 5m0s.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
