package pshost

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"sync"

	"github.com/bhendo/go-powershell/backend"
)

// Process is a started host process that can be waited for and killed.
// Starters used with [Start] must return a backend.Waiter that is a Process:
// without Kill a hung host could not be stopped.
type Process interface {
	backend.Waiter
	Kill() error
}

// chunkSize is how much a tap reads from a pipe at once. go-powershell
// reads 64 bytes at a time and concatenates strings; the taps read large
// chunks into one growing buffer instead.
const chunkSize = 32 << 10

// boundaryLine matches the tail that go-powershell appends to every command
// it sends. The taps learn the boundaries from it.
var boundaryLine = regexp.MustCompile(`; echo '(\$gorilla[0-9a-f]+\$)'; \[Console\]::Error\.WriteLine\('(\$gorilla[0-9a-f]+\$)'\)\r\n$`)

// stream taps one of the child's output pipes. A pump goroutine reads the
// pipe; Read, called by go-powershell, keeps everything before the boundary
// for pshost and returns only the boundary line.
type stream struct {
	chunks <-chan []byte
	dead   <-chan struct{} // closed when the host is killed or has exited
	limit  int

	mu        sync.Mutex
	marker    []byte // boundary + CRLF of the current command
	window    []byte // recent bytes not yet known to be outside the marker
	captured  []byte
	truncated bool
	pending   []byte // what is left to hand to go-powershell
	eof       bool
}

func newStream(src io.Reader, dead <-chan struct{}, limit int) *stream {
	ch := make(chan []byte, 16)
	go pump(src, ch)
	return &stream{chunks: ch, dead: dead, limit: limit}
}

// pump copies src into ch until src fails, then closes ch. It ends when the
// pipe closes: when the child exits or is killed (on Windows with its whole
// job, so no grandchild keeps the pipe open).
func pump(src io.Reader, ch chan<- []byte) {
	defer close(ch)
	for {
		buf := make([]byte, chunkSize)
		n, err := src.Read(buf)
		if n > 0 {
			ch <- buf[:n]
		}
		if err != nil {
			return
		}
	}
}

// expect sets the boundary that ends the next command's output.
func (s *stream) expect(boundary string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marker = []byte(boundary + "\r\n")
	s.window = s.window[:0]
	s.captured = nil
	s.truncated = false
	s.pending = nil
}

// Read implements io.Reader for go-powershell's stream reader.
func (s *stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.pending) == 0 {
		if s.eof {
			return 0, io.EOF
		}
		// Drain what the pipe already delivered before looking at dead,
		// so the last words of a dying host are kept.
		select {
		case c, ok := <-s.chunks:
			if !ok {
				s.handOver()
				continue
			}
			s.consume(c)
			continue
		default:
		}
		s.mu.Unlock()
		var (
			c  []byte
			ok bool
			d  bool
		)
		select {
		case c, ok = <-s.chunks:
		case <-s.dead:
			d = true
		}
		s.mu.Lock()
		switch {
		case d:
			s.handOver()
		case !ok:
			s.handOver()
		default:
			s.consume(c)
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

// handOver ends the current command early: the pipe closed or the host was
// killed. go-powershell gets its boundary so Execute returns; pshost sees
// eof and reports the host as gone.
func (s *stream) handOver() {
	s.keep(s.window)
	s.window = s.window[:0]
	s.pending = append([]byte(nil), s.marker...)
	s.eof = true
	if len(s.pending) == 0 {
		s.pending = []byte("\r\n") // no command in flight; never read in practice
	}
}

func (s *stream) consume(c []byte) {
	s.window = append(s.window, c...)
	if len(s.marker) > 0 {
		if i := bytes.Index(s.window, s.marker); i >= 0 {
			s.keep(s.window[:i])
			s.window = s.window[:0]
			s.pending = append([]byte(nil), s.marker...)
			return
		}
	}
	// Keep back only as much as could be the start of the marker.
	hold := len(s.marker) - 1
	if hold < 0 {
		hold = 0
	}
	if len(s.window) > hold {
		cut := len(s.window) - hold
		s.keep(s.window[:cut])
		s.window = append(s.window[:0], s.window[cut:]...)
	}
}

func (s *stream) keep(b []byte) {
	room := s.limit - len(s.captured)
	if room <= 0 {
		if len(b) > 0 {
			s.truncated = true
		}
		return
	}
	if len(b) > room {
		b = b[:room]
		s.truncated = true
	}
	s.captured = append(s.captured, b...)
}

// take returns what the current command printed and whether the pipe ended.
func (s *stream) take() (out []byte, truncated, eof bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, truncated = s.captured, s.truncated
	s.captured, s.truncated = nil, false
	return out, truncated, s.eof
}

// stdinTap passes go-powershell's writes to the child, after telling the
// output taps which boundaries to wait for and encoding the text for the
// host's code page.
type stdinTap struct {
	w      io.Writer
	out    *stream
	err    *stream
	encode func(string) ([]byte, error)
}

func (t *stdinTap) Write(p []byte) (int, error) {
	if m := boundaryLine.FindSubmatch(p); m != nil {
		t.out.expect(string(m[1]))
		t.err.expect(string(m[2]))
	}
	b := p
	if t.encode != nil {
		var err error
		if b, err = t.encode(string(p)); err != nil {
			return 0, err
		}
	}
	if _, err := t.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close closes the child's stdin if it can be closed.
func (t *stdinTap) Close() error {
	if c, ok := t.w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// waiter is what go-powershell gets as the process handle: Wait returns the
// result of the one real Wait, which the host started in the background.
type waiter struct {
	exited <-chan struct{}
	err    *error
}

func (w waiter) Wait() error {
	<-w.exited
	return *w.err
}

// tapStarter wraps the real starter for go-powershell.
type tapStarter struct {
	inner backend.Starter
	h     *Host
}

var _ backend.Starter = (*tapStarter)(nil)

var errNotKillable = errors.New("the starter's process handle cannot be killed; pshost needs a Process")

func (ts *tapStarter) StartProcess(cmd string, args ...string) (backend.Waiter, io.Writer, io.Reader, io.Reader, error) {
	wt, stdin, stdout, stderr, err := ts.inner.StartProcess(cmd, args...)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	proc, ok := wt.(Process)
	if !ok {
		return nil, nil, nil, nil, errNotKillable
	}
	h := ts.h
	h.proc = proc
	h.out = newStream(stdout, h.dead, h.opts.MaxOutput)
	h.errs = newStream(stderr, h.dead, h.opts.MaxOutput)
	h.in = &stdinTap{w: stdin, out: h.out, err: h.errs}
	go func() {
		h.waitErr = proc.Wait()
		close(h.exited)
	}()
	return waiter{exited: h.exited, err: &h.waitErr}, h.in, h.out, h.errs, nil
}
