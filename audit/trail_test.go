package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/caafix/caafix/outcome"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestWriteThenVerify(t *testing.T) {
	t.Parallel()
	tr, path := openTemp(t, Options{})
	sampleRun(t, tr, "run-1")
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Verify(f, path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines != 8 || rep.Runs != 1 || rep.FirstSeq != 1 || rep.LastSeq != 8 {
		t.Errorf("report = %+v, want 8 lines, 1 run, seq 1 to 8", rep)
	}
	if rep.Head != tr.Head() {
		t.Errorf("verified head %s, trail head %s", rep.Head, tr.Head())
	}
	if err := VerifyHead(rep, tr.Head()); err != nil {
		t.Error(err)
	}
}

// TestLineShape checks the members each kind of event writes, in order.
func TestLineShape(t *testing.T) {
	t.Parallel()
	stamps := []string{"schema", "time", "event", "run_id", "seq", "device", "runbook", "runbook_version", "runbook_sha256", "signer"}
	cases := []struct {
		name string
		ev   Event
		keys []string // after the run's stamps, before prev and hash
	}{
		{"empty fields are left out", Event{Name: "run.start"}, nil},
		{"policy decision", Event{Name: "policy.decision", Step: "s", Uses: "u", Decision: "block", Rule: "hybrid-joined", Reason: "r"},
			[]string{"step", "uses", "decision", "rule", "reason"}},
		{"command", Event{Name: "step.command", Step: "s", Command: "cmdkey /list"}, []string{"step", "command"}},
		{"zero exit code and duration are written", Event{Name: "step.output", ExitCode: ptr(0), DurationMs: ptr[int64](0)},
			[]string{"exit_code", "duration_ms"}},
		{"run end", Event{Name: "run.end", Outcome: "fixed", Rollback: "x", ExitCode: ptr(0)}, []string{"exit_code", "outcome", "rollback"}},
		{"extra fields sorted, written as given", Event{Name: "facts", Fields: map[string]any{"user": "", "managed": false, "join": "cloud", "credentials": nil}},
			[]string{"credentials", "join", "managed", "user"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			tr, err := Open("-", Options{Stdout: &buf, Now: clock()})
			if err != nil {
				t.Fatal(err)
			}
			tr.SetRun(Run{ID: "r", Runbook: "caa50021", Version: 7, SHA256: "00", Signer: "k", Device: "PC"})
			if err := tr.Write(c.ev); err != nil {
				t.Fatal(err)
			}
			want := append(append(append([]string{}, stamps...), c.keys...), "prev", "hash")
			if got := keysOf(t, buf.Bytes()); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("keys\n got %v\nwant %v", got, want)
			}
		})
	}
}

// keysOf returns the top-level keys of a JSON object in their order.
func keysOf(t *testing.T, line []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestGolden pins the bytes of one line, hash included, with a fixed clock.
func TestGolden(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	tr, err := Open("-", Options{Stdout: &buf, Now: func() time.Time {
		return time.Date(2026, 11, 28, 16, 7, 26, 120000000, time.FixedZone("CET", 3600))
	}})
	if err != nil {
		t.Fatal(err)
	}
	tr.SetRun(Run{ID: "20261128T150726Z-0a1b2c3d4e5f", Runbook: "caa50021", Version: 7,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Signer: "caafix-release-2026", Device: "PC-0042"})
	err = tr.Write(Event{Name: "step.command", Step: "office-creds", Uses: "credentials.remove",
		Command: `cmdkey /delete:'MicrosoftOffice16_Data:SSPI:alex@contoso.com' 2>&1 | Out-String`,
		Fields:  map[string]any{"phase": "action"}})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "step-command.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := bytes.ReplaceAll(readFile(t, golden), []byte("\r\n"), []byte("\n"))
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("line\n got %s\nwant %s(run go test ./audit -run TestGolden -update after a deliberate change)", buf.Bytes(), want)
	}
}

