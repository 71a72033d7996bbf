package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock returns a clock that starts at a fixed instant and moves on by
// 1.5 ms at each call, safe for concurrent use.
func clock() func() time.Time {
	var mu sync.Mutex
	at := time.Date(2026, 11, 28, 15, 7, 26, 0, time.FixedZone("CET", 3600))
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(1500 * time.Microsecond)
		return at
	}
}

func ptr[T any](v T) *T { return &v }

// sampleRun writes the events of a small run, as the executor would.
func sampleRun(t testing.TB, tr *Trail, id string) {
	t.Helper()
	tr.SetRun(Run{ID: id, Runbook: "caa50021", Version: 7, SHA256: strings.Repeat("ab", 32), Signer: "caafix-release-2026", Device: "PC-0042"})
	events := []Event{
		{Name: "run.start", Fields: map[string]any{"mode": "run", "caafix_version": "1.0.0", "args": []string{"run"}}},
		{Name: "facts", Fields: map[string]any{"join": "cloud", "managed": false, "user": "alex@contoso.com", "clock_skew_s": 0.5}},
		{Name: "policy.decision", Step: "clock", Uses: "w32tm.resync", Decision: "allow", Rule: "default", Reason: "safe step", Fields: map[string]any{"risk": "safe"}},
		{Name: "step.start", Step: "clock", Uses: "w32tm.resync", Fields: map[string]any{"risk": "safe", "context": "system"}},
		{Name: "step.command", Step: "clock", Uses: "w32tm.resync", Command: "w32tm /resync /force", Fields: map[string]any{"phase": "action"}},
		{Name: "step.output", Step: "clock", Uses: "w32tm.resync", ExitCode: ptr(0), DurationMs: ptr[int64](120), Fields: map[string]any{"phase": "action", "ok": true, "stdout": "The command completed successfully.\r\n", "stderr": ""}},
		{Name: "step.end", Step: "clock", Uses: "w32tm.resync", Reason: "skew within 5m", Rollback: "clock corrected; nothing to undo", DurationMs: ptr[int64](130), Fields: map[string]any{"result": "fixed"}},
		{Name: "run.end", Outcome: "fixed", ExitCode: ptr(0), DurationMs: ptr[int64](900), Fields: map[string]any{"fixed_by": "clock"}},
	}
	for _, e := range events {
		if err := tr.Write(e); err != nil {
			t.Fatalf("write %s: %v", e.Name, err)
		}
	}
}

// openTemp opens a trail on a new file in a temporary folder.
func openTemp(t *testing.T, opts Options) (*Trail, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "logs", "audit.jsonl")
	if opts.Now == nil {
		opts.Now = clock()
	}
	tr, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr, path
}

// logOf returns a log of n runs written to memory.
func logOf(t testing.TB, runs int) []byte {
	t.Helper()
	var buf bytes.Buffer
	tr, err := Open("-", Options{Stdout: &buf, Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range runs {
		sampleRun(t, tr, "run-"+string(rune('a'+i)))
	}
	return buf.Bytes()
}

// lines splits a log into its lines, each with its newline.
func lines(b []byte) [][]byte {
	out := bytes.SplitAfter(b, []byte("\n"))
	if len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return out
}

func join(ls ...[]byte) []byte { return bytes.Join(ls, nil) }

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
