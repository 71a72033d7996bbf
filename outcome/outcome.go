// Package outcome names how a caafix command ended and maps each ending to
// the process exit code that RMM tools, Intune and scheduled tasks read.
//
// # Invariants
//
// The default exit codes are the contract in docs/exit-codes.md; a
// configuration may remap them (see [Codes]), never the kinds themselves.
// An error that carries its own kind implements [Classer]; [Of] finds it with
// errors.As anywhere in the chain.
package outcome

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind is how a run or command ended.
type Kind int

// The kinds, in the order of docs/exit-codes.md.
const (
	Healthy       Kind = iota // nothing to fix
	Fixed                     // a step fixed the symptom and the fix was verified
	NotFixed                  // steps ran and the symptom remains
	Escalate                  // needs IT: no local step can fix the cause
	Blocked                   // the policy gate blocked the steps that could have helped
	RebootPending             // a restart is scheduled; the run resumes after boot
	Usage                     // usage, configuration or runbook error; nothing touched the device
	Trust                     // signature or trust failure; nothing touched the device
	Locked                    // another run holds the lock
	HostError                 // the PowerShell host failed or timed out
)

var names = [...]string{
	Healthy:       "healthy",
	Fixed:         "fixed",
	NotFixed:      "not-fixed",
	Escalate:      "escalate",
	Blocked:       "blocked",
	RebootPending: "reboot-pending",
	Usage:         "usage-error",
	Trust:         "trust-error",
	Locked:        "locked",
	HostError:     "host-error",
}

var exitCodes = [...]int{
	Healthy:       0,
	Fixed:         0,
	NotFixed:      1,
	Escalate:      4,
	Blocked:       4,
	RebootPending: 5,
	Usage:         2,
	Trust:         3,
	Locked:        6,
	HostError:     7,
}

// String returns the kind's stable name, as used in the audit log, the
// summary line and the exit_codes configuration keys.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(names) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return names[k]
}

// ExitCode returns the default process exit code of the kind.
func (k Kind) ExitCode() int {
	if k < 0 || int(k) >= len(exitCodes) {
		return exitCodes[HostError]
	}
	return exitCodes[k]
}

// Parse returns the kind with the given name.
func Parse(name string) (Kind, error) {
	for k, n := range names {
		if n == name {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("unknown outcome %q: use one of %s", name, strings.Join(Names(), ", "))
}

// Names lists every kind's name, sorted.
func Names() []string {
	out := append([]string(nil), names[:]...)
	sort.Strings(out)
	return out
}

// A Classer is an error that knows which kind of ending it causes.
type Classer interface {
	Outcome() Kind
}

// Of returns the kind carried by err or by any error it wraps. An error that
// carries none is a host error: caafix could not finish, and it must not
// claim the device is healthy.
func Of(err error) Kind {
	var c Classer
	if errors.As(err, &c) {
		return c.Outcome()
	}
	return HostError
}

// Error is an error with a kind and an optional hint for the user.
type Error struct {
	Kind Kind
	Err  error
	Hint string // what to do about it, shown on its own line
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Outcome returns the kind of the error.
func (e *Error) Outcome() Kind { return e.Kind }

// Errorf returns an [*Error] of kind k formatted like fmt.Errorf.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}

// WithHint returns e with a hint for the user.
func (e *Error) WithHint(hint string) *Error {
	e.Hint = hint
	return e
}

// HintOf returns the first hint found in err's chain, or "".
func HintOf(err error) string {
	for err != nil {
		if h, ok := err.(interface{ UserHint() string }); ok && h.UserHint() != "" {
			return h.UserHint()
		}
		if e, ok := err.(*Error); ok && e.Hint != "" {
			return e.Hint
		}
		err = errors.Unwrap(err)
	}
	return ""
}

// Codes maps kinds to process exit codes; a configuration may remap some.
type Codes map[Kind]int

// Exit returns the exit code for k: the remapped one if set, else the default.
func (c Codes) Exit(k Kind) int {
	if code, ok := c[k]; ok {
		return code
	}
	return k.ExitCode()
}
