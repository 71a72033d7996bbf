// Package config loads caafix's configuration with viper: command-line
// flags over CAAFIX_* environment variables over the YAML file over the
// per-OS defaults, and validates it.
//
// # Invariants
//
// Unknown keys in the file are errors that name the file, the key and its
// line; every problem of a file is reported at once, and every error is a
// usage error (exit 2): nothing has touched the device yet. Dangerous
// consent (--allow-dangerous) is not configuration and cannot be set here.
package config
