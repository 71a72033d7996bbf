package devicesim

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Serve is the simulated powershell.exe: it reads one command a line from
// stdin (CRLF or LF) and answers on stdout and stderr as Windows
// PowerShell 5.1 started with -NoLogo -NoProfile -NonInteractive -NoExit
// -Command - would, acting on the simulated device in stateDir (see
// [Init]). Every line is recorded (see [Commands]) before it runs. Serve
// returns nil at the end of stdin or when a line says exit, and an error
// when the device cannot be read or stdout or stderr fails.
func Serve(stdin io.Reader, stdout, stderr io.Writer, stateDir string) error {
	return serve(stdin, stdout, stderr, stateDir, time.Now)
}

func serve(stdin io.Reader, stdout, stderr io.Writer, stateDir string, now func() time.Time) error {
	if _, err := loadState(stateDir); err != nil {
		fmt.Fprintf(stderr, "devicesim: %v\r\n", err)
		return err
	}
	h, err := newHang(stateDir)
	if err != nil {
		fmt.Fprintf(stderr, "devicesim: %v\r\n", err)
		return err
	}
	s := &session{dir: stateDir, id: newSessionID(), now: now, stdout: stdout, stderr: stderr, vars: map[string]any{}, lastOK: true, hang: h}
	r := bufio.NewReader(stdin)
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			stop, lerr := s.handleLine(strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"))
			if errors.Is(lerr, errHung) {
				return h.stop(stateDir, s.hungAt, r)
			}
			if lerr != nil {
				return lerr
			}
			if stop {
				return nil
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read command: %w", err)
		}
	}
}

func newSessionID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	return hex.EncodeToString(b)
}

// session is one run of the simulated powershell.exe.
type session struct {
	dir    string
	id     string
	now    func() time.Time
	stdout io.Writer
	stderr io.Writer

	vars   map[string]any // global variables, lower-case names
	lastOK bool           // $?
	// bootChecked is set once the session has received a command that
	// can find a restart scheduled by an earlier session.
	bootChecked bool

	st    *state // the device, loaded for each line
	dirty bool
	// runAs labels a session that runs a script file as another account
	// (see runFile); "" for the session caafix talks to.
	runAs string
	// hang, set by tests through HangEnv, stops the device at one line.
	hang   *hang
	hungAt string
}

// errHung ends a session that hangs at a line (see HangEnv).
var errHung = errors.New("devicesim: hung at the line the test chose")

// handleLine records and runs one line; stop is set by exit.
func (s *session) handleLine(line string) (stop bool, err error) {
	if strings.TrimSpace(line) == "" {
		return false, nil
	}
	stmts, perrs := parseLine(line)
	cmd := innerCommand(line, stmts)
	if err := record(s.dir, Recorded{Time: s.now().UTC(), Command: cmd, Line: line}); err != nil {
		return false, err
	}
	if s.hang.at() {
		s.hungAt = cmd
		if s.hang.after {
			// The command takes effect; its answer never comes.
			s.stdout, s.stderr = io.Discard, io.Discard
			if _, err := s.handleParsed(line, cmd, stmts, perrs); err != nil {
				return false, err
			}
		}
		return false, errHung
	}
	return s.handleParsed(line, cmd, stmts, perrs)
}

// handleParsed runs a recorded line.
func (s *session) handleParsed(line, cmd string, stmts []stmt, perrs []parseError) (stop bool, err error) {
	if len(perrs) > 0 {
		// PowerShell runs nothing of a line it cannot parse, not even
		// the host's boundary echoes: the caller's timeout takes over.
		return false, s.writeErr(parserErrorRecord(line, perrs).render())
	}
	st, err := loadState(s.dir)
	if err != nil {
		return false, err
	}
	s.st, s.dirty = st, false
	if isExit(stmts) {
		return true, nil
	}
	if !s.bootChecked && !isAbortRestart(cmd) && !isSessionSetup(cmd) {
		s.bootChecked = true
		s.bootIfRestartPending()
		if err := s.persist(); err != nil {
			return false, err
		}
	}
	in := &interp{s: s, line: line}
	err = in.runStmts(stmts, 0, nil)
	var ex exitSignal
	if errors.As(err, &ex) {
		return true, s.persist()
	}
	if err != nil {
		return false, err
	}
	return false, s.persist()
}

