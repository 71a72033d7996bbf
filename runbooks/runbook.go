package runbooks

import (
	"fmt"
	"time"

	"github.com/caafix/caafix/outcome"
)

// Runbook is one parsed, validated runbook.
type Runbook struct {
	APIVersion string
	Kind       string
	Name       string
	Version    int
	Title      string
	Error      string
	Detect     *Detect
	Steps      []Step
	Source     string // the file path, or "embedded:NAME"
	SHA256     string // hex SHA-256 of the exact bytes loaded
}

// Detect is the runbook's symptom check.
type Detect struct {
	Uses string
	With map[string]any
}

// Step is one entry of the runbook's steps.
type Step struct {
	ID       string
	Uses     string
	With     map[string]any // validated against Types: time.Duration, int, string, bool or []string
	Timeout  time.Duration  // 0: the type's default
	Rollback string
	Line     int
	Col      int
}

// Duration returns the duration parameter key, or def when it is not set.
func (s Step) Duration(key string, def time.Duration) time.Duration {
	if v, ok := s.With[key].(time.Duration); ok {
		return v
	}
	return def
}

// String returns the string parameter key, or def when it is not set.
func (s Step) String(key, def string) string {
	if v, ok := s.With[key].(string); ok {
		return v
	}
	return def
}

// Strings returns the list parameter key, or nil when it is not set.
func (s Step) Strings(key string) []string {
	v, _ := s.With[key].([]string)
	return v
}

// A LoadError is a problem in a runbook file. Nothing has run yet, so the
// outcome is always a usage error, whatever the cause.
type LoadError struct {
	File      string
	Line, Col int
	Problem   string // what is wrong, then what to do about it
}

func (e *LoadError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Problem)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Problem)
}

// Outcome reports a usage error: exit 2.
func (e *LoadError) Outcome() outcome.Kind { return outcome.Usage }