func TestTimeIsUTCWithFraction(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"zone converted to UTC", time.Date(2026, 1, 2, 4, 5, 6, 7_000_000, time.FixedZone("X", 3*3600)), "2026-01-02T01:05:06.007000000Z"},
		{"whole second keeps its fraction", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000000000Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			tr, _ := Open("-", Options{Stdout: &buf, Now: func() time.Time { return c.at }})
			if err := tr.Write(Event{Name: "run.start"}); err != nil {
				t.Fatal(err)
			}
			var ev struct{ Time string }
			if err := json.Unmarshal(buf.Bytes(), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Time != c.want {
				t.Errorf("time = %s, want %s", ev.Time, c.want)
			}
			if _, err := time.Parse(time.RFC3339Nano, ev.Time); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestEventRefused: a bad event writes nothing and leaves the trail usable.
func TestEventRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ev   Event
		want string
	}{
		{"no name", Event{}, "name"},
		{"name with capitals", Event{Name: "Step.Start"}, "name"},
		{"reserved field seq", Event{Name: "facts", Fields: map[string]any{"seq": 3}}, "reserved"},
		{"reserved field hash", Event{Name: "facts", Fields: map[string]any{"hash": "x"}}, "reserved"},
		{"reserved field step", Event{Name: "facts", Fields: map[string]any{"step": "x"}}, "reserved"},
		{"empty field name", Event{Name: "facts", Fields: map[string]any{"": 1}}, "reserved"},
		{"value JSON cannot hold", Event{Name: "facts", Fields: map[string]any{"f": func() {}}}, "field f"},
		{"line over the limit", Event{Name: "step.output", Fields: map[string]any{"stdout": strings.Repeat("x", MaxLine)}}, "more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			tr, _ := Open("-", Options{Stdout: &buf, Now: clock()})
			err := tr.Write(c.ev)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want one about %q", err, c.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q", buf.Bytes())
			}
			if err := tr.Write(Event{Name: "run.start"}); err != nil {
				t.Errorf("the trail broke: %v", err)
			}
			if rep, err := Verify(&buf, "-"); err != nil || rep.LastSeq != 1 {
				t.Errorf("after a refused event: %+v, %v", rep, err)
			}
		})
	}
}

// TestChainAcrossRuns: a second Open of the same file continues its chain.
func TestChainAcrossRuns(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	var heads []string
	for _, id := range []string{"run-1", "run-2"} {
		tr, err := Open(path, Options{Now: clock()})
		if err != nil {
			t.Fatal(err)
		}
		sampleRun(t, tr, id)
		heads = append(heads, tr.Head())
		if err := tr.Close(); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := VerifyWith(bytes.NewReader(readFile(t, path)), path, VerifyOptions{Head: heads[0]})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines != 16 || rep.Runs != 2 || rep.LastSeq != 16 || rep.Head != heads[1] {
		t.Errorf("report = %+v, want 16 lines of 2 runs ending at %s", rep, heads[1])
	}
	for _, h := range heads {
		if err := VerifyHead(rep, h); err != nil {
			t.Errorf("head %s: %v", h, err)
		}
	}
	if rep.FoundAt != path+":8" {
		t.Errorf("first run's head found at %q, want line 8", rep.FoundAt)
	}
}

func TestOpenRefusesDamagedEnd(t *testing.T) {
	t.Parallel()
	good := logOf(t, 1)
	ls := lines(good)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"not an audit log", []byte("hello\n"), "not a JSON object"},
		{"torn line after an edited one", join(append(ls[:7:7], bytes.Replace(ls[7], []byte(`"fixed"`), []byte(`"healthy"`), 1), ls[7][:20])...), "edited"},
		{"last line edited", join(append(ls[:7:7], bytes.Replace(ls[7], []byte(`"fixed"`), []byte(`"healthy"`), 1))...), "edited"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			if err := os.WriteFile(path, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path, Options{})
			var we *WriteError
			if !errors.As(err, &we) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want a WriteError about %q", err, c.want)
			}
			if outcome.Of(err) != outcome.HostError || !strings.Contains(outcome.HintOf(err), "move "+path+" aside") {
				t.Errorf("outcome %v, hint %q", outcome.Of(err), outcome.HintOf(err))
			}
			if !bytes.Equal(readFile(t, path), c.data) {
				t.Error("Open changed the file")
			}
		})
	}
}

