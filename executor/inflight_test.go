package executor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A record a crash cut short still says that a run was interrupted; a
// missing one says nothing.
func TestReadInflight(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 15, 7, 26, 0, time.UTC)
	cases := []struct {
		name  string
		data  string // "" : no file
		want  *inflight
		words string
	}{
		{"none", "", nil, ""},
		{"before any step", `{"run_id":"r1","runbook":"caa50021","phase":"start","at":"2026-11-28T15:07:26Z"}`,
			&inflight{RunID: "r1", Runbook: "caa50021", Phase: inflightStart, At: at}, "interrupted before any step acted"},
		{"in an action", `{"run_id":"r2","step":"office-credentials","uses":"credentials.remove","phase":"action","at":"2026-11-28T15:07:26Z"}`,
			&inflight{RunID: "r2", Step: "office-credentials", Uses: "credentials.remove", Phase: inflightAction, At: at}, "in step office-credentials after its action was sent"},
		{"in a pre-check", `{"run_id":"r3","step":"clock","phase":"pre-check","at":"2026-11-28T15:07:26Z"}`,
			&inflight{RunID: "r3", Step: "clock", Phase: inflightCheck, At: at}, "in step clock (pre-check)"},
		{"cut short", `{"run_id":"r4","st`, &inflight{Phase: "unknown"}, "unknown (its record was damaged)"},
		{"empty", " ", &inflight{Phase: "unknown"}, "unknown (its record was damaged)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if c.data != "" {
				if err := os.WriteFile(filepath.Join(dir, inflightFile), []byte(c.data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readInflight(dir)
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
				t.Fatalf("readInflight = %+v, want %+v", got, c.want)
			}
			if got != nil && !strings.Contains(interruptedText(got), c.words) {
				t.Errorf("interruptedText = %q, want it to say %q", interruptedText(got), c.words)
			}
		})
	}
}
