package runbooks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The accessors read validated values; a value of the wrong type, which
// only a hand-built Step can hold, reads as unset.
func TestStepAccessors(t *testing.T) {
	t.Parallel()
	st := Step{With: map[string]any{
		"d": 3 * time.Second, "s": "text", "i": 7, "b": true, "l": []string{"a", "b"},
		"wrong": "5m",
	}}
	cases := []struct {
		name      string
		got, want any
	}{
		{"duration", st.Duration("d", 0), 3 * time.Second},
		{"duration default", st.Duration("missing", time.Minute), time.Minute},
		{"duration of the wrong type reads as unset", st.Duration("wrong", time.Hour), time.Hour},
		{"string", st.String("s", ""), "text"},
		{"string default", st.String("missing", "def"), "def"},
		{"int", st.Int("i", 0), 7},
		{"int default", st.Int("missing", 3), 3},
		{"bool", st.Bool("b", false), true},
		{"bool default", st.Bool("missing", true), true},
		{"strings", strings.Join(st.Strings("l"), ","), "a,b"},
		{"strings unset is nil", st.Strings("missing") == nil, true},
		{"nil With", Step{}.String("s", "def"), "def"},
		{"nil Detect", (*Detect)(nil).Duration("lookback", time.Hour), time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestStringsReturnsACopy(t *testing.T) {
	t.Parallel()
	st := Step{With: map[string]any{"l": []string{"MicrosoftAccount:"}}}
	st.Strings("l")[0] = "*"
	if got := st.Strings("l")[0]; got != "MicrosoftAccount:" {
		t.Errorf("a caller changed the step's parameters: %q", got)
	}
}

func TestCatalogue(t *testing.T) {
	t.Parallel()
	names := TypeNames()
	if !slices.IsSorted(names) || len(names) != len(Types) {
		t.Errorf("TypeNames() = %q, want every type, sorted", names)
	}
	want := []string{"aad.symptom", "credentials.remove", "dsregcmd.cleanupaccounts", "dsregcmd.leave",
		"escalate", "office.repair", "restart.schedule", "script", "w32tm.resync", "wam.reregister"}
	if !slices.Equal(names, want) {
		t.Errorf("TypeNames() = %q, want the v1 catalogue %q", names, want)
	}
	for uses, specs := range Types {
		seen := map[string]bool{}
		for _, sp := range specs {
			if seen[sp.Name] || sp.Name == "" || sp.Name != strings.ToLower(sp.Name) {
				t.Errorf("%s: parameter name %q empty, repeated or not snake_case", uses, sp.Name)
			}
			seen[sp.Name] = true
			if sp.Kind.String() == "" || strings.HasPrefix(sp.Kind.String(), "kind(") {
				t.Errorf("%s.%s: kind %d has no description", uses, sp.Name, sp.Kind)
			}
		}
	}
}

func TestParamChecks(t *testing.T) {
	t.Parallel()
	check := func(uses, param string) func(any) error {
		specs, _ := Params(uses)
		for _, sp := range specs {
			if sp.Name == param {
				return sp.Check
			}
		}
		t.Fatalf("%s has no %s", uses, param)
		return nil
	}
	cases := []struct {
		name  string
		check func(any) error
		value any
		ok    bool
	}{
		{"lookback 1m is the least", check("aad.symptom", "lookback"), time.Minute, true},
		{"lookback under 1m", check("aad.symptom", "lookback"), 59 * time.Second, false},
		{"lookback 30 days is the most", check("aad.symptom", "lookback"), 720 * time.Hour, true},
		{"max_skew 1s is the least", check("w32tm.resync", "max_skew"), time.Second, true},
		{"max_skew 0 is refused", check("w32tm.resync", "max_skew"), time.Duration(0), false},
		{"max_skew over 24h", check("w32tm.resync", "max_skew"), 25 * time.Hour, false},
		{"delay 0 is now", check("restart.schedule", "delay"), time.Duration(0), true},
		{"delay negative", check("restart.schedule", "delay"), -time.Second, false},
		{"delay over 1h", check("restart.schedule", "delay"), time.Hour + time.Second, false},
		{"restart message of 500 runes", check("restart.schedule", "message"), strings.Repeat("é", 500), true},
		{"restart message of 501", check("restart.schedule", "message"), strings.Repeat("x", 501), false},
		{"restart message with a newline", check("restart.schedule", "message"), "a\nb", false},
		{"restart message with a C1 control", check("restart.schedule", "message"), "a\u0085b", false},
		{"escalate message of 2000", check("escalate", "message"), strings.Repeat("x", 2000), true},
		{"all three prefixes", check("credentials.remove", "prefixes"), slices.Clone(OfficePrefixes), true},
		{"web credentials", check("credentials.remove", "prefixes"), []string{"WindowsLive:"}, false},
		{"one good one bad", check("credentials.remove", "prefixes"), []string{"MicrosoftAccount:", "git:"}, false},
		{"no prefixes", check("credentials.remove", "prefixes"), []string{}, false},
		{"wrong Go type fails closed", check("credentials.remove", "prefixes"), "MicrosoftAccount:", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if err := c.check(c.value); (err == nil) != c.ok {
				t.Errorf("check(%v) = %v, want ok %v", c.value, err, c.ok)
			}
		})
	}
}

// Only a caller that verified the bytes, or the binary itself, makes a
// runbook whose script steps may run.
func TestSigner(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "good", "script.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Parse("script.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if rb.Signed() || rb.Signer != "" {
		t.Errorf("Parse: Signer = %q, want none: nobody verified these bytes", rb.Signer)
	}
	rb, err = ParseVerified("script.yaml", data, "9F4B4366C0C9314A")
	if err != nil {
		t.Fatal(err)
	}
	if !rb.Signed() || rb.Signer != "9F4B4366C0C9314A" {
		t.Errorf("ParseVerified: Signer = %q", rb.Signer)
	}
	if _, err := ParseVerified("bad.yaml", []byte("kind: Runbook\n"), "9F4B4366C0C9314A"); err == nil {
		t.Error("ParseVerified accepted a bad runbook")
	}
	emb, err := Embedded("caa50021")
	if err != nil {
		t.Fatal(err)
	}
	if emb.Signer != EmbeddedSigner {
		t.Errorf("Embedded: Signer = %q, want %q", emb.Signer, EmbeddedSigner)
	}
}
