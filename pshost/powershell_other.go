//go:build !windows

package pshost

import (
	"io"
	"runtime"

	"github.com/bhendo/go-powershell/backend"

	"github.com/caafix/caafix/outcome"
)

// PowerShell starts Windows PowerShell. There is none on this system.
type PowerShell struct{ Path string }

var _ backend.Starter = (*PowerShell)(nil)

// NewPowerShell fails: caafix drives Windows PowerShell only on Windows.
func NewPowerShell() (*PowerShell, error) {
	return nil, outcome.Errorf(outcome.Usage, "there is no powershell.exe on %s", runtime.GOOS).
		WithHint("run against the simulated device: caafix run --simulate wam-cache (see caafix run --help for the scenarios)")
}

// StartProcess always fails on this system.
func (p *PowerShell) StartProcess(string, ...string) (backend.Waiter, io.Writer, io.Reader, io.Reader, error) {
	_, err := NewPowerShell()
	return nil, nil, nil, nil, err
}
