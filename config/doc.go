// Package config loads caafix's configuration with viper and validates it:
// command-line flags (bound with [BindFlags]) over CAAFIX_* environment
// variables ([EnvVar]) over the YAML file over the per-OS defaults
// ([DefaultFile], [DefaultStateDir], [DefaultAuditLog]). It decides what
// the settings are; what they allow is package policy's decision. Viper is
// used here and nowhere else.
//
// # Invariants
//
// The file is decoded strictly before viper reads it: an unknown key is an
// error naming the file, the key path and its line, with a "did you mean"
// hint, and so is a value of the wrong shape. Every problem is reported at
// once, one per line, each an [*Error] that names where the bad value came
// from (file:line:col, --flag or CAAFIX_VAR). Every error is a usage error
// (exit 2): nothing has touched the device yet.
//
// An empty value means the default, as in the sample file's state_dir: "".
// Deny rules name exactly one of uses (a known step type), id or risk;
// exit_codes keys are outcome names, exactly as [outcome.Names] spells
// them, with codes from 0 to 65535.
//
// Dangerous consent (--allow-dangerous) is not configuration: no key or
// environment variable can set it, because it means a technician is at
// the device.
//
// # Limits
//
// Files over [MaxSize], UTF-16 text, YAML anchors and aliases, and YAML
// nested deeper than 32 levels or longer than 10,000 tokens are refused
// before parsing. On Windows the default file lives in %ProgramData%,
// where standard users may create folders: [Config.CheckAccess], called
// before a run, refuses a configuration file, trust key file, state dir or
// audit log folder that others than administrators can change (package
// trustfs), and creates caafix's own folders admin-only.
package config
