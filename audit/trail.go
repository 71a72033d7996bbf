package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/caafix/caafix/outcome"
)

// Event is one audit line. Name is the event (run.start, facts,
// policy.decision, step.start, step.command, step.output, step.end,
// run.end; docs/audit.md lists their fields). The string fields, ExitCode
// and DurationMs are written only when set. Fields holds the event's other
// data, written as given, in key order; its keys may not be reserved
// names (see [IsReserved]).
//
// Callers must not put secrets anywhere in an event: the trail writes what
// it is given. Command is the exact PowerShell text sent, which never
// carries a secret by design.
type Event struct {
	Name       string
	Step       string
	Uses       string
	Decision   string // allow, block or skip
	Rule       string
	Reason     string
	Command    string
	Outcome    string
	Rollback   string
	ExitCode   *int
	DurationMs *int64
	Fields     map[string]any
}

// Run identifies the run that every later event belongs to.
type Run struct {
	ID      string // run_id
	Runbook string // runbook: the runbook's name
	Version int    // runbook_version
	SHA256  string // runbook_sha256: hex SHA-256 of the runbook bytes
	Signer  string // signer: the key that signed the runbook
	Device  string // device: the hostname
}

// Options tune a trail. The zero value writes an unrotated log without
// redaction.
type Options struct {
	// Now is the clock for the time field; default time.Now.
	Now func() time.Time
	// Stdout is the sink for path "-"; default os.Stdout.
	Stdout io.Writer
	// Rotate, when set, starts a new file when the current one is full.
	Rotate *Rotation
	// RedactUsers replaces the value of every field named user, and every
	// e-mail address in any string, with user-<12 hex digits>: the start of
	// HMAC-SHA256(RedactKey, the lower-cased value). The same user always
	// gets the same token, so reviewers can still group by user, but only
	// the key's holder can test a guess. The key must be secret and at
	// least MinRedactKey bytes long.
	RedactUsers bool
	RedactKey   []byte
}

// Trail is an open audit log. Its methods are safe for concurrent use.
type Trail struct {
	mu   sync.Mutex
	path string
	w    io.Writer
	f    *os.File // nil for stdout
	size int64    // bytes in f
	rot  *rotation
	now  func() time.Time
	red  *redactor
	buf  bytes.Buffer
	zl   zerolog.Logger

	run    Run
	seq    int64
	head   string
	broken error // sticky: once set, every write returns it
	// pending is written before the next event: audit.recovered, after a
	// torn last line was moved aside (see recoverTail).
	pending *Event
}

// Open opens the audit log at path, or stdout for "-", and continues its
// hash chain: the first line written gets the seq after the last line
// already in the file (or, when the file is empty, in its newest rotated
// backup) and that line's hash as prev.
//
// The file is opened for appending and created with mode 0600 in folders
// created with 0700 (on Windows these modes do not restrict access; the
// ACL comes from the folder). A last line without its line end (caafix
// stopped while writing it) is moved aside and recorded (see recoverTail).
// Open fails with a [*WriteError] when the file cannot be opened, or when
// its last complete line is not a caafix audit line, since continuing it
// would hide the damage.
func Open(path string, opts Options) (*Trail, error) {
	if path == "" {
		return nil, outcome.Errorf(outcome.Usage, "no audit log given").WithHint("set --audit-log to a file, or - for stdout")
	}
	t := &Trail{path: path, now: opts.Now}
	if t.now == nil {
		t.now = time.Now
	}
	if opts.RedactUsers {
		if len(opts.RedactKey) < MinRedactKey {
			return nil, outcome.Errorf(outcome.Usage, "audit user redaction needs a key of at least %d bytes, got %d", MinRedactKey, len(opts.RedactKey)).
				WithHint("configure a secret redaction key, or turn redaction off")
		}
		t.red = &redactor{key: bytes.Clone(opts.RedactKey)}
	}
	// A logger of our own: no global fields, hooks or sampler apply, and
	// the time is formatted here rather than through zerolog's globals.
	t.zl = zerolog.New(&t.buf)
	if path == "-" {
		if opts.Rotate != nil {
			return nil, outcome.Errorf(outcome.Usage, "audit log rotation needs a file, not stdout").WithHint("give --audit-log a file path, or turn rotation off")
		}
		t.w = opts.Stdout
		if t.w == nil {
			t.w = os.Stdout
		}
		return t, nil
	}
	if opts.Rotate != nil {
		t.rot = newRotation(*opts.Rotate)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &WriteError{Path: path, Op: "open", Err: err}
	}
	if err := t.openFile(); err != nil {
		return nil, err
	}
	seq, head, err := lastOf(t.f, t.size)
	if errors.Is(err, errTornTail) {
		if err = t.recoverTail(); err == nil {
			seq, head, err = lastOf(t.f, t.size)
		}
	}
	if err == nil && t.size == 0 {
		seq, head, err = lastOfBackups(path)
	}
	if err != nil {
		t.f.Close()
		return nil, &WriteError{Path: path, Op: "continue the chain of", Err: err}
	}
	t.seq, t.head = seq, head
	return t, nil
}

