package runbooks

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/caafix/caafix/outcome"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Each bad runbook in testdata has its full error text in a golden file.
func TestBadRunbooksGolden(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no test runbooks found")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			_, err := Load(file)
			if err == nil {
				t.Fatal("a bad runbook loaded")
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Errorf("errors.As found no *LoadError in %T", err)
			}
			if outcome.Of(err) != outcome.Usage {
				t.Errorf("outcome = %v, want usage-error", outcome.Of(err))
			}
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
	prev := 0
	for _, e := range me.Errors {
		var le *LoadError
		if !errors.As(e, &le) {
			t.Fatalf("%v is not a *LoadError", e)
		}
		if le.Line < prev {
			t.Errorf("problems not sorted by line: %d after %d", le.Line, prev)
		}
		prev = le.Line
	}
}

func TestShippedLibraryLoads(t *testing.T) {
	t.Parallel()
	list := List()
	if len(list) == 0 {
		t.Fatal("no embedded runbooks")
	}
	rb, err := Embedded("caa50021")
	if err != nil {
		t.Fatal(err)
	}
	order := []string{"w32tm.resync", "dsregcmd.cleanupaccounts", "credentials.remove", "restart.schedule", "office.repair", "dsregcmd.leave", "escalate"}
	if len(rb.Steps) != len(order) {
		t.Fatalf("%d steps, want %d", len(rb.Steps), len(order))
	}
	for i, st := range rb.Steps {
		if st.Uses != order[i] {
			t.Errorf("step %d uses %s, want %s: invisible fixes first, dangerous last, escalate at the end", i+1, st.Uses, order[i])
		}
	}
	if rb.Source != "embedded:caa50021" || len(rb.SHA256) != 64 {
		t.Errorf("source %q sha %q", rb.Source, rb.SHA256)
	}
	if d := rb.Steps[3].Duration("delay", 0); d != 5*time.Minute {
		t.Errorf("restart delay = %v", d)
	}
}

func TestUnknownEmbeddedNameListsTheKnownOnes(t *testing.T) {
	t.Parallel()
	_, err := Embedded("nope")
	if err == nil || outcome.Of(err) != outcome.Usage || !strings.Contains(outcome.HintOf(err), "caa50021") {
		t.Errorf("err = %v, hint %q", err, outcome.HintOf(err))
	}
}

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	big := "apiVersion: caafix/v1\n# " + strings.Repeat("x", MaxSize) + "\n"
	_, err := Parse("big.yaml", []byte(big))
	if err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("err = %v, want the size limit", err)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("Load err = %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") || outcome.Of(err) != outcome.Usage {
		t.Errorf("err = %v", err)
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
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, s := range seeds {
		b, _ := os.ReadFile(s)
		f.Add(b)
	}
	src, _ := EmbeddedSource("caa50021")
	f.Add(src)
	f.Fuzz(func(t *testing.T, data []byte) {
		rb, err := Parse("fuzz.yaml", data)
		if err == nil {
			if rb.Name == "" || rb.Version < 1 || len(rb.Steps) == 0 {
				t.Fatalf("accepted an incomplete runbook: %+v", rb)
			}
			for _, st := range rb.Steps {
				if _, ok := Types[st.Uses]; !ok {
					t.Fatalf("accepted unknown type %q", st.Uses)
				}
			}
			return
		}
		var le *LoadError
		if !errors.As(err, &le) {
			t.Fatalf("error without a *LoadError: %v", err)
		}
	})
}
