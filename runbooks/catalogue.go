package runbooks

import (
	"fmt"
	"sort"
	"time"
)

// ParamKind is the type of a step parameter.
type ParamKind int

// The parameter kinds.
const (
	Duration   ParamKind = iota // Go syntax: 90s, 5m, 1h30m
	Int                         // a whole number
	String                      // text
	Bool                        // true or false
	StringList                  // a list of text
)

func (k ParamKind) String() string {
	return [...]string{"a duration such as 5m", "a whole number", "text", "true or false", "a list of text"}[k]
}

// ParamSpec describes one parameter of a step type.
type ParamSpec struct {
	Name  string
	Kind  ParamKind
	Check func(v any) error // an extra rule, optional
}

// OfficePrefixes are the only credential targets credentials.remove may
// touch.
var OfficePrefixes = []string{"MicrosoftOffice16_Data:", "MicrosoftAccount:", "OneDrive Cached Credential"}

func durationBetween(lo, hi time.Duration) func(any) error {
	return func(v any) error {
		d := v.(time.Duration)
		if d < lo || d > hi {
			return fmt.Errorf("must be between %s and %s", lo, hi)
		}
		return nil
	}
}

func maxLen(n int) func(any) error {
	return func(v any) error {
		if len(v.(string)) > n {
			return fmt.Errorf("must be at most %d characters", n)
		}
		return nil
	}
}

// oneLine rejects control characters: the text goes into a PowerShell
// command, and powershell.exe reads its commands one line at a time.
func oneLine(n int) func(any) error {
	return func(v any) error {
		if err := maxLen(n)(v); err != nil {
			return err
		}
		for _, r := range v.(string) {
			if r < 0x20 || r == 0x7f {
				return fmt.Errorf("must be one line without control characters (use >- to fold a long YAML text)")
			}
		}
		return nil
	}
}

func officePrefixes(v any) error {
	for _, p := range v.([]string) {
		ok := false
		for _, o := range OfficePrefixes {
			ok = ok || p == o
		}
		if !ok {
			return fmt.Errorf("%q is not allowed: credentials.remove only ever touches %q, %q and %q", p, OfficePrefixes[0], OfficePrefixes[1], OfficePrefixes[2])
		}
	}
	return nil
}

// Types lists the step types of runbook format v1 and their parameters.
var Types = map[string][]ParamSpec{
	"aad.symptom":              {{Name: "lookback", Kind: Duration, Check: durationBetween(time.Minute, 30*24*time.Hour)}},
	"w32tm.resync":             {{Name: "max_skew", Kind: Duration, Check: durationBetween(time.Second, 24*time.Hour)}},
	"dsregcmd.cleanupaccounts": {},
	"credentials.remove":       {{Name: "prefixes", Kind: StringList, Check: officePrefixes}},
	"restart.schedule": {
		{Name: "delay", Kind: Duration, Check: durationBetween(0, time.Hour)},
		{Name: "message", Kind: String, Check: oneLine(500)},
	},
	"dsregcmd.leave": {},
	"office.repair":  {},
	"escalate":       {{Name: "message", Kind: String, Check: maxLen(2000)}},
}

// TypeNames lists the step types, sorted.
func TypeNames() []string {
	out := make([]string, 0, len(Types))
	for n := range Types {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
