package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRotation writes across several files and checks that the chain goes
// on through them and through a new Open.
func TestRotation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		backups  int
		wantKept int // backups left after 3 runs
	}{
		{"keep all backups", 0, -1},
		{"keep two backups", 2, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			rot := &Rotation{MaxBackups: c.backups, maxBytes: 2000}
			now := clock() // one clock: a fixed clock would collide on backup names
			var head string
			for _, id := range []string{"run-1", "run-2", "run-3"} {
				tr, err := Open(path, Options{Now: now, Rotate: rot})
				if err != nil {
					t.Fatal(err)
				}
				sampleRun(t, tr, id)
				head = tr.Head()
				if err := tr.Close(); err != nil {
					t.Fatal(err)
				}
			}
			backups, err := Backups(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(backups) < 2 || c.wantKept >= 0 && len(backups) != c.wantKept {
				t.Fatalf("%d backups %v, want %d", len(backups), backups, c.wantKept)
			}
			for _, b := range append(backups, path) {
				info, err := os.Stat(b)
				if err != nil {
					t.Fatal(err)
				}
				if info.Size() > 2000 {
					t.Errorf("%s has %d bytes, more than the limit", b, info.Size())
				}
			}
			files, err := Files(path)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := VerifyFiles(files, VerifyOptions{AllowContinuation: c.backups > 0})
			if err != nil {
				t.Fatal(err)
			}
			if rep.LastSeq != 24 || rep.Head != head {
				t.Errorf("report %+v, want seq 24, head %s", rep, head)
			}
			if c.backups == 0 && (rep.Lines != 24 || rep.FirstSeq != 1 || rep.Runs != 3) {
				t.Errorf("all backups kept, yet %d lines of %d runs from seq %d", rep.Lines, rep.Runs, rep.FirstSeq)
			}
			if err := VerifyHead(rep, head); err != nil {
				t.Error(err)
			}

			// The current file alone continues a chain: refused by
			// default, accepted when continuation is allowed.
			cur := readFile(t, path)
			if _, err := Verify(bytes.NewReader(cur), path); err == nil || !strings.Contains(err.Error(), "continues a chain") {
				t.Errorf("current file alone: %v, want a continuation error", err)
			}
			if _, err := VerifyWith(bytes.NewReader(cur), path, VerifyOptions{AllowContinuation: true}); err != nil {
				t.Errorf("current file with continuation allowed: %v", err)
			}
		})
	}
}

// TestContinueFromBackup: when the current file is empty (rotated away,
// nothing written since), Open continues the newest backup's chain.
func TestContinueFromBackup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	tr, err := Open(path, Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	sampleRun(t, tr, "run-1")
	head := tr.Head()
	tr.Close()
	if err := os.Rename(path, filepath.Join(dir, "audit-2026-02-01T00-00-00.000.jsonl")); err != nil {
		t.Fatal(err)
	}
	// An older backup, which must not be the one continued.
	if err := os.WriteFile(filepath.Join(dir, "audit-2026-01-01T00-00-00.000.jsonl"), logOf(t, 2), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tr, err = Open(path, Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Head() != head {
		t.Fatalf("head %s, want the newest backup's %s", tr.Head(), head)
	}
	if err := tr.Write(Event{Name: "run.start"}); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	rep, err := VerifyFiles([]string{filepath.Join(dir, "audit-2026-02-01T00-00-00.000.jsonl"), path}, VerifyOptions{})
	if err != nil || rep.LastSeq != 9 {
		t.Errorf("report %+v, %v", rep, err)
	}
}

func TestBackupsIgnoresOtherFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{
		"audit.jsonl", "audit-2026-02-01T00-00-00.000.jsonl", "audit-2026-01-01T00-00-00.000.jsonl",
		"audit-notes.jsonl", "audit-2026-01-01T00-00-00.000.txt", "other-2026-01-01T00-00-00.000.jsonl",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Files(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"audit-2026-01-01T00-00-00.000.jsonl", "audit-2026-02-01T00-00-00.000.jsonl", "audit.jsonl"}
	if len(got) != len(want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	for i := range want {
		if filepath.Base(got[i]) != want[i] {
			t.Errorf("file %d = %s, want %s", i, got[i], want[i])
		}
	}
}
