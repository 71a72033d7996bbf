//go:build windows

package config

import (
	"os"
	"path/filepath"
)

func programData() string {
	if d := os.Getenv("ProgramData"); d != "" {
		return d
	}
	return `C:\ProgramData`
}

// DefaultFile is the configuration file read when --config is not given.
func DefaultFile() string { return filepath.Join(programData(), "caafix", "caafix.yaml") }

// DefaultStateDir is where caafix keeps its state.
func DefaultStateDir() string { return filepath.Join(programData(), "caafix", "state") }

// DefaultAuditLog is the default audit log file.
func DefaultAuditLog() string { return filepath.Join(programData(), "caafix", "logs", "audit.jsonl") }
