package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/caafix/caafix/outcome"
)

// Schema is the version of the event format.
const Schema = 1

// Event is one audit line. Empty fields are left out.
type Event struct {
	Name       string // the event: run.start, facts, policy.decision, step.start, step.command, step.output, step.end, run.end
	Step       string
	Uses       string
	Decision   string
	Rule       string
	Reason     string
	Command    string // the exact PowerShell text sent
	Outcome    string
	Rollback   string
	ExitCode   *int
	DurationMs *int64
	Fields     map[string]any // more fields, written in key order
}

// Run identifies the run every later event belongs to.
type Run struct {
	ID      string
	Runbook string
	Version int
	SHA256  string
	Signer  string
}

// Options tune a trail.
type Options struct {
	Now    func() time.Time
	Stdout io.Writer // the sink for path "-"; default os.Stdout
}

// Trail is an open audit log.
type Trail struct {
	mu     sync.Mutex
	path   string
	w      io.Writer
	f      *os.File // nil for stdout
	now    func() time.Time
	run    Run
	seq    int64
	head   string
	broken error
}

// A WriteError means the audit log could not be written: the run must stop.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("audit log %s: %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *WriteError) Unwrap() error { return e.Err }

// Outcome reports a host error: caafix cannot run without its audit log.
func (e *WriteError) Outcome() outcome.Kind { return outcome.HostError }

// UserHint says what to do.
func (e *WriteError) UserHint() string {
	return "free disk space or fix the permissions of the audit log's folder, or choose another file with --audit-log"
}

// Open opens the audit log at path ("-" for stdout), continuing the hash
// chain of the lines already in it.
func Open(path string, opts Options) (*Trail, error) {
	t := &Trail{path: path, now: opts.Now}
	if t.now == nil {
		t.now = time.Now
	}
	if path == "-" {
		t.w = opts.Stdout
		if t.w == nil {
			t.w = os.Stdout
		}
		return t, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &WriteError{Path: path, Err: err}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, &WriteError{Path: path, Err: err}
	}
	seq, head, err := lastLine(f)
	if err != nil {
		f.Close()
		return nil, &WriteError{Path: path, Err: fmt.Errorf("read the end of the existing log to continue its hash chain: %w", err)}
	}
	t.f, t.w, t.seq, t.head = f, f, seq, head
	return t, nil
}

// lastLine returns the seq and hash of the file's last line.
func lastLine(f *os.File) (int64, string, error) {
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return 0, "", err
	}
	const tail = 1 << 20
	off := info.Size() - tail
	if off < 0 {
		off = 0
	}
	buf := make([]byte, info.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
		return 0, "", err
	}
	buf = bytes.TrimRight(buf, "\n")
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		buf = buf[i+1:]
	}
	var last struct {
		Seq  int64  `json:"seq"`
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal(buf, &last); err != nil || last.Hash == "" {
		return 0, "", fmt.Errorf("its last line is not a caafix audit event; move the file aside and start a new log")
	}
	return last.Seq, last.Hash, nil
}

// SetRun stamps every later event with r.
func (t *Trail) SetRun(r Run) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.run = r
}

// Head returns the hash of the last line written.
func (t *Trail) Head() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.head
}

// Path returns where the trail writes.
func (t *Trail) Path() string { return t.path }

// Write writes one event as one line and flushes it.
func (t *Trail) Write(e Event) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken != nil {
		return t.broken
	}
	line := t.encode(e)
	if _, err := t.w.Write(line); err != nil {
		t.broken = &WriteError{Path: t.path, Err: err}
		return t.broken
	}
	t.seq++
	t.head = hashOf(line)
	return nil
}

func (t *Trail) encode(e Event) []byte {
	var buf bytes.Buffer
	zl := zerolog.New(&buf)
	ev := zl.Log().
		Int("schema", Schema).
		Str("time", t.now().UTC().Format(time.RFC3339Nano)).
		Str("event", e.Name).
		Str("run_id", t.run.ID).
		Int64("seq", t.seq+1)
	str := func(k, v string) {
		if v != "" {
			ev = ev.Str(k, v)
		}
	}
	str("runbook", t.run.Runbook)
	if t.run.Version != 0 {
		ev = ev.Int("runbook_version", t.run.Version)
	}
	str("runbook_sha256", t.run.SHA256)
	str("signer", t.run.Signer)
	str("step", e.Step)
	str("uses", e.Uses)
	str("decision", e.Decision)
	str("rule", e.Rule)
	str("reason", e.Reason)
	str("command", e.Command)
	str("outcome", e.Outcome)
	str("rollback", e.Rollback)
	if e.ExitCode != nil {
		ev = ev.Int("exit_code", *e.ExitCode)
	}
	if e.DurationMs != nil {
		ev = ev.Int64("duration_ms", *e.DurationMs)
	}
	for _, k := range sortedKeys(e.Fields) {
		ev = ev.Interface(k, e.Fields[k])
	}
	ev.Str("prev", t.head).Send()
	line := bytes.TrimRight(buf.Bytes(), "\n")
	sum := sha256.Sum256(line)
	out := make([]byte, 0, len(line)+80)
	out = append(out, line[:len(line)-1]...)
	out = append(out, `,"hash":"`...)
	out = append(out, hex.EncodeToString(sum[:])...)
	out = append(out, "\"}\n"...)
	return out
}

func hashOf(line []byte) string {
	line = bytes.TrimRight(line, "\n")
	i := bytes.LastIndex(line, []byte(`,"hash":"`))
	if i < 0 || len(line) < i+len(`,"hash":"`)+64+2 {
		return ""
	}
	return string(line[i+len(`,"hash":"`) : i+len(`,"hash":"`)+64])
}

// Sync forces the log to disk.
func (t *Trail) Sync() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.broken != nil {
		return t.broken
	}
	if t.f == nil {
		if s, ok := t.w.(interface{ Sync() error }); ok {
			_ = s.Sync() // stdout may be a pipe that cannot sync
		}
		return nil
	}
	if err := t.f.Sync(); err != nil {
		t.broken = &WriteError{Path: t.path, Err: err}
		return t.broken
	}
	return nil
}

// Close syncs and closes the log.
func (t *Trail) Close() error {
	if t.f == nil {
		return nil
	}
	err := t.Sync()
	if cerr := t.f.Close(); err == nil && cerr != nil {
		err = &WriteError{Path: t.path, Err: cerr}
	}
	return err
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
