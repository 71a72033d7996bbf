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
	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/caafix/caafix/internal/syncdir"
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

// Options tune a trail. The zero value writes a file rotated at 100 MB,
// without redaction or sinks.
type Options struct {
	// Now is the clock for the time field; default time.Now.
	Now func() time.Time
	// Stdout is the sink for path "-"; default os.Stdout.
	Stdout io.Writer
	// Rotate tunes rotation of a file; nil means the defaults (100 MB,
	// every backup kept, uncompressed). Stdout is never rotated.
	Rotate *Rotation
	// RedactUsers replaces user names and e-mail addresses with
	// user-<12 hex digits>: the start of HMAC-SHA256(RedactKey, the
	// lower-cased name). See docs/audit.md for what counts as a user name.
	// The same user always gets the same token, so reviewers can still
	// group by user, but only the key's holder can test a guess. The key
	// must be secret and at least MinRedactKey bytes long.
	RedactUsers bool
	RedactKey   []byte
	// EventLog also sends every line to the Windows Event Log
	// (Application log, source caafix). Where it cannot be opened or
	// written, the file trail says so and the run goes on.
	EventLog bool
	// Sinks receive a copy of every line after the file has it.
	Sinks []Sink
}

// Trail is an open audit log. Its methods are safe for concurrent use.
type Trail struct {
	mu        sync.Mutex
	path      string
	w         io.Writer          // stdout, or lj
	lj        *lumberjack.Logger // nil for stdout
	size      int64              // bytes in the current file
	max       int64              // the rotation limit
	rot       Rotation
	rotated   time.Time // the millisecond of the last rotation
	rotateErr error     // the last rotation failed: written on in the current file
	now       func() time.Time
	red       *redactor
	buf       bytes.Buffer
	zl        zerolog.Logger
	sinks     []*sinkState

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
// backup, plain or compressed) and that line's hash as prev.
//
// The file is created with mode 0600 in folders created with 0700 (on
// Windows these modes do not restrict access; the ACL comes from the
// folder) and written through lumberjack, which rotates it. Open fails
// with a [*WriteError] when the file cannot be opened for writing, or when
// its last complete line is not a caafix audit line, since continuing it
// would hide the damage. A last line without its line end (caafix stopped
// while writing it) is moved aside and recorded (see recoverTail).
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
		t.red = newRedactor(opts.RedactKey)
	}
	// A logger of our own: no global fields, hooks or sampler apply, and
	// the time is formatted here rather than through zerolog's globals.
	t.zl = zerolog.New(&t.buf)
	if path == "-" {
		t.w = opts.Stdout
		if t.w == nil {
			t.w = os.Stdout
		}
		t.openSinks(opts)
		return t, nil
	}
	rot := Rotation{}
	if opts.Rotate != nil {
		rot = *opts.Rotate
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &WriteError{Path: path, Op: "open", Err: err}
	}
	// Open it here, not at lumberjack's first write: a log that cannot be
	// written must stop the run before it starts.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, &WriteError{Path: path, Op: "open", Err: err}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &WriteError{Path: path, Op: "open", Err: err}
	}
	size := info.Size()
	seq, head, err := lastOf(f, size)
	if errors.Is(err, errTornTail) {
		if size, t.pending, err = recoverTail(f, size, path, t.now()); err == nil {
			seq, head, err = lastOf(f, size)
		}
	}
	if err == nil && size == 0 {
		seq, head, err = lastOfBackups(path)
	}
	if err != nil {
		return nil, &WriteError{Path: path, Op: "continue the chain of", Err: err}
	}
	t.seq, t.head, t.size = seq, head, size
	t.lj, t.max, t.rot = rot.logger(path), rot.limit(), rot
	t.w = t.lj
	t.openSinks(opts)
	return t, nil
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
// returns. Write it before the action the event describes. Then the
// sinks get a copy; a sink that fails is reported in the file and gets no
// more lines, and Write still succeeds.
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
	if t.lj != nil {
		t.rotateIfFull(int64(len(line)))
		if t.broken != nil {
			return t.broken
		}
	}
	n, err := t.w.Write(line)
	if err != nil && n == 0 && t.lj != nil && t.rotateErr != nil {
		// lumberjack could not rename the full file, and so writes
		// nothing: write on in it, as rotateIfFull promises.
		n, err = appendFile(t.path, line)
	}
	if err == nil && n != len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if t.lj != nil && n > 0 {
			// Take back a partial line so the file still ends on a
			// complete one; best effort, as the disk may be failing.
			_ = os.Truncate(t.path, t.size)
		}
		t.broken = &WriteError{Path: t.path, Op: "write", Err: err}
		return t.broken
	}
	t.size += int64(n)
	t.seq++
	t.head = hash
	return t.send(e, line[:len(line)-1])
}

// appendFile appends line to the file at path.
func appendFile(path string, line []byte) (int, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := f.Write(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
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
	if t.lj == nil {
		if s, ok := t.w.(interface{ Sync() error }); ok {
			_ = s.Sync()
		}
		return nil
	}
	if err := t.syncFile(); err != nil {
		t.broken = &WriteError{Path: t.path, Op: "sync", Err: err}
		return t.broken
	}
	return nil
}

// syncFile forces the current file to disk through a handle of its own,
// since lumberjack has no Sync and keeps its handle to itself. That is
// enough: the trail writes through lumberjack and rotates it only under
// t.mu, so the file at t.path is the one holding every line written since
// the last rotation (and rotateIfFull syncs a file before it is rotated).
// On Linux fsync(2) writes back the file's dirty pages and metadata
// whichever descriptor wrote them, since the page cache belongs to the
// inode, not to a descriptor. On Windows FlushFileBuffers writes back the
// cache of the file, which the cache manager keeps per file, not per
// handle; it needs a handle with GENERIC_WRITE access, which O_WRONLY
// asks for (and which lumberjack's handle allows others by sharing
// write). The folder is synced too where the OS allows it, so that a file
// created by rotation is found after a crash.
func (t *Trail) syncFile() error {
	f, err := os.OpenFile(t.path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return syncdir.Dir(filepath.Dir(t.path))
}

var errClosed = errors.New("the trail is closed")

// Close syncs and closes the log and the sinks; later writes fail.
// Closing twice is not an error.
func (t *Trail) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if errors.Is(t.broken, errClosed) {
		return nil
	}
	err := t.sync()
	if t.lj != nil {
		if cerr := t.lj.Close(); err == nil && cerr != nil {
			err = &WriteError{Path: t.path, Op: "close", Err: cerr}
		}
	}
	t.closeSinks()
	t.broken = &WriteError{Path: t.path, Op: "write", Err: errClosed}
	return err
}
