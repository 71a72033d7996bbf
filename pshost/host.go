package pshost

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	powershell "github.com/bhendo/go-powershell"
	"github.com/bhendo/go-powershell/backend"

	"github.com/caafix/caafix/outcome"
)

// Options tune a [Host]. Zero values take the defaults.
type Options struct {
	// CommandTimeout bounds each command whose context has no deadline.
	CommandTimeout time.Duration
	// StartTimeout bounds the start of the host and its first command.
	StartTimeout time.Duration
	// CloseTimeout bounds a graceful exit before the host is killed.
	CloseTimeout time.Duration
	// MaxOutput caps what is kept of one command's stdout (and, separately,
	// its stderr); the rest is read and dropped, and Result.Truncated is set.
	MaxOutput int
}

func (o Options) withDefaults() Options {
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 2 * time.Minute
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	if o.CloseTimeout <= 0 {
		o.CloseTimeout = 5 * time.Second
	}
	if o.MaxOutput <= 0 {
		o.MaxOutput = 16 << 20
	}
	return o
}

// A HostError means the PowerShell host failed: it could not start, died,
// timed out, or answered outside the protocol. The run cannot go on.
type HostError struct {
	Op      string // what pshost was doing: "start", "run", …
	Command string // the command in flight, if any
	Timeout bool
	Err     error
}

func (e *HostError) Error() string {
	var b strings.Builder
	b.WriteString("powershell host: ")
	b.WriteString(e.Op)
	if e.Command != "" {
		fmt.Fprintf(&b, " %q", firstLine(e.Command))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *HostError) Unwrap() error { return e.Err }

// Outcome reports a host error: exit 7.
func (e *HostError) Outcome() outcome.Kind { return outcome.HostError }

// UserHint says what to do about a host error: the cause's own hint
// when it has one (an audit log that cannot be written says to free disk
// space, not to check powershell.exe).
func (e *HostError) UserHint() string {
	if h := outcome.HintOf(e.Err); h != "" {
		return h
	}
	if e.Timeout {
		return "the command took longer than its timeout and the host was stopped; raise host.command_timeout or the step's timeout, or look at the device"
	}
	return "check that powershell.exe starts on this device (run it by hand as the same account), then run caafix again"
}

// Host is one PowerShell session. Commands run one at a time.
type Host struct {
	opts  Options
	shell powershell.Shell

	proc    Process
	in      *stdinTap
	out     *stream
	errs    *stream
	exited  chan struct{}
	waitErr error

	dead     chan struct{}
	deadOnce sync.Once
	why      error

	mu    sync.Mutex // one command at a time
	codec codec
}

var _ Runner = (*Host)(nil)

// Start starts a host through starter and checks that it answers within
// the start timeout. The starter decides what really runs: powershell.exe
// (see [NewPowerShell]) or the simulated device.
func Start(ctx context.Context, starter backend.Starter, opts Options) (*Host, error) {
	h := &Host{
		opts:   opts.withDefaults(),
		exited: make(chan struct{}),
		dead:   make(chan struct{}),
		codec:  codec{page: 20127}, // ASCII until the host says more
	}
	go func() {
		<-h.exited
		h.markDead(errors.New("the host process exited"))
	}()
	sh, err := powershell.New(&tapStarter{inner: starter, h: h})
	if err != nil {
		return nil, &HostError{Op: "start", Err: err}
	}
	h.shell = sh
	h.in.encode = h.codec.encode

	sctx, cancel := context.WithTimeout(ctx, h.opts.StartTimeout)
	defer cancel()
	res, err := h.Run(sctx, CodePageCommand)
	if err != nil {
		h.Close()
		var he *HostError
		if errors.As(err, &he) {
			he.Op = "start"
			return nil, he
		}
		return nil, &HostError{Op: "start", Err: err}
	}
	page, err := parseCodePage(res.Stdout)
	if err != nil {
		h.Close()
		return nil, &HostError{Op: "start", Command: CodePageCommand, Err: err}
	}
	h.mu.Lock()
	h.codec = newCodec(page)
	h.in.encode = h.codec.encode
	h.mu.Unlock()
	return h, nil
}

// CodePage returns the host's console code page.
func (h *Host) CodePage() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.codec.page
}

