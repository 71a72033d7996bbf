package devicesim

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/bhendo/go-powershell/backend"
)

// ServeCommand is the hidden command line argument with which the caafix
// binary runs [Serve]: `caafix __devicesim --state-dir DIR`.
const ServeCommand = "__devicesim"

var (
	_ backend.Starter = (*Starter)(nil)
	_ backend.Starter = (*InProcessStarter)(nil)
	_ Waiter          = (*Process)(nil)
	_ Waiter          = (*InProcess)(nil)
)

// A Waiter is a started simulated powershell.exe: go-powershell waits for
// it, and the host kills it when a command times out.
type Waiter interface {
	backend.Waiter
	Kill() error
}

// A Starter starts the simulated device as a child process, the way
// go-powershell starts powershell.exe: it re-executes the running binary
// as `caafix __devicesim --state-dir DIR`, whose main calls [Serve].
type Starter struct {
	stateDir string
}

// NewStarter returns a Starter for the simulated device in stateDir.
func NewStarter(stateDir string) *Starter { return &Starter{stateDir: stateDir} }

// StartProcess starts the child. The command name and arguments
// go-powershell passes (powershell.exe -NoExit -Command -) are ignored.
func (s *Starter) StartProcess(string, ...string) (backend.Waiter, io.Writer, io.Reader, io.Reader, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("start simulated device: find own binary: %w", err)
	}
	dir, err := filepath.Abs(s.stateDir)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("start simulated device: %w", err)
	}
	cmd := exec.Command(exe, ServeCommand, "--state-dir", dir)
	// testscript dispatches a re-executed test binary on its name.
	cmd.Args[0] = "caafix"
	cmd.Env = os.Environ()
	// The child starts in a neutral directory: the simulated device must
	// not depend on (or write into) wherever caafix was launched from;
	// its only state is the state directory, passed as an absolute path.
	cmd.Dir = os.TempDir()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("start simulated device: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("start simulated device: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("start simulated device: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("start simulated device: %w", err)
	}
	return &Process{cmd: cmd}, stdin, stdout, stderr, nil
}

// Process is a simulated device running as a child process.
type Process struct {
	cmd *exec.Cmd
}

// Wait waits for the child to exit.
func (p *Process) Wait() error { return p.cmd.Wait() }

// Kill kills the child.
func (p *Process) Kill() error {
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill simulated device: %w", err)
	}
	return nil
}

// An InProcessStarter runs [Serve] in a goroutine over pipes, for tests
// of other packages that need a device but no child process.
type InProcessStarter struct {
	stateDir string
	// Now is the device's clock; nil is the real one. A test that runs
	// caafix with a clock of its own gives the device the same clock, so
	// the events the device logs line up with caafix's checks.
	Now func() time.Time
}

// NewInProcessStarter returns an InProcessStarter for the simulated device
// in stateDir.
func NewInProcessStarter(stateDir string) *InProcessStarter {
	return &InProcessStarter{stateDir: stateDir}
}

// errKilled ends a Serve whose InProcess was killed.
var errKilled = errors.New("simulated device killed")

// StartProcess starts Serve. The command name and arguments go-powershell
// passes are ignored.
func (s *InProcessStarter) StartProcess(string, ...string) (backend.Waiter, io.Writer, io.Reader, io.Reader, error) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	p := &InProcess{inR: inR, inW: inW, outR: outR, outW: outW, errR: errR, errW: errW, done: make(chan struct{})}
	go func() {
		now := s.Now
		if now == nil {
			now = time.Now
		}
		p.err = serveConsole(inR, outW, errW, s.stateDir, now)
		// Like a process that exits: its output ends, and writes to its
		// input fail.
		outW.Close()
		errW.Close()
		inR.CloseWithError(io.ErrClosedPipe)
		close(p.done)
	}()
	return p, inW, outR, errR, nil
}

// InProcess is a simulated device served in a goroutine.
type InProcess struct {
	inR        *io.PipeReader
	inW        *io.PipeWriter
	outR, errR *io.PipeReader
	outW, errW *io.PipeWriter
	done       chan struct{}
	err        error
	killOnce   sync.Once
}

// Wait waits until Serve has returned and returns its error.
func (p *InProcess) Wait() error {
	<-p.done
	return p.err
}

// Kill closes every pipe, so that Serve and whoever reads its output
// stop at once.
func (p *InProcess) Kill() error {
	p.killOnce.Do(func() {
		p.inR.CloseWithError(errKilled)
		p.inW.CloseWithError(errKilled)
		p.outW.CloseWithError(errKilled)
		p.errW.CloseWithError(errKilled)
		p.outR.CloseWithError(errKilled)
		p.errR.CloseWithError(errKilled)
	})
	return nil
}