// A last line without its line end (caafix stopped while writing it) is
// moved aside, byte for byte, and the chain goes on from the last complete
// line with an audit.recovered event that names the fragment.
func TestOpenRecoversTornLastLine(t *testing.T) {
	t.Parallel()
	good := logOf(t, 2)
	ls := lines(good)
	for _, cut := range []int{1, 10, len(ls[len(ls)-1]) - 1} {
		t.Run(fmt.Sprintf("cut %d bytes", cut), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "audit.jsonl")
			torn := good[:len(good)-cut]
			frag := torn[len(good)-len(ls[len(ls)-1]):]
			if err := os.WriteFile(path, torn, 0o600); err != nil {
				t.Fatal(err)
			}
			tr, err := Open(path, Options{Now: clock()})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			sampleRun(t, tr, "run-c")
			if err := tr.Close(); err != nil {
				t.Fatal(err)
			}
			data := readFile(t, path)
			if !bytes.HasPrefix(data, join(ls[:len(ls)-1]...)) {
				t.Fatal("the complete lines before the torn one changed")
			}
			if _, err := Verify(bytes.NewReader(data), path); err != nil {
				t.Fatalf("the recovered log does not verify: %v", err)
			}
			rec := lines(data)[len(ls)-1]
			sum := sha256.Sum256(frag)
			for _, want := range []string{`"event":"audit.recovered"`, `"torn_bytes":` + fmt.Sprint(len(frag)), `"torn_sha256":"` + hex.EncodeToString(sum[:]) + `"`} {
				if !bytes.Contains(rec, []byte(want)) {
					t.Errorf("the line after the last complete one lacks %s: %s", want, rec)
				}
			}
			sides, _ := filepath.Glob(path + ".torn-*")
			if len(sides) != 1 || !bytes.Equal(readFile(t, sides[0]), frag) {
				t.Errorf("the torn line was not kept beside the log: %v", sides)
			}
		})
	}
}

func TestOpenUsageErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		path string
		opts Options
	}{
		{"no path", "", Options{}},
		{"redaction without a key", "-", Options{RedactUsers: true}},
		{"redaction with a short key", "-", Options{RedactUsers: true, RedactKey: []byte("short")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(c.path, c.opts)
			if outcome.Of(err) != outcome.Usage || outcome.HintOf(err) == "" {
				t.Errorf("error = %v (%v, hint %q), want a usage error with a hint", err, outcome.Of(err), outcome.HintOf(err))
			}
		})
	}
}

func TestOpenFailsWhereNoFileCanBe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(blocker, "audit.jsonl")
	_, err := Open(path, Options{})
	var we *WriteError
	if !errors.As(err, &we) || outcome.Of(err) != outcome.HostError || !strings.Contains(err.Error(), path) {
		t.Fatalf("error = %v, want a host error naming %s", err, path)
	}
}

func TestFileModes(t *testing.T) {
	t.Parallel()
	if os.PathSeparator == '\\' {
		t.Skip("Windows access comes from ACLs, not modes")
	}
	tr, path := openTemp(t, Options{})
	if err := tr.Write(Event{Name: "run.start"}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]fs.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, info.Mode().Perm(), want)
		}
	}
}

func TestStdoutSink(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	tr, err := Open("-", Options{Stdout: &buf, Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	sampleRun(t, tr, "run-1")
	if err := tr.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(&buf, "stdout")
	if err != nil || rep.Lines != 8 || rep.Head != tr.Head() {
		t.Errorf("report %+v, %v", rep, err)
	}
}

// failingWriter fails every write after the first ok ones, having written
// part of the line.
type failingWriter struct {
	mu    sync.Mutex
	ok    int
	err   error
	calls int
	buf   bytes.Buffer
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	if w.calls > w.ok {
		n := len(p) / 2
		w.buf.Write(p[:n])
		return n, w.err
	}
	return w.buf.Write(p)
}

func TestFailedWriteIsSticky(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		hint string
	}{
		{"disk full", syscall.ENOSPC, "free disk space"},
		{"permission", fs.ErrPermission, "write access"},
		{"short write", nil, "check the disk"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := &failingWriter{ok: 2, err: c.err}
			tr, err := Open("-", Options{Stdout: w, Now: clock()})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := tr.Write(Event{Name: "run.start"}); err != nil {
					t.Fatal(err)
				}
			}
			head := tr.Head()
			err = tr.Write(Event{Name: "step.command", Command: "dsregcmd /cleanupaccounts"})
			var we *WriteError
			if !errors.As(err, &we) || outcome.Of(err) != outcome.HostError {
				t.Fatalf("error = %v, want a host error", err)
			}
			if c.err != nil && !errors.Is(err, c.err) {
				t.Errorf("error %v lost its cause %v", err, c.err)
			}
			if !strings.Contains(outcome.HintOf(err), c.hint) {
				t.Errorf("hint %q, want one about %q", outcome.HintOf(err), c.hint)
			}
			calls := w.calls
			if err2 := tr.Write(Event{Name: "run.end"}); err2 != err {
				t.Errorf("second write: %v, want the first error again", err2)
			}
			if err2 := tr.Sync(); err2 != err {
				t.Errorf("sync: %v, want the first error again", err2)
			}
			if w.calls != calls {
				t.Error("a broken trail still wrote")
			}
			if tr.Head() != head {
				t.Error("the head moved past a line that was not written")
			}
		})
	}
}

