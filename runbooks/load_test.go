package runbooks

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/caafix/caafix/outcome"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Each bad runbook in testdata has its full error text in a golden file.
func TestBadRunbooksGolden(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no test runbooks found")
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// A slash path, so that the golden text is the same on Windows.
			_, err = Parse("testdata/"+name, data)
			if err == nil {
				t.Fatal("a bad runbook loaded")
			}
			checkLoadError(t, err, "testdata/"+name)
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update): %v", err)
			}
			if got != strings.ReplaceAll(string(want), "\r\n", "\n") {
				t.Errorf("errors differ from %s:\n got:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// checkLoadError checks the contract of every error Parse returns: a
// multierror of *LoadError, each a usage error naming the file and a
// position, sorted by position, one per line.
func checkLoadError(t *testing.T, err error, file string) {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("errors.As found no *LoadError in %T: %v", err, err)
	}
	if outcome.Of(err) != outcome.Usage {
		t.Errorf("outcome = %v, want usage-error", outcome.Of(err))
	}
	var me *multierror.Error
	if !errors.As(err, &me) {
		t.Fatalf("err is a %T, want a *multierror.Error", err)
	}
	if got, want := strings.Count(err.Error(), "\n"), len(me.Errors)-1; got != want {
		t.Errorf("%d problems on %d lines:\n%v", len(me.Errors), got+1, err)
	}
	prevLine, prevCol := 0, 0
	for _, e := range me.Errors {
		var le *LoadError
		if !errors.As(e, &le) {
			t.Fatalf("%v is a %T, not a *LoadError", e, e)
		}
		if le.File != file {
			t.Errorf("problem names file %q, want %q", le.File, file)
		}
		if le.Line < prevLine || (le.Line == prevLine && le.Col < prevCol) {
			t.Errorf("problems not sorted by position: %d:%d after %d:%d", le.Line, le.Col, prevLine, prevCol)
		}
		prevLine, prevCol = le.Line, le.Col
		if le.Problem == "" || strings.Contains(le.Problem, "\n") {
			t.Errorf("problem %q must be one non-empty line", le.Problem)
		}
	}
}

func TestGoodRunbooksLoad(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "good", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no good test runbooks found")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			rb, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(file)
			sum := sha256.Sum256(data)
			if rb.SHA256 != hex.EncodeToString(sum[:]) || rb.Source != file {
				t.Errorf("source %q sha %q", rb.Source, rb.SHA256)
			}
		})
	}
}

