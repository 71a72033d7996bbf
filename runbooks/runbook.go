package runbooks

import (
	"fmt"
	"slices"
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
	Error      string // the error code the runbook fixes, "" when none
	// Expires is the first instant the runbook is refused (freeze
	// protection); zero when it never expires.
	Expires time.Time
	Detect  *Detect // nil: the default symptom check (aad.symptom)
	// Order is how the steps run: OrderListed (the default) as written,
	// or OrderEvidence, the most likely cause's fix first.
	Order  string
	Steps  []Step
	Source string // the file path, or "embedded:NAME"
	SHA256 string // hex SHA-256 of the exact bytes loaded
	// Signer is who vouches for these bytes: "embedded" for a runbook
	// compiled into the binary, the signer's name (key id or certificate)
	// when the caller verified the file's signature ([ParseVerified]), and
	// "" for a file parsed without a verified signature (lint, sign). A
	// script step runs only when it is set.
	Signer string
}

// Signed reports whether rb's bytes were vouched for: compiled into the
// binary, or verified against the trust store before parsing.
func (rb *Runbook) Signed() bool { return rb.Signer != "" }

// The values of order:.
const (
	OrderListed   = "listed"   // the steps run as written
	OrderEvidence = "evidence" // the diagnosis orders the steps and rules some out
)

// Detect is the runbook's symptom check.
type Detect struct {
	Uses string         // always aad.symptom in v1
	With map[string]any // validated like a step's parameters
}

// Duration returns the duration parameter key, or def when it is not set.
func (d *Detect) Duration(key string, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return param(d.With, key, def)
}

// Step is one entry of the runbook's steps.
type Step struct {
	ID   string
	Uses string
	// With holds the parameters, validated against [Types]: a
	// [Duration] parameter is a time.Duration, [Int] an int, [String] a
	// string, [Bool] a bool and [StringList] a []string.
	With     map[string]any
	Timeout  time.Duration // 0: the type's default
	Rollback string        // added to the type's own rollback note
	Line     int           // where the step starts in the file
	Col      int
}

// The accessors below read parameters that [Parse] has already checked,
// so a value of the wrong type can only come from a Step built by hand; it
// reads as unset.

// Duration returns the duration parameter key, or def when it is not set.
func (s Step) Duration(key string, def time.Duration) time.Duration {
	return param(s.With, key, def)
}

// String returns the text parameter key, or def when it is not set.
func (s Step) String(key, def string) string { return param(s.With, key, def) }

// Int returns the whole-number parameter key, or def when it is not set.
func (s Step) Int(key string, def int) int { return param(s.With, key, def) }

// Bool returns the true-or-false parameter key, or def when it is not set.
func (s Step) Bool(key string, def bool) bool { return param(s.With, key, def) }

// Strings returns a copy of the list parameter key, or nil when it is not
// set.
func (s Step) Strings(key string) []string {
	return slices.Clone(param[[]string](s.With, key, nil))
}

func param[T any](with map[string]any, key string, def T) T {
	if v, ok := with[key].(T); ok {
		return v
	}
	return def
}

// A LoadError is a problem in a runbook file. Nothing has run yet, so the
// outcome is always a usage error, whatever the cause.
type LoadError struct {
	File      string
	Line, Col int    // 1-based; 0 when the problem is the whole file
	Problem   string // what is wrong, then what to do about it
}

// Error returns "file:line:col: problem", or "file: problem" when the
// problem has no position (a missing or oversized file).
func (e *LoadError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Problem)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Problem)
}

// Outcome reports a usage error: exit 2.
func (e *LoadError) Outcome() outcome.Kind { return outcome.Usage }
