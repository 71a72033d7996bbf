package runbooks

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ParamKind is the type of a step parameter.
type ParamKind int

// The parameter kinds.
const (
	Duration   ParamKind = iota // Go syntax: 90s, 5m, 1h30m; a time.Duration
	Int                         // a whole number; an int
	String                      // text; a string
	Bool                        // true or false; a bool
	StringList                  // a list of text; a []string
)

// String describes the kind for error messages: "must be " + k.String().
func (k ParamKind) String() string {
	switch k {
	case Duration:
		return "a duration such as 5m"
	case Int:
		return "a whole number"
	case String:
		return "text"
	case Bool:
		return "true or false"
	case StringList:
		return "a list of text"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// ParamSpec describes one parameter of a step type.
type ParamSpec struct {
	Name string
	Kind ParamKind
	// Check is an extra rule, optional. It receives a value of the Go type
	// of Kind and returns what is wrong, worded to follow the parameter's
	// name ("must be between 1s and 24h"). For a StringList the loader
	// also calls it with each item alone, to point at the item it refuses,
	// so a list rule must accept any single valid item.
	Check func(v any) error
	// Required parameters must be given; the others have defaults.
	Required bool
}

// OfficePrefixes are the only credential targets credentials.remove may
// touch: Office's, the Microsoft account's and OneDrive's cached sign-ins.
// Web Credentials and every other target are out of reach by design.
var OfficePrefixes = []string{"MicrosoftOffice16_Data:", "MicrosoftAccount:", "OneDrive Cached Credential"}

// Types lists the step types of runbook format v1 and their parameters.
// The step implementations (package steps) must match it; steps' tests
// check that they do. Treat it as read-only.
var Types = map[string][]ParamSpec{
	"aad.symptom":              {{Name: "lookback", Kind: Duration, Check: durationBetween(time.Minute, 30*24*time.Hour)}},
	"w32tm.resync":             {{Name: "max_skew", Kind: Duration, Check: durationBetween(time.Second, 24*time.Hour)}},
	"dsregcmd.cleanupaccounts": {},
	"credentials.remove":       {{Name: "prefixes", Kind: StringList, Check: officePrefixes}},
	"restart.schedule": {
		{Name: "delay", Kind: Duration, Check: durationBetween(0, time.Hour)},
		// The text users see in the shutdown notice.
		{Name: "message", Kind: String, Check: oneLine(500)},
	},
	"dsregcmd.leave": {},
	"office.repair":  {},
	"wam.reregister": {},
	// The message for IT ends up on the summary line: the last line of
	// stdout, which RMM tools read and truncate at about 2,000 characters.
	"escalate": {{Name: "message", Kind: String, Check: oneLine(2000)}},
	// PowerShell written by the runbook's author: accepted only from a
	// signed runbook (see docs/steps.md). The author declares what the
	// policy gate decides on; each script is one line, because
	// powershell.exe reads its commands one line at a time.
	"script": {
		{Name: "risk", Kind: String, Check: oneOf(Risks...), Required: true},
		{Name: "context", Kind: String, Check: oneOf(Contexts...), Required: true},
		{Name: "needs_admin", Kind: Bool},
		{Name: "pre_check", Kind: String, Check: script},
		{Name: "run", Kind: String, Check: script, Required: true},
		{Name: "post_check", Kind: String, Check: script},
	},
}

// Risks and Contexts are the values a script step may declare, as the
// step catalogue (package steps) names them.
var (
	Risks    = []string{"read", "safe", "low", "disruptive", "dangerous"}
	Contexts = []string{"system", "user"}
)

// OwnRollback reports whether steps of type uses must carry their own
// rollback note: a script's type cannot know what undoing it means.
func OwnRollback(uses string) bool { return uses == "script" }

// MaxScript is the longest script a script step may carry, in characters.
const MaxScript = 8000

func oneOf(values ...string) func(any) error {
	return func(v any) error {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("must be %s", String)
		}
		if !slices.Contains(values, s) {
			return fmt.Errorf("must be one of %s, not %q", strings.Join(values, ", "), s)
		}
		return nil
	}
}

// script checks a PowerShell script: one line, not blank.
func script(v any) error {
	if err := oneLine(MaxScript)(v); err != nil {
		return err
	}
	if strings.TrimSpace(v.(string)) == "" {
		return fmt.Errorf("is blank: give the PowerShell to run")
	}
	return nil
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

// Params returns the parameters of the step type uses, and whether the
// type exists.
func Params(uses string) ([]ParamSpec, bool) {
	specs, ok := Types[uses]
	return specs, ok
}

func durationBetween(lo, hi time.Duration) func(any) error {
	return func(v any) error {
		d, ok := v.(time.Duration)
		if !ok {
			return fmt.Errorf("must be %s", Duration)
		}
		if d < lo || d > hi {
			return fmt.Errorf("must be between %s and %s", short(lo), short(hi))
		}
		return nil
	}
}

// short writes a duration the way people write it in YAML: 5m, not 5m0s.
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

// oneLine limits text to n characters on one line, without control
// characters: the text goes into a PowerShell command, and powershell.exe
// reads its commands one line at a time.
func oneLine(n int) func(any) error {
	return func(v any) error {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("must be %s", String)
		}
		if c := utf8.RuneCountInString(s); c > n {
			return fmt.Errorf("is %d characters long; it may be at most %d", c, n)
		}
		for _, r := range s {
			// C0 and C1 controls, and the Unicode line and paragraph
			// separators, which PowerShell also ends a line at.
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
				return fmt.Errorf("must be one line without control characters (use >- to fold a long YAML text)")
			}
		}
		return nil
	}
}

func officePrefixes(v any) error {
	list, ok := v.([]string)
	if !ok {
		return fmt.Errorf("must be %s", StringList)
	}
	if len(list) == 0 {
		// An empty list would read as "remove nothing" to one person and
		// "the default: all three" to another.
		return fmt.Errorf("must name at least one prefix; leave prefixes out for all three")
	}
	for _, p := range list {
		if !slices.Contains(OfficePrefixes, p) {
			return fmt.Errorf("%q is not allowed: credentials.remove only ever touches targets starting with %q, %q or %q", p, OfficePrefixes[0], OfficePrefixes[1], OfficePrefixes[2])
		}
	}
	return nil
}
