package audit

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRotation writes across many files through lumberjack and checks
// that the chain goes on through them, through a new Open, and through
// compressed backups.
func TestRotation(t *testing.T) {
	t.Parallel()
	const runs, perRun = 12, 8
	cases := []struct {
		name     string
		rot      Rotation
		wantKept int // backups left; -1: all of them
	}{
		{"keep all backups", Rotation{}, -1},
		{"keep two backups", Rotation{MaxBackups: 2}, 2},
		{"compressed backups", Rotation{Compress: true}, -1},
		{"compressed, keep three", Rotation{Compress: true, MaxBackups: 3}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			rot := c.rot
			rot.maxBytes = 2000
			now := clock()
			var head string
			for i := range runs {
				tr, err := Open(path, Options{Now: now, Rotate: &rot})
				if err != nil {
					t.Fatal(err)
				}
				sampleRun(t, tr, fmt.Sprintf("run-%d", i))
				head = tr.Head()
				if err := tr.Close(); err != nil {
					t.Fatal(err)
				}
			}
			backups, err := Backups(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(backups) < 10 && c.wantKept < 0 || c.wantKept >= 0 && len(backups) != c.wantKept {
				t.Fatalf("%d backups %v, want %d (-1: at least 10)", len(backups), backups, c.wantKept)
			}
			for _, b := range append(backups, path) {
				if c.rot.Compress != strings.HasSuffix(b, ".gz") && b != path {
					t.Errorf("%s: compressed is %v, want %v", b, !c.rot.Compress, c.rot.Compress)
				}
				if got := len(readLog(t, b)); got > 2000 {
					t.Errorf("%s holds %d bytes, more than the limit", b, got)
				}
			}
			files, err := Files(path)
			if err != nil {
				t.Fatal(err)
			}
			pruned := c.wantKept >= 0
			rep, err := VerifyFiles(files, VerifyOptions{AllowContinuation: pruned})
			if err != nil {
				t.Fatal(err)
			}
			if rep.LastSeq != runs*perRun || rep.Head != head {
				t.Errorf("report %+v, want seq %d, head %s", rep, runs*perRun, head)
			}
			if !pruned && (rep.Lines != runs*perRun || rep.FirstSeq != 1 || rep.Runs != runs) {
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

// readLog returns a log file's lines, decompressed.
func readLog(t *testing.T, path string) []byte {
	t.Helper()
	r, err := openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVerifyCatchesBreaksAcrossFiles damages a rotated log, compressed
// backups included, and expects verification to name the damaged file.
func TestVerifyCatchesBreaksAcrossFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		damage func(t *testing.T, files []string) string // returns the file to blame
		want   string
	}{
		{"a field edited in a compressed backup", func(t *testing.T, files []string) string {
			b := readLog(t, files[1])
			writeGzip(t, files[1], bytes.Replace(b, []byte(`"runbook":"caa50021"`), []byte(`"runbook":"caa50099"`), 1))
			return files[1]
		}, "the hash does not match"},
		{"a compressed backup deleted", func(t *testing.T, files []string) string {
			os.Remove(files[1])
			return files[2]
		}, "prev is not the hash"},
		{"the last line of a backup cut", func(t *testing.T, files []string) string {
			ls := lines(readLog(t, files[0]))
			writeGzip(t, files[0], join(ls[:len(ls)-1]...))
			return files[1]
		}, "prev is not the hash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			rot := Rotation{Compress: true, maxBytes: 2000}
			now := clock()
			for i := range 4 {
				tr, err := Open(path, Options{Now: now, Rotate: &rot})
				if err != nil {
					t.Fatal(err)
				}
				sampleRun(t, tr, fmt.Sprintf("run-%d", i))
				tr.Close()
			}
			files, err := Files(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) < 4 {
				t.Fatalf("only %d files", len(files))
			}
			if _, err := VerifyFiles(files, VerifyOptions{}); err != nil {
				t.Fatalf("before the damage: %v", err)
			}
			blame := c.damage(t, files)
			files, err = Files(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = VerifyFiles(files, VerifyOptions{})
			var ce *ChainError
			if !errors.As(err, &ce) || ce.File != blame || !strings.Contains(ce.Problem, c.want) {
				t.Errorf("error = %v, want %q in %s", err, c.want, blame)
			}
		})
	}
}

func writeGzip(t *testing.T, path string, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupsInChainOrder: backups sort by the seq of their first lines,
// not by the time in their names, which a clock set back would reorder.
func TestBackupsInChainOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ls := lines(logOf(t, 3))
	// The chain's first file carries the later time stamp.
	names := []string{"audit-2026-03-01T00-00-00.000.jsonl", "audit-2026-02-01T00-00-00.000.jsonl.gz", "audit-2026-01-01T00-00-00.000.jsonl"}
	writeFile(filepath.Join(dir, names[0]), join(ls[:8]...))
	writeGzip(t, filepath.Join(dir, names[1]), join(ls[8:16]...))
	writeFile(filepath.Join(dir, names[2]), join(ls[16:]...))
	files, err := Files(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		if filepath.Base(f) != names[i] {
			t.Fatalf("files %v, want %v", files, names)
		}
	}
	if _, err := VerifyFiles(files, VerifyOptions{}); err != nil {
		t.Error(err)
	}
	// A new trail continues the chain of the newest file by seq, even
	// when that one is compressed.
	os.Remove(filepath.Join(dir, names[2]))
	tr, err := Open(filepath.Join(dir, "audit.jsonl"), Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if want := hashOf(t, ls[15]); tr.Head() != want {
		t.Errorf("head %s, want the compressed backup's last %s", tr.Head(), want)
	}
}

func hashOf(t *testing.T, line []byte) string {
	t.Helper()
	_, hash, problem := parseLine(bytes.TrimSuffix(line, []byte("\n")))
	if problem != "" {
		t.Fatal(problem)
	}
	return hash
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
		"audit-2026-01-01T00-00-00.000.jsonl.gz", // half compressed: the plain file is the complete one
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

// TestRotationFailureWritesOn: when the full file cannot be renamed (on
// Windows, another program holding it open), lines go on into the current
// file, and rotation happens once it can. Made here with an immutable
// folder (chattr +i), where files can be written but not renamed.
func TestRotationFailureWritesOn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	rot := Rotation{maxBytes: 2000}
	tr, err := Open(path, Options{Now: clock(), Rotate: &rot})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	sampleRun(t, tr, "run-1")
	before, _ := Backups(path)
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot make the folder immutable here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
	sampleRun(t, tr, "run-2")
	if info, err := os.Stat(path); err != nil || info.Size() <= 2000 {
		t.Fatalf("current file: %v, %v; want it past the limit, written on", info, err)
	}
	if b, _ := Backups(path); len(b) != len(before) {
		t.Fatalf("backups %v while renaming was impossible", b)
	}
	if out, err := exec.Command("chattr", "-i", dir).CombinedOutput(); err != nil {
		t.Fatalf("chattr -i: %v %s", err, out)
	}
	sampleRun(t, tr, "run-3")
	if b, _ := Backups(path); len(b) <= len(before) {
		t.Fatalf("backups %v: no rotation once renaming worked again", b)
	}
	tr.Close()
	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := VerifyFiles(files, VerifyOptions{}); err != nil || rep.Lines != 24 || rep.Runs != 3 {
		t.Errorf("verify: %+v %v; want 24 lines of 3 runs", rep, err)
	}
}
