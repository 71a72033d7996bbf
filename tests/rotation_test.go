package tests

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caafix/caafix/audit"
)

// TestRotatedLogEndToEnd: a log rotated by lumberjack into compressed
// backups, then continued by a real run that rotates it once more, is
// one chain that "caafix audit verify" accepts across every file, and
// whose damage it finds in a compressed backup.
func TestRotatedLogEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "logs", "audit.jsonl")
	rot := &audit.Rotation{MaxSizeMB: audit.MinRotateMB, Compress: true}
	tr, err := audit.Open(path, audit.Options{Rotate: rot})
	if err != nil {
		t.Fatal(err)
	}
	tr.SetRun(audit.Run{ID: "filler", Device: "PC-0001"})
	limit := int64(audit.MinRotateMB) << 20
	pad := strings.Repeat("x", 400<<10)
	for range 12 { // about 4.8 MB: two rotations
		if err := tr.Write(audit.Event{Name: "test.filler", Fields: map[string]any{"pad": pad}}); err != nil {
			t.Fatal(err)
		}
	}
	// Fill the current file to 40 kB short of the limit, so that the run
	// below rotates it on its way.
	for {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		n := min(limit-info.Size()-40<<10-400, 900<<10)
		if n <= 0 {
			break
		}
		if err := tr.Write(audit.Event{Name: "test.filler", Fields: map[string]any{"pad": strings.Repeat("y", int(n))}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	before := backups(t, path)
	if len(before) != 2 {
		t.Fatalf("backups %v, want 2 compressed ones", before)
	}

	cfg := filepath.Join(dir, "caafix.yaml")
	if err := os.WriteFile(cfg, []byte("audit:\n  max_size_mb: 2\n  compress: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := caafix(t, dir, "run", "--config", cfg, "--simulate", "wam-cache", "--state-dir", filepath.Join(dir, "state"), "--audit-log", path)
	if code != 0 || errOut != "" {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	head := regexp.MustCompile(`audit head ([0-9a-f]{64})\]$`).FindStringSubmatch(strings.TrimSpace(out))
	if head == nil {
		t.Fatalf("no audit head in %q", out)
	}
	after := backups(t, path)
	if len(after) != 3 {
		t.Fatalf("backups %v, want the run to have made a third", after)
	}

	code, out, _ = caafix(t, dir, "audit", "verify", "--head", head[1], path)
	if code != 0 || !regexp.MustCompile(`intact: \d+ lines, 2 runs, head `+head[1]).MatchString(out) {
		t.Fatalf("verify: exit %d: %s", code, out)
	}
	code, out, _ = caafix(t, dir, "audit", "summary", "--output", "json", filepath.Dir(path))
	if code != 0 || !strings.Contains(out, `"files":4,`) || !strings.Contains(out, `"outcomes":{"fixed":1}`) {
		t.Errorf("summary over the rotated files: exit %d: %s", code, out)
	}

	// An edited line in the middle backup, compressed as it was.
	mid := after[1]
	data := gunzip(t, mid)
	edited := bytes.Replace(data, []byte(`"device":"PC-0001"`), []byte(`"device":"PC-0002"`), 1)
	if bytes.Equal(edited, data) {
		t.Fatalf("%s holds no line to edit", mid)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(edited)
	zw.Close()
	if err := os.WriteFile(mid, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = caafix(t, dir, "audit", "verify", path)
	if code != 1 || !strings.Contains(out, "BROKEN: "+mid+":") {
		t.Errorf("verify after the edit: exit %d: %s", code, out)
	}
}

// backups returns the log's rotated files, which must all be compressed.
func backups(t *testing.T, path string) []string {
	t.Helper()
	files, err := audit.Backups(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".jsonl.gz") {
			t.Errorf("%s is not compressed", f)
		}
	}
	return files
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