// TestDiskFull writes to a real file that is always full.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	tr, err := Open("/dev/full", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	err = tr.Write(Event{Name: "run.start"})
	if !errors.Is(err, syscall.ENOSPC) || outcome.Of(err) != outcome.HostError ||
		!strings.Contains(err.Error(), "/dev/full") || !strings.Contains(outcome.HintOf(err), "free disk space") {
		t.Fatalf("error = %v, hint %q", err, outcome.HintOf(err))
	}
	if err2 := tr.Write(Event{Name: "run.start"}); err2 != err {
		t.Errorf("second write: %v", err2)
	}
}

func TestWriteAfterClose(t *testing.T) {
	t.Parallel()
	tr, _ := openTemp(t, Options{})
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if err := tr.Write(Event{Name: "run.start"}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("write after close: %v", err)
	}
}

func TestSyncFile(t *testing.T) {
	t.Parallel()
	tr, path := openTemp(t, Options{})
	if err := tr.Write(Event{Name: "step.start", Step: "restart"}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Sync(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readFile(t, path), []byte(`"step":"restart"`)) {
		t.Error("the line is not in the file")
	}
}

func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	tr, path := openTemp(t, Options{})
	tr.SetRun(Run{ID: "run-1"})
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				if err := tr.Write(Event{Name: "step.output", Step: fmt.Sprintf("g%d", g), Fields: map[string]any{"i": i}}); err != nil {
					t.Error(err)
					return
				}
				_ = tr.Head()
			}
		})
	}
	wg.Wait()
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(bytes.NewReader(readFile(t, path)), path)
	if err != nil || rep.Lines != writers*each || rep.Runs != 1 {
		t.Errorf("report %+v, %v", rep, err)
	}
}

// TestGlobalLevelDisabled: a zerolog global level set elsewhere (cmd) must
// not silently drop audit lines. Not parallel: it changes a global.
func TestGlobalLevelDisabled(t *testing.T) {
	old := zerolog.GlobalLevel()
	zerolog.SetGlobalLevel(zerolog.Disabled)
	defer zerolog.SetGlobalLevel(old)
	var buf bytes.Buffer
	tr, _ := Open("-", Options{Stdout: &buf})
	if err := tr.Write(Event{Name: "run.start"}); err == nil || !strings.Contains(err.Error(), "global level") {
		t.Errorf("error = %v, want one naming the global level", err)
	}
	zerolog.SetGlobalLevel(zerolog.PanicLevel)
	if err := tr.Write(Event{Name: "run.start"}); err != nil || buf.Len() == 0 {
		t.Errorf("a high global level must not silence the trail: %v", err)
	}
}

// TestSyncFailsWithoutTheFile: the sync goes through a handle of its own
// on the file at the log's path; when that file is gone, nothing can be
// known to be on disk, so the trail is broken like after a failed write.
func TestSyncFailsWithoutTheFile(t *testing.T) {
	t.Parallel()
	tr, path := openTemp(t, Options{})
	if err := tr.Write(Event{Name: "step.start", Step: "restart"}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	err := tr.Sync()
	var we *WriteError
	if !errors.As(err, &we) || we.Op != "sync" || !errors.Is(err, fs.ErrNotExist) || outcome.Of(err) != outcome.HostError {
		t.Fatalf("sync = %v, want a host error from the sync", err)
	}
	if err2 := tr.Write(Event{Name: "step.command"}); err2 != err {
		t.Errorf("write after a failed sync: %v, want the sync's error", err2)
	}
}
