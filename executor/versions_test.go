package executor_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/runbooks"
)

func embedded(t *testing.T) *runbooks.Runbook {
	t.Helper()
	rb, err := runbooks.Embedded("caa50021")
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

// recorded reads the version record's entry for name; 0 when none.
func recorded(t *testing.T, dir, name string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, executor.VersionsFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Runbooks map[string]struct{ Version int } `json:"runbooks"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Runbooks[name].Version
}

func TestVersionRecord(t *testing.T) {
	t.Parallel()
	rb := embedded(t)
	cases := []struct {
		name        string
		mode        executor.Mode
		record      int // the version recorded before the run; 0: none
		allow       bool
		want        outcome.Kind // the outcome kind when the run is refused; 0 when it runs
		wantAfter   int          // the record after the run
		wantNothing bool         // the device received nothing at all
	}{
		{"a first run records its version", executor.ModeRun, 0, false, 0, rb.Version, false},
		{"the same version runs again", executor.ModeRun, rb.Version, false, 0, rb.Version, false},
		{"a newer version raises the record", executor.ModeRun, rb.Version - 1, false, 0, rb.Version, false},
		{"an older version is refused before the host starts", executor.ModeRun, rb.Version + 1, false, outcome.Trust, rb.Version + 1, true},
		{"an allowed downgrade runs and keeps the higher record", executor.ModeRun, rb.Version + 1, true, 0, rb.Version + 1, false},
		{"a plan is refused too", executor.ModePlan, rb.Version + 1, false, outcome.Trust, rb.Version + 1, true},
		{"a plan does not record", executor.ModePlan, 0, false, 0, 0, false},
		{"a dry run does not raise the record", executor.ModeDryRun, rb.Version - 1, false, 0, rb.Version - 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, "healthy")
			if c.record > 0 {
				b, _ := json.Marshal(map[string]any{"runbooks": map[string]any{rb.Name: map[string]any{"version": c.record, "run_id": "20261128T000000Z-000000000000"}}})
				if err := os.WriteFile(filepath.Join(dir, executor.VersionsFile), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r := runOn(t, dir, executor.Options{Mode: c.mode, AllowDowngrade: c.allow}, nil)
			if c.want != 0 {
				if r.err == nil || outcome.Of(r.err) != c.want || r.rep.Outcome != c.want {
					t.Fatalf("outcome %s, err %v; want %s", r.rep.Outcome, r.err, c.want)
				}
			} else if r.err != nil {
				t.Fatalf("run failed: %v", r.err)
			}
			if got := recorded(t, dir, rb.Name); got != c.wantAfter {
				t.Errorf("record %d after the run, want %d", got, c.wantAfter)
			}
			if c.wantNothing != (len(r.sent) == 0) {
				t.Errorf("the device received %q; want nothing: %v", r.sent, c.wantNothing)
			}
		})
	}
}

func TestExpiredRunbookIsRefused(t *testing.T) {
	t.Parallel()
	expires := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		now  time.Time
		want outcome.Kind
	}{
		{"a second before it expires it runs", expires.Add(-time.Second), outcome.Healthy},
		{"at the instant it expires it is refused", expires, outcome.Trust},
		{"after it is refused", expires.Add(24 * time.Hour), outcome.Trust},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rb := *embedded(t)
			rb.Expires = expires
			dir := newDevice(t, "healthy")
			r := runOn(t, dir, executor.Options{Runbook: &rb, Now: func() time.Time { return c.now }}, nil)
			if r.rep.Outcome != c.want {
				t.Fatalf("outcome %s (err %v), want %s", r.rep.Outcome, r.err, c.want)
			}
			if c.want == outcome.Trust {
				if len(r.sent) != 0 || recorded(t, dir, rb.Name) != 0 {
					t.Errorf("an expired runbook sent %q or was recorded", r.sent)
				}
				if !strings.Contains(r.err.Error(), "expired at 2027-04-01T00:00:00Z") {
					t.Errorf("error %q does not say when it expired", r.err)
				}
			}
		})
	}
}

func TestDamagedVersionRecordFailsClosed(t *testing.T) {
	t.Parallel()
	for name, content := range map[string][]byte{
		"not JSON":     []byte(`{"runbooks": {"caa50021"`),
		"no runbooks":  []byte(`{}`),
		"over the cap": append([]byte(`{"runbooks": {}, "pad": "`), make([]byte, 1<<20)...),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, "healthy")
			if err := os.WriteFile(filepath.Join(dir, executor.VersionsFile), content, 0o600); err != nil {
				t.Fatal(err)
			}
			r := runOn(t, dir, executor.Options{}, nil)
			if outcome.Of(r.err) != outcome.Trust || len(r.sent) != 0 {
				t.Fatalf("err %v, sent %q; want a trust failure before anything is sent", r.err, r.sent)
			}
		})
	}
}