// bootIfRestartPending completes a restart that an earlier session
// scheduled: the device has rebooted since.
func (s *session) bootIfRestartPending() {
	st := s.st
	if st.PendingRestart == nil || st.PendingRestart.Session == s.id {
		return
	}
	now := s.now()
	st.PendingRestart = nil
	st.BootTime = now
	st.clearFault(FaultTransient, now)
	s.dirty = true
}

// persist saves the device when a command changed it.
func (s *session) persist() error {
	if !s.dirty {
		return nil
	}
	if err := saveState(s.dir, s.st); err != nil {
		return err
	}
	s.dirty = false
	return nil
}

func (s *session) writeOut(text string) error {
	if _, err := io.WriteString(s.stdout, text); err != nil {
		return ioFailure{fmt.Errorf("write stdout: %w", err)}
	}
	return nil
}

func (s *session) writeErr(text string) error {
	if _, err := io.WriteString(s.stderr, text); err != nil {
		return ioFailure{fmt.Errorf("write stderr: %w", err)}
	}
	return nil
}

// isSessionSetup reports whether a command is part of starting a session
// (the host asks for the code page first); it does not mean the device has
// been used since a restart was scheduled.
func isSessionSetup(cmd string) bool {
	return strings.EqualFold(strings.TrimSpace(cmd), "chcp")
}

func isExit(stmts []stmt) bool {
	if len(stmts) != 1 {
		return false
	}
	_, ok := stmts[0].(*exitStmt)
	return ok
}

// isAbortRestart reports whether a command is `shutdown /a`, which may run
// before a scheduled restart takes effect.
func isAbortRestart(cmd string) bool {
	f := strings.Fields(strings.ToLower(cmd))
	return len(f) == 2 && (f[0] == "shutdown" || f[0] == "shutdown.exe") && (f[1] == "/a" || f[1] == "-a")
}

var (
	// goPowerShellSuffix is what go-powershell appends to every command.
	goPowerShellSuffix = regexp.MustCompile(`; echo '\$gorilla[0-9a-f]+\$'; \[Console\]::Error\.WriteLine\('\$gorilla[0-9a-f]+\$'\)$`)
	// hostEnvelope is how caafix's host wraps a command (see pshost).
	hostEnvelope = regexp.MustCompile(`^\$global:LASTEXITCODE = 0; \$caafixOK = \$true; try \{ (.*); \$caafixOK = \$\? \} catch \{ .* \}; Write-Output \('caafix-exit [0-9a-f]+ ' \+ \$global:LASTEXITCODE \+ ' ' \+ \$caafixOK\)$`)
)

// innerCommand returns the caafix command a line carries: the statements
// of the host's try block before `$caafixOK = $?`, or, for other lines,
// the line without go-powershell's boundary echoes.
func innerCommand(line string, stmts []stmt) string {
	for _, st := range stmts {
		t, ok := st.(*tryStmt)
		if !ok || len(t.body) == 0 {
			continue
		}
		a, ok := t.body[len(t.body)-1].(*assignStmt)
		if !ok || !strings.EqualFold(a.target.name, "caafixOK") {
			continue
		}
		if len(t.body) == 1 {
			return ""
		}
		r := []rune(line)
		return string(r[t.body[0].stmtSpan().start:t.body[len(t.body)-2].stmtSpan().end])
	}
	bare := goPowerShellSuffix.ReplaceAllString(line, "")
	if m := hostEnvelope.FindStringSubmatch(bare); m != nil {
		return m[1]
	}
	return bare
}