func TestEveryKeyDecodes(t *testing.T) {
	t.Parallel()
	rb, err := Load(filepath.Join("testdata", "good", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		got, want any
	}{
		{"apiVersion", rb.APIVersion, "caafix/v1"},
		{"kind", rb.Kind, "Runbook"},
		{"name with a digit", rb.Name, "full-0"},
		{"version", rb.Version, 42},
		{"error", rb.Error, "CAA50021"},
		{"the evidence orders the steps", rb.Order, OrderEvidence},
		{"detect uses", rb.Detect.Uses, "aad.symptom"},
		{"detect lookback", rb.Detect.Duration("lookback", 0), 30 * time.Minute},
		{"step count", len(rb.Steps), 7},
		{"largest timeout", rb.Steps[0].Timeout, time.Hour},
		{"smallest timeout", rb.Steps[1].Timeout, time.Second},
		{"rollback", rb.Steps[0].Rollback, "nothing to undo"},
		{"largest max_skew", rb.Steps[0].Duration("max_skew", 0), 24 * time.Hour},
		{"order", rb.Order, OrderEvidence},
		{"step position line", rb.Steps[0].Line, 13},
		{"step position column is the first key", rb.Steps[0].Col, 5},
		{"flow list of prefixes", strings.Join(rb.Steps[2].Strings("prefixes"), "|"), "MicrosoftAccount:|OneDrive Cached Credential"},
		{"delay 0 without a unit", rb.Steps[3].Duration("delay", time.Hour), time.Duration(0)},
		{"quotes and non-ASCII kept", rb.Steps[3].String("message", ""), "O'Brien's PC restarts now — «bitte speichern»"},
		{"empty with is no parameters", len(rb.Steps[4].With), 0},
		{"no with", rb.Steps[5].With == nil, true},
		{"folded text is one line", rb.Steps[6].String("message", ""), "Folded text is one line."},
		{"default timeout is 0", rb.Steps[6].Timeout, time.Duration(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

// The rules of the format, each on the smallest runbook that breaks it.
func TestRules(t *testing.T) {
	t.Parallel()
	const head = "apiVersion: caafix/v1\nkind: Runbook\nname: r\nversion: 1\ntitle: T\n"
	cases := []struct {
		name string
		src  string
		want string // the whole error text
	}{
		{"name may not have capitals", strings.Replace(head, "name: r", "name: R", 1) + "steps: [{id: a, uses: escalate}]\n",
			`x.yaml:3:7: name "R" must be 1 to 64 of a-z, 0-9 and -`},
		{"name may not exceed 64", strings.Replace(head, "name: r", "name: "+strings.Repeat("a", 65), 1) + "steps: [{id: a, uses: escalate}]\n",
			`x.yaml:3:7: name "` + strings.Repeat("a", 65) + `" must be 1 to 64 of a-z, 0-9 and -`},
		{"version must be a number", strings.Replace(head, "version: 1", "version: one", 1) + "steps: [{id: a, uses: escalate}]\n",
			`x.yaml:4:10: version must be an integer >= 1, not "one"`},
		{"version may not be a fraction", strings.Replace(head, "version: 1", "version: 1.5", 1) + "steps: [{id: a, uses: escalate}]\n",
			`x.yaml:4:10: version must be an integer >= 1, not 1.5`},
		{"title may not be empty", strings.Replace(head, "title: T", "title: ''", 1) + "steps: [{id: a, uses: escalate}]\n",
			`x.yaml:5:8: runbook: "title" is empty; it is required`},
		{"steps may not be a mapping", head + "steps: {id: a}\n",
			`x.yaml:6:8: steps must be a list of at least one step, not a mapping`},
		{"steps may not be empty", head + "steps:\n",
			`x.yaml:6:1: steps must be a list of at least one step`},
		{"detect needs uses", head + "detect: {with: {lookback: 1h}}\nsteps: [{id: a, uses: escalate}]\n",
			`x.yaml:6:9: detect: "uses" is required`},
		{"detect lookback at most 30 days", head + "detect: {uses: aad.symptom, with: {lookback: 721h}}\nsteps: [{id: a, uses: escalate}]\n",
			`x.yaml:6:46: detect: lookback must be between 1m and 720h`},
		{"unknown key in detect", head + "detect: {uses: aad.symptom, width: {}}\nsteps: [{id: a, uses: escalate}]\n",
			`x.yaml:6:29: unknown key "width" in detect; did you mean "with"?`},
		{"unknown key far from any", head + "steps: [{id: a, uses: escalate, description: x}]\n",
			`x.yaml:6:33: unknown key "description" in step 1; the keys are: id, uses, with, timeout, rollback`},
		{"parameters of an unknown type are not checked twice", head + "steps: [{id: a, uses: nope, with: {x: 1}}]\n",
			`x.yaml:6:23: step "a": unknown step type "nope"; the types are: ` + strings.Join(TypeNames(), ", ")},
		{"restart message at most 500 characters", head + "steps: [{id: a, uses: restart.schedule, with: {message: " + strings.Repeat("x", 501) + "}}]\n",
			`x.yaml:6:57: step "a": message is 501 characters long; it may be at most 500`},
		{"restart message without control characters", head + "steps: [{id: a, uses: restart.schedule, with: {message: \"a\\tb\"}}]\n",
			`x.yaml:6:57: step "a": message must be one line without control characters (use >- to fold a long YAML text)`},
		{"escalate message on one line", head + "steps: [{id: a, uses: escalate, with: {message: \"a\\u2028b\"}}]\n",
			`x.yaml:6:49: step "a": message must be one line without control characters (use >- to fold a long YAML text)`},
		{"prefixes may not be empty", head + "steps: [{id: a, uses: credentials.remove, with: {prefixes: []}}]\n",
			`x.yaml:6:60: step "a": prefixes must name at least one prefix; leave prefixes out for all three`},
		{"web credentials are out of reach", head + "steps: [{id: a, uses: credentials.remove, with: {prefixes: [\"WindowsLive:\"]}}]\n",
			`x.yaml:6:61: step "a": prefixes: "WindowsLive:" is not allowed: credentials.remove only ever touches targets starting with "MicrosoftOffice16_Data:", "MicrosoftAccount:" or "OneDrive Cached Credential"`},
		{"a narrower prefix is refused too", head + "steps: [{id: a, uses: credentials.remove, with: {prefixes: [\"MicrosoftAccount:user\"]}}]\n",
			`x.yaml:6:61: step "a": prefixes: "MicrosoftAccount:user" is not allowed: credentials.remove only ever touches targets starting with "MicrosoftOffice16_Data:", "MicrosoftAccount:" or "OneDrive Cached Credential"`},
		{"with may not be a scalar", head + "steps: [{id: a, uses: escalate, with: hello}]\n",
			`x.yaml:6:39: step "a": with must be a mapping of parameters, not "hello"`},
		{"step id may not be a list", head + "steps: [{id: [a], uses: escalate}]\n",
			`x.yaml:6:14: step 1: "id" must be text, not a list`},
		{"order is listed or evidence", head + "order: likely\nsteps: [{id: a, uses: escalate}]\n",
			`x.yaml:6:8: order "likely" is not known: use listed (the steps as written, the default) or evidence (the most likely cause's fix first)`},
		{"order must be text", head + "order: [evidence]\nsteps: [{id: a, uses: escalate}]\n",
			`x.yaml:6:8: runbook: "order" must be text, not a list`},
		{"a document of only a scalar", "hello\n",
			`x.yaml:1:1: the runbook must be a mapping of keys to values, not "hello"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("x.yaml", []byte(c.src))
			if err == nil {
				t.Fatal("loaded")
			}
			checkLoadError(t, err, "x.yaml")
			if got := err.Error(); got != c.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, c.want)
			}
		})
	}
}

func TestOrderDefaultsToListed(t *testing.T) {
	t.Parallel()
	rb, err := Load(filepath.Join("testdata", "good", "minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if rb.Order != OrderListed {
		t.Errorf("order = %q, want %q", rb.Order, OrderListed)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join("testdata", "many-problems.yaml"))
	var me *multierror.Error
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a multierror", err)
	}
	if len(me.Errors) < 10 {
		t.Errorf("%d problems reported, want every one (10+):\n%v", len(me.Errors), err)
	}
	checkLoadError(t, err, filepath.Join("testdata", "many-problems.yaml"))
}

func TestLoadErrorText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  *LoadError
		want string
	}{
		{"with a position", &LoadError{File: "a.yaml", Line: 3, Col: 7, Problem: "bad"}, "a.yaml:3:7: bad"},
		{"whole file", &LoadError{File: "a.yaml", Problem: "too big"}, "a.yaml: too big"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
			if c.err.Outcome() != outcome.Usage {
				t.Error("a LoadError must be a usage error")
			}
		})
	}
}

func TestShippedLibraryLoads(t *testing.T) {
	t.Parallel()
	list := List()
	if len(list) == 0 {
		t.Fatal("no embedded runbooks")
	}
	for _, s := range list {
		rb, err := Embedded(s.Name)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if rb.Name != s.Name {
			t.Errorf("library/%s.yaml is named %q: the file name is how users call it", s.Name, rb.Name)
		}
	}
	rb, err := Embedded("caa50021")
	if err != nil {
		t.Fatal(err)
	}
	order := []struct{ id, uses string }{
		{"clock", "w32tm.resync"},
		{"wam-cache", "dsregcmd.cleanupaccounts"},
		{"office-credentials", "credentials.remove"},
		{"broker-plugin", "wam.reregister"},
		{"restart", "restart.schedule"},
		{"office-repair", "office.repair"},
		{"leave-entra", "dsregcmd.leave"},
		{"escalate", "escalate"},
	}
	if len(rb.Steps) != len(order) {
		t.Fatalf("%d steps, want %d", len(rb.Steps), len(order))
	}
	for i, st := range rb.Steps {
		if st.ID != order[i].id || st.Uses != order[i].uses {
			t.Errorf("step %d is %s (%s), want %s (%s): invisible fixes first, dangerous last, escalate at the end",
				i+1, st.ID, st.Uses, order[i].id, order[i].uses)
		}
	}
	src, ok := EmbeddedSource("caa50021")
	sum := sha256.Sum256(src)
	if !ok || rb.Source != "embedded:caa50021" || rb.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("source %q sha %q", rb.Source, rb.SHA256)
	}
	cases := []struct {
		name      string
		got, want any
	}{
		{"error", rb.Error, "CAA50021"},
		{"the evidence orders the steps", rb.Order, OrderEvidence},
		{"detect", rb.Detect.Uses, "aad.symptom"},
		{"clock threshold", rb.Steps[0].Duration("max_skew", 0), 5 * time.Minute},
		{"restart delay", rb.Steps[4].Duration("delay", 0), 5 * time.Minute},
		{"restart message set", rb.Steps[4].String("message", "") != "", true},
		{"escalation message set", rb.Steps[7].String("message", "") != "", true},
		{"prefixes are the three", strings.Join(rb.Steps[2].Strings("prefixes"), "|"), strings.Join(OfficePrefixes, "|")},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	found := false
	for _, s := range list {
		if s == (Summary{Name: "caa50021", Version: rb.Version, Title: rb.Title, Error: "CAA50021"}) {
			found = true
		}
	}
	if !found {
		t.Errorf("List() = %+v lacks caa50021", list)
	}
}

func TestEmbeddedNames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		arg  string
	}{
		{"unknown name", "nope"},
		{"path out of the library", "../load.go"},
		{"file name with extension", "caa50021.yaml"},
		{"empty", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, ok := EmbeddedSource(c.arg); ok {
				t.Errorf("EmbeddedSource(%q) found something", c.arg)
			}
			_, err := Embedded(c.arg)
			if err == nil || outcome.Of(err) != outcome.Usage || !strings.Contains(outcome.HintOf(err), "caa50021") {
				t.Errorf("err = %v, hint %q: want a usage error whose hint lists the embedded runbooks", err, outcome.HintOf(err))
			}
		})
	}
}

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	big := "apiVersion: caafix/v1\n# " + strings.Repeat("x", MaxSize) + "\n"
	_, err := Parse("big.yaml", []byte(big))
	if err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("err = %v, want the size limit", err)
	}
	checkLoadError(t, err, "big.yaml")
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if want := fmt.Sprintf("%s: the file is %d bytes; a runbook may be at most 1048576 bytes (1 MiB)", path, len(big)); err == nil || err.Error() != want {
		t.Errorf("Load err = %v, want %s", err, want)
	}
	if outcome.Of(err) != outcome.Usage {
		t.Errorf("outcome = %v", outcome.Of(err))
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name string
		path string
		want string
	}{
		{"missing file", filepath.Join(dir, "nope.yaml"), "nope.yaml: cannot read the runbook: "},
		{"directory", dir, ": is a directory, not a runbook file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.path)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), c.path) || outcome.Of(err) != outcome.Usage {
				t.Errorf("err = %v, want a usage error naming %s", err, c.path)
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Errorf("no *LoadError in %T", err)
			}
		})
	}
}

// An alias bomb is refused from the syntax tree, before anything expands
// it: nine levels of nine would be 387 million strings.
func TestAliasBombRefused(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("apiVersion: caafix/v1\nkind: Runbook\nname: bomb\nversion: 1\ntitle: Bomb\nl0: &l0 [\"lol\"]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 9), ","))
	}
	b.WriteString("steps: [{id: a, uses: escalate, with: {message: *l9}}]\n")
	_, err := Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:6:5: YAML anchors (&) are not allowed") {
		t.Fatalf("err = %v", err)
	}
	checkLoadError(t, err, "bomb.yaml")
}

// Deep nesting and huge flow collections make the YAML parser quadratic;
// they are refused from the token stream first.
func TestParserCostLimits(t *testing.T) {
	t.Parallel()
	var flowKeys strings.Builder
	for i := 0; flowKeys.Len() < 200_000; i++ {
		fmt.Fprintf(&flowKeys, "k%d: [1], ", i)
	}
	cases := []struct {
		name string
		src  string
		want string
	}{
		{"flow mappings nested 100000 deep", strings.Repeat("{a: ", 100_000), "x.yaml:1:257: the YAML nests more than 64 levels deep"},
		{"flow sequences nested", "steps: " + strings.Repeat("[", 65), "x.yaml:1:71: the YAML nests more than 64 levels deep"},
		{"compact sequences nested", strings.Repeat("- ", 100_000) + "x\n", "x.yaml:1:129: the YAML nests more than 64 levels deep"},
		{"block mappings nested", func() string {
			var b strings.Builder
			for i := 0; i < 100; i++ {
				b.WriteString(strings.Repeat(" ", i) + "a:\n")
			}
			return b.String()
		}(), "x.yaml:65:66: the YAML nests more than 64 levels deep"},
		{"too many tokens", "a: {" + flowKeys.String() + "}\n", "the file has more than 10000 YAML tokens"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("x.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			checkLoadError(t, err, "x.yaml")
		})
	}
}

// A runbook saved on Windows by Notepad (BOM, CRLF) loads, and its hash
// is that of the exact bytes.
func TestWindowsLineEndingsAndBOM(t *testing.T) {
	t.Parallel()
	src := "\xEF\xBB\xBFapiVersion: caafix/v1\r\nkind: Runbook\r\nname: crlf\r\nversion: 1\r\n" +
		"title: Saved by Notepad\r\nsteps:\r\n  - id: tell\r\n    uses: escalate\r\n    with:\r\n      message: >-\r\n        one\r\n        line\r\n"
	rb, err := Parse("crlf.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(src))
	if rb.SHA256 != hex.EncodeToString(sum[:]) {
		t.Error("the hash is not over the exact bytes")
	}
	if got := rb.Steps[0].String("message", ""); got != "one line" {
		t.Errorf("message = %q", got)
	}
	if rb.APIVersion != "caafix/v1" {
		t.Errorf("apiVersion = %q: the BOM was not dropped", rb.APIVersion)
	}
}

func TestParamsAreTyped(t *testing.T) {
	t.Parallel()
	src := `apiVersion: caafix/v1
kind: Runbook
name: typed
version: 2
title: Typed parameters
steps:
  - id: clock
    uses: w32tm.resync
    timeout: 90s
    with: {max_skew: 2m}
  - id: creds
    uses: credentials.remove
    with: {prefixes: ["OneDrive Cached Credential"]}
  - id: r
    uses: restart.schedule
    with: {delay: 0, message: "O'Brien's PC restarts now"}
`
	rb, err := Parse("typed.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		got  any
		want any
	}{
		{"duration param", rb.Steps[0].Duration("max_skew", 0), 2 * time.Minute},
		{"step timeout", rb.Steps[0].Timeout, 90 * time.Second},
		{"string list param", strings.Join(rb.Steps[1].Strings("prefixes"), ","), "OneDrive Cached Credential"},
		{"zero duration", rb.Steps[2].Duration("delay", time.Hour), time.Duration(0)},
		{"string param keeps quotes", rb.Steps[2].String("message", ""), "O'Brien's PC restarts now"},
		{"default when unset", rb.Steps[1].Duration("nothing", time.Second), time.Second},
		{"param stored as time.Duration", fmt.Sprintf("%T", rb.Steps[0].With["max_skew"]), "time.Duration"},
		{"list stored as []string", fmt.Sprintf("%T", rb.Steps[1].With["prefixes"]), "[]string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	good, _ := filepath.Glob(filepath.Join("testdata", "good", "*.yaml"))
	for _, s := range append(seeds, good...) {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	src, _ := EmbeddedSource("caa50021")
	f.Add(src)
	f.Fuzz(func(t *testing.T, data []byte) {
		rb, err := Parse("fuzz.yaml", data)
		if err != nil {
			if rb != nil {
				t.Fatal("a runbook and an error")
			}
			checkLoadError(t, err, "fuzz.yaml")
			return
		}
		if rb.APIVersion != APIVersion || rb.Kind != KindName || !namePattern.MatchString(rb.Name) ||
			rb.Version < 1 || rb.Title == "" || len(rb.Steps) == 0 {
			t.Fatalf("accepted an invalid runbook: %+v", rb)
		}
		ids := map[string]bool{}
		for _, st := range rb.Steps {
			if _, ok := Types[st.Uses]; !ok {
				t.Fatalf("accepted unknown type %q", st.Uses)
			}
			if !namePattern.MatchString(st.ID) || ids[st.ID] {
				t.Fatalf("accepted step id %q (bad or repeated)", st.ID)
			}
			ids[st.ID] = true
			if st.Timeout != 0 && (st.Timeout < time.Second || st.Timeout > time.Hour) {
				t.Fatalf("accepted timeout %v", st.Timeout)
			}
			for key, v := range st.With {
				specs, _ := Params(st.Uses)
				known := false
				for _, sp := range specs {
					if sp.Name == key && (sp.Check == nil || sp.Check(v) == nil) {
						known = true
					}
				}
				if !known {
					t.Fatalf("accepted parameter %s=%v of %s", key, v, st.Uses)
				}
			}
		}
	})
}

func TestParseExpires(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want time.Time // zero: refused
	}{
		{"a date lasts to the end of its day in UTC", "2027-03-31", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)},
		{"a timestamp in UTC", "2027-03-31T18:00:00Z", time.Date(2027, 3, 31, 18, 0, 0, 0, time.UTC)},
		{"a timestamp with an offset is the same instant in UTC", "2027-03-31T18:00:00+02:00", time.Date(2027, 3, 31, 16, 0, 0, 0, time.UTC)},
		{"a timestamp without offset is refused", "2027-03-31T18:00:00", time.Time{}},
		{"a space instead of T is refused", "2027-03-31 18:00:00Z", time.Time{}},
		{"a day first date is refused", "31.03.2027", time.Time{}},
		{"a month 13 is refused", "2027-13-01", time.Time{}},
		{"an empty text is refused", "", time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseExpires(c.in)
			if c.want.IsZero() {
				if err == nil {
					t.Fatalf("ParseExpires(%q) = %v, want an error", c.in, got)
				}
				return
			}
			if err != nil || !got.Equal(c.want) {
				t.Fatalf("ParseExpires(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
}