func (h *Host) markDead(why error) {
	h.deadOnce.Do(func() {
		h.why = why
		close(h.dead)
	})
}

// Run sends one command and waits for its result. The timeout is the
// context's deadline, or Options.CommandTimeout when it has none. When the
// time runs out, or the host dies, the host is killed and Run returns a
// [*HostError]; the host cannot be used again.
func (h *Host) Run(ctx context.Context, script string) (Result, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.dead:
		return Result{}, &HostError{Op: "run", Command: script, Err: fmt.Errorf("the host is gone (%v)", h.why)}
	default:
	}
	if strings.ContainsAny(script, "\r\n") {
		return Result{}, &HostError{Op: "run", Command: script, Err: errors.New("a command must be one line: powershell.exe reads stdin line by line")}
	}
	if _, err := h.codec.encode(script); err != nil {
		return Result{}, &HostError{Op: "run", Command: script, Err: err}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.opts.CommandTimeout)
		defer cancel()
	}

	nonce := newNonce()
	type reply struct{ err error }
	done := make(chan reply, 1)
	start := time.Now()
	go func() {
		_, _, err := h.shell.Execute(wrap(script, nonce))
		done <- reply{err}
	}()

	var (
		r        reply
		timedOut bool
	)
	select {
	case r = <-done:
	case <-ctx.Done():
		timedOut = true
		h.kill(fmt.Errorf("command timed out: %w", ctx.Err()))
		r = <-done // the taps hand over the boundary once the host is dead
	}
	elapsed := time.Since(start)

	stdout, outTrunc, outEOF := h.out.take()
	stderr, errTrunc, errEOF := h.errs.take()
	res := Result{
		Stdout:    normalize(h.codec.decode(stdout)),
		Stderr:    normalize(h.codec.decode(stderr)),
		Duration:  elapsed,
		Truncated: outTrunc || errTrunc,
	}
	switch {
	case timedOut:
		return res, &HostError{Op: "run", Command: script, Timeout: true, Err: fmt.Errorf("no answer within the timeout; the host was stopped")}
	case r.err != nil:
		h.kill(r.err)
		return res, &HostError{Op: "run", Command: script, Err: fmt.Errorf("send: %v", r.err)}
	case outEOF || errEOF:
		h.kill(errors.New("the host closed its output"))
		<-h.exited
		return res, &HostError{Op: "run", Command: script, Err: fmt.Errorf("the host exited during the command (%v)%s", exitText(h.waitErr), stderrTail(res.Stderr))}
	}
	out, code, ok, err := unwrap(res.Stdout, nonce)
	if err != nil {
		h.kill(err)
		return res, &HostError{Op: "run", Command: script, Err: err}
	}
	res.Stdout, res.ExitCode, res.OK = out, code, ok
	return res, nil
}

func (h *Host) kill(why error) {
	h.markDead(why)
	if h.proc != nil {
		_ = h.proc.Kill() // an already exited process is fine
	}
}

// Close ends the session: politely with "exit", then by force after
// Options.CloseTimeout. It is safe to call more than once.
func (h *Host) Close() error {
	select {
	case <-h.dead:
		if h.proc != nil {
			_ = h.proc.Kill()
			<-h.exited
		}
		return nil
	default:
	}
	done := make(chan struct{})
	go func() {
		h.shell.Exit()
		close(done)
	}()
	select {
	case <-done:
		h.markDead(errors.New("closed"))
		return nil
	case <-time.After(h.opts.CloseTimeout):
		h.kill(errors.New("did not exit when asked"))
		<-done
		return &HostError{Op: "close", Err: errors.New("the host did not exit when asked and was killed")}
	}
}

func normalize(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func stderrTail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > 300 {
		s = "…" + s[len(s)-300:]
	}
	return "; its last words on stderr: " + s
}
