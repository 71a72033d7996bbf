package device

import (
	"context"
	"fmt"
	"sync"

	"github.com/caafix/caafix/pshost"
)

// fakeRunner answers commands from a table, records them, and fails
// commands it does not know so a test sees every command sent.
type fakeRunner struct {
	out  map[string]pshost.Result
	fail map[string]error

	mu    sync.Mutex
	calls []string
}

var _ pshost.Runner = (*fakeRunner)(nil)

func (f *fakeRunner) Run(_ context.Context, script string) (pshost.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, script)
	f.mu.Unlock()
	if err, ok := f.fail[script]; ok {
		return pshost.Result{}, err
	}
	res, ok := f.out[script]
	if !ok {
		return pshost.Result{}, fmt.Errorf("fake runner: unexpected command %q", script)
	}
	return res, nil
}

// ok is a successful command with this standard output.
func ok(stdout string) pshost.Result { return pshost.Result{Stdout: stdout, OK: true} }
