package escalation

import (
	"archive/zip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/caafix/caafix/audit"
)

var wantFiles = []string{FileReadme, FileAudit, FileDsreg, FileEvents, FileFacts}

func TestWriteFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := goldenCases(t)[0].c
	path, err := Write(filepath.Join(dir, "escalations"), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "escalations", "escalation-20251128T160400Z-0a1b2c3d4e5f-20251128T160500Z"); path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	sorted := append([]string(nil), wantFiles...)
	sort.Strings(sorted)
	if strings.Join(names, ",") != strings.Join(sorted, ",") {
		t.Errorf("files %v, want %v", names, sorted)
	}
	parent, _ := os.ReadDir(filepath.Dir(path))
	if len(parent) != 1 {
		t.Errorf("the escalations folder holds %d entries, want only the bundle (no temporary folder left)", len(parent))
	}
	if _, err := Write(filepath.Join(dir, "escalations"), c, Options{}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second bundle of the same name: err %v, want already exists", err)
	}
}

func TestWriteZip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := goldenCases(t)[0].c
	path, err := Write(dir, c, Options{Zip: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, ".zip") {
		t.Fatalf("path %s is no .zip", path)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]bool{}
	for _, f := range zr.File {
		got[f.Name] = true
	}
	for _, name := range wantFiles {
		if !got[Name(c)+"/"+name] {
			t.Errorf("the zip lacks %s/%s (has %v)", Name(c), name, got)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries beside the zip, want none (no temporary file left)", len(entries)-1)
	}
}

// Whatever the device prints, the bundle stays bounded.
func TestBundleIsBounded(t *testing.T) {
	t.Parallel()
	c := *goldenCases(t)[0].c
	c.Dsreg = strings.Repeat("x", 10<<20)
	c.Events = `[` + strings.Repeat(`{"Id":1098,"TimeCreated":"\/Date(1764345600000)\/","Message":"0xCAA50021 `+strings.Repeat("m", 20<<10)+`"},`, 60) + `{"Id":1,"TimeCreated":"\/Date(1764345600000)\/","Message":""}]`
	line := `{"schema":1,"event":"step.output","run_id":"x","stdout":"` + strings.Repeat("o", 4<<10) + `","hash":"00"}`
	for i := 0; i < 560; i++ {
		c.AuditLines = append(c.AuditLines, line)
	}
	files, err := Files(&c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range files {
		total += len(f.Data)
	}
	if total > MaxBundle {
		t.Errorf("the bundle holds %d bytes, over %d", total, MaxBundle)
	}
	if !strings.Contains(fileOf(files, FileReadme), "more left out for size") {
		t.Error("ESCALATION.md does not say audit lines were left out")
	}
}

func TestNameIsLegalOnWindows(t *testing.T) {
	t.Parallel()
	c := &Case{RunID: `..\a:b*c?"<>|`, Time: testNow}
	if n := Name(c); strings.ContainsAny(n, `\/:*?"<>|.`) {
		t.Errorf("Name %q has characters Windows refuses or that climb folders", n)
	}
}

// RunLines returns one run's lines, across a rotated backup, and none of
// the other runs'.
func TestRunLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.jsonl")
	write := func(id string, n int) {
		tr, err := audit.Open(log, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tr.SetRun(audit.Run{ID: id})
		for i := 0; i < n; i++ {
			if err := tr.Write(audit.Event{Name: "step.end", Step: "s"}); err != nil {
				t.Fatal(err)
			}
		}
		tr.Close()
	}
	write("run-a", 3)
	write("run-b", 2)
	// A rotation inside run-b: the older part becomes a backup.
	if err := os.Rename(log, filepath.Join(dir, "audit-2025-11-28T16-00-00.000.jsonl")); err != nil {
		t.Fatal(err)
	}
	write("run-b", 2)
	write("run-c", 1)
	cases := []struct {
		name string
		id   string
		want int
	}{
		{"a run across a rotation", "run-b", 4},
		{"a run in the backup only", "run-a", 3},
		{"the last run", "run-c", 1},
		{"an unknown run", "run-z", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines, err := RunLines(log, c.id)
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != c.want {
				t.Errorf("%d lines, want %d", len(lines), c.want)
			}
			for _, l := range lines {
				if !strings.Contains(l, `"run_id":"`+c.id+`"`) {
					t.Errorf("line of another run: %s", l)
				}
			}
		})
	}
	if lines, err := RunLines("-", "run-a"); err != nil || lines != nil {
		t.Errorf("stdout log: %v, %v; want nothing", lines, err)
	}
}