func (t *Trail) openFile() error {
	f, err := os.OpenFile(t.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return &WriteError{Path: t.path, Op: "open", Err: err}
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return &WriteError{Path: t.path, Op: "open", Err: err}
	}
	t.f, t.w, t.size = f, f, info.Size()
	return nil
}

// lastOf returns the seq and hash of the last line of a log of the given
// size; zeros for an empty one.
func lastOf(f *os.File, size int64) (int64, string, error) {
	if size == 0 {
		return 0, "", nil
	}
	n := min(size, MaxLine+2) // the line, maybe "\r", and "\n"
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, "", err
	}
	if buf[len(buf)-1] != '\n' {
		return 0, "", fmt.Errorf("%w: %w", errBadTail, errTornTail)
	}
	buf = bytes.TrimSuffix(buf[:len(buf)-1], []byte("\r"))
	i := bytes.LastIndexByte(buf, '\n')
	if i < 0 && n < size {
		return 0, "", fmt.Errorf("%w: it is longer than %d bytes", errBadTail, MaxLine)
	}
	h, hash, problem := parseLine(buf[i+1:])
	if problem != "" {
		return 0, "", fmt.Errorf("%w: %s", errBadTail, problem)
	}
	return h.seq, hash, nil
}

// lastOfBackups continues from the newest rotated backup of path, if any.
func lastOfBackups(path string) (int64, string, error) {
	backups, err := Backups(path)
	if err != nil || len(backups) == 0 {
		return 0, "", err
	}
	newest := backups[len(backups)-1]
	f, err := os.Open(newest)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, "", err
	}
	seq, head, err := lastOf(f, info.Size())
	if err != nil {
		return 0, "", fmt.Errorf("%s: %w", newest, err)
	}
	return seq, head, nil
}

// SetRun stamps every later event with r.
func (t *Trail) SetRun(r Run) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.run = r
}

// Head returns the hash of the last line in the log: the chain head, for
// the run's summary line. It is empty for a new, empty log.
func (t *Trail) Head() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.head
}

// Path returns where the trail writes: a file, or "-" for stdout.
func (t *Trail) Path() string { return t.path }

// Write writes e as one line, with a single write call and no buffering
// in between, so a line is in the file (or at least the OS) when Write
// returns. Write it before the action the event describes.
//
// An event that cannot be encoded (a reserved or unencodable field, a line
// over MaxLine) returns an error and writes nothing. A failed write
// returns a [*WriteError] and makes the trail refuse every later write, so
// the run cannot go on unrecorded.
func (t *Trail) Write(e Event) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.pending; p != nil {
		t.pending = nil
		if err := t.write(*p); err != nil {
			return err
		}
	}
	return t.write(e)
}

func (t *Trail) write(e Event) error {
	if t.broken != nil {
		return t.broken
	}
	line, hash, err := t.encode(e)
	if err != nil {
		return err
	}
	if t.rot != nil {
		t.rotateFor(int64(len(line)))
		if t.broken != nil {
			return t.broken
		}
	}
	n, err := t.w.Write(line)
	if err == nil && n != len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if t.f != nil && n > 0 {
			// Take back a partial line so the file still ends on a
			// complete one; best effort, as the disk may be failing.
			_ = t.f.Truncate(t.size)
		}
		t.broken = &WriteError{Path: t.path, Op: "write", Err: err}
		return t.broken
	}
	t.size += int64(n)
	t.seq++
	t.head = hash
	return nil
}

// Sync forces the log to disk. Call it before disruptive steps: a restart
// must not lose the lines that explain it. On stdout it syncs what can be
// synced (a file) and ignores the rest (a pipe or console).
func (t *Trail) Sync() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sync()
}

func (t *Trail) sync() error {
	if t.broken != nil {
		return t.broken
	}
	if t.f == nil {
		if s, ok := t.w.(interface{ Sync() error }); ok {
			_ = s.Sync()
		}
		return nil
	}
	if err := t.f.Sync(); err != nil {
		t.broken = &WriteError{Path: t.path, Op: "sync", Err: err}
		return t.broken
	}
	return nil
}

var errClosed = errors.New("the trail is closed")

// Close syncs and closes the log; later writes fail. Closing twice is not
// an error.
func (t *Trail) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if errors.Is(t.broken, errClosed) {
		return nil
	}
	err := t.sync()
	if t.f != nil {
		if cerr := t.f.Close(); err == nil && cerr != nil {
			err = &WriteError{Path: t.path, Op: "close", Err: cerr}
		}
		t.f = nil
	}
	t.broken = &WriteError{Path: t.path, Op: "write", Err: errClosed}
	return err
}
