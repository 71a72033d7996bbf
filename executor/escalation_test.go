package executor_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caafix/caafix/escalation"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/scripts"
)

func TestEscalationBundle(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		scenario   string
		mode       executor.Mode
		dir        func(t *testing.T) string // the escalation dir; "" writes none
		want       outcome.Kind
		wantBundle bool
		wantError  string
	}{
		{"a blocked run writes a bundle", "conditional-access", executor.ModeRun, tempDir, outcome.Blocked, true, ""},
		{"a fixed run writes none", "wam-cache", executor.ModeRun, tempDir, outcome.Fixed, false, ""},
		{"a dry run writes none", "conditional-access", executor.ModeDryRun, tempDir, outcome.NotFixed, false, ""},
		{"no escalation dir, no bundle", "conditional-access", executor.ModeRun, func(*testing.T) string { return "" }, outcome.Blocked, false, ""},
		{"collect writes one on a healthy device", "healthy", executor.ModeCollect, tempDir, outcome.Healthy, true, ""},
		{"collect reports the symptom as not-fixed", "conditional-access", executor.ModeCollect, tempDir, outcome.NotFixed, true, ""},
		{"a bundle that cannot be written keeps the outcome", "conditional-access", executor.ModeRun, aFile, outcome.Blocked, false, "create the escalation folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := c.dir(t)
			r := runOn(t, newDevice(t, c.scenario), executor.Options{Mode: c.mode, EscalationDir: dir}, nil)
			if c.mode == executor.ModeCollect {
				// A collect decides nothing: it gathers and writes.
				sent := slices.DeleteFunc(slices.Clone(r.sent), func(s string) bool { return s == scripts.OSVersion })
				if ch := changes(sent); len(ch) > 0 {
					t.Errorf("collect sent commands that change the device: %q", ch)
				}
			} else {
				checkAudit(t, r)
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.rep.Outcome != c.want {
				t.Errorf("outcome %s, want %s", r.rep.Outcome, c.want)
			}
			if got := r.rep.Bundle != ""; got != c.wantBundle {
				t.Fatalf("bundle %q, want one: %v (error %q)", r.rep.Bundle, c.wantBundle, r.rep.BundleError)
			}
			if !strings.Contains(r.rep.BundleError, c.wantError) || (c.wantError == "") != (r.rep.BundleError == "") {
				t.Errorf("bundle error %q, want %q", r.rep.BundleError, c.wantError)
			}
			events := []string{}
			for _, l := range r.audit {
				events = append(events, l.Event)
			}
			i := slices.Index(events, "escalation.bundle")
			if (i >= 0) != (c.wantBundle || c.wantError != "") {
				t.Fatalf("escalation.bundle line at %d, want one: %v", i, c.wantBundle)
			}
			if i < 0 {
				if slices.Contains(r.sent, scripts.OSVersion) {
					t.Error("the Windows version was read without a bundle to write")
				}
				return
			}
			if i != len(events)-2 {
				t.Errorf("escalation.bundle is line %d of %d, want the one before run.end", i+1, len(events))
			}
			if !slices.Contains(r.sent, scripts.OSVersion) {
				t.Error("the bundle was written without reading the Windows version")
			}
			if !c.wantBundle {
				return
			}
			if !strings.HasPrefix(r.rep.Bundle, dir) {
				t.Errorf("bundle %s is not in %s", r.rep.Bundle, dir)
			}
			md, err := os.ReadFile(filepath.Join(r.rep.Bundle, escalation.FileReadme))
			if err != nil {
				t.Fatal(err)
			}
			lines, err := os.ReadFile(filepath.Join(r.rep.Bundle, escalation.FileAudit))
			if err != nil {
				t.Fatal(err)
			}
			// The bundle holds this run's lines up to its own audit line.
			if n := strings.Count(string(lines), "\n"); n != len(events)-1 {
				t.Errorf("%d audit lines in the bundle, want %d (all but run.end)", n, len(events)-1)
			}
			if !strings.Contains(string(md), "Microsoft Windows 11 Enterprise 10.0.22631 (build 22631)") {
				t.Error("ESCALATION.md lacks the Windows version")
			}
		})
	}
}

func tempDir(t *testing.T) string { return t.TempDir() }

// aFile is an escalation dir that cannot be created: a file is in the way.
func aFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
