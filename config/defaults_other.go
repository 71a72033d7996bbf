//go:build !windows

package config

import (
	"os"
	"path/filepath"
)

func xdg(env, fallback string) string {
	if d := os.Getenv(env); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, fallback)
}

// DefaultFile is the configuration file read when --config is not given.
func DefaultFile() string {
	return filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), "caafix", "caafix.yaml")
}

// DefaultStateDir is where caafix keeps its state.
func DefaultStateDir() string { return filepath.Join(xdg("XDG_STATE_HOME", ".local/state"), "caafix") }

// DefaultAuditLog is the default audit log file.
func DefaultAuditLog() string {
	return filepath.Join(xdg("XDG_STATE_HOME", ".local/state"), "caafix", "logs", "audit.jsonl")
}
