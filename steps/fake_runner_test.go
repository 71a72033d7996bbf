package steps_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/steps"
)

// fakeRunner answers commands from a table keyed by the exact command
// text, records every call, and fails the test on a command it does not
// know: a step must send nothing the test did not expect.
type fakeRunner struct {
	t    *testing.T
	out  map[string]pshost.Result
	errs map[string]error

	mu    sync.Mutex
	calls []string
}

var _ pshost.Runner = (*fakeRunner)(nil)

func newRunner(t *testing.T, out map[string]pshost.Result) *fakeRunner {
	t.Helper()
	return &fakeRunner{t: t, out: out}
}

func (f *fakeRunner) Run(_ context.Context, script string) (pshost.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, script)
	f.mu.Unlock()
	if err, ok := f.errs[script]; ok {
		return pshost.Result{}, err
	}
	res, ok := f.out[script]
	if !ok {
		f.t.Errorf("unexpected command %q", script)
		return pshost.Result{}, fmt.Errorf("fake runner: unexpected command %q", script)
	}
	return res, nil
}

// Calls returns the commands received so far, in order.
func (f *fakeRunner) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// ok is a command that succeeded with this standard output.
func ok(stdout string) pshost.Result { return pshost.Result{Stdout: stdout, OK: true} }

// exit is a native command that exited with code, printing stdout.
func exit(code int, stdout string) pshost.Result {
	return pshost.Result{Stdout: stdout, ExitCode: code, OK: code == 0}
}

// hostDied is the error a runner returns when the PowerShell host is gone.
func hostDied(cmd string) error {
	return &pshost.HostError{Op: "run", Command: cmd, Err: fmt.Errorf("the host exited during the command")}
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// now is the fixed clock of these tests.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// cloudFacts are the facts of an elevated, unmanaged, cloud-only Entra
// joined laptop with a correct clock and a running time service.
func cloudFacts() *device.Facts {
	return &device.Facts{
		Hostname: "PC-0042", Join: device.JoinCloud, ManagedKnown: true, Elevated: true,
		Context: device.ContextUser, User: `AzureAD\alex`, PRT: device.TriNo,
		ClockKnown: true, TimeService: device.TimeServiceRunning,
		Credentials:              []string{},
		Office:                   device.Office{Installed: true, Platform: "x64", Culture: "en-us"},
		CleanupAccountsSupported: true,
		Problems:                 []string{},
	}
}

// newEnv is the environment of one step of type uses, started at now with
// a day of symptom window.
func newEnv(t *testing.T, uses string, with map[string]any, f *device.Facts, r pshost.Runner) *steps.Env {
	t.Helper()
	if f == nil {
		f = cloudFacts()
	}
	return &steps.Env{
		Runner:  r,
		Facts:   f,
		Step:    runbooks.Step{ID: "under-test", Uses: uses, With: with},
		Started: now,
		Since:   now.Add(-24 * time.Hour),
	}
}

func lookup(t *testing.T, uses string) steps.Step {
	t.Helper()
	s, ok := steps.Lookup(uses)
	if !ok {
		t.Fatalf("step type %s is not registered", uses)
	}
	return s
}

// eventsJSON is Get-WinEvent's CAA50021 events at the given times, as
// Windows PowerShell 5.1's ConvertTo-Json -Compress prints them: nothing
// for none, an object for one, an array for more.
func eventsJSON(times ...time.Time) string {
	var objs []string
	for _, at := range times {
		objs = append(objs, fmt.Sprintf(`{"Id":1098,"TimeCreated":"\/Date(%d)\/","Message":"Error: 0xCAA50021 Number of retry attempts exceeded.\nLog: 0xcaa50021 Token broker operation failed."}`, at.UnixMilli()))
	}
	switch len(objs) {
	case 0:
		return ""
	case 1:
		return objs[0] + "\r\n"
	}
	return "[" + strings.Join(objs, ",") + "]\r\n"
}

// dsregStatus is the real cloud-joined capture with its PRT and join
// answers replaced.
func dsregStatus(t *testing.T, azureAdJoined, prt string) string {
	t.Helper()
	s := fixture(t, "dsregcmd-status-entra-joined.txt")
	s = replaceOnce(t, s, "AzureAdJoined : YES", "AzureAdJoined : "+azureAdJoined)
	return replaceOnce(t, s, "AzureAdPrt : NO", "AzureAdPrt : "+prt)
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("fixture: %q occurs %d times, want once", old, strings.Count(s, old))
	}
	return strings.Replace(s, old, new, 1)
}

// cmdkeyList is cmdkey /list of a vault holding these generic targets, in
// the layout of the real capture cmdkey-list-en-indented.txt.
func cmdkeyList(targets ...string) string {
	lines := []string{"", "Currently stored credentials:", ""}
	if len(targets) == 0 {
		lines = append(lines, "* NONE *")
	}
	for _, tg := range targets {
		lines = append(lines, "    Target: LegacyGeneric:target="+tg, "    Type: Generic ", "    User: alex@contoso.com", "    Local machine persistence", "    ")
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// stripchart is one /dataonly sample: the time server's offset from the
// local clock, which is minus the local clock's lead.
func stripchart(offset time.Duration) string {
	return fmt.Sprintf("Tracking time.windows.com [168.61.215.74:123].\r\nCollecting 1 samples.\r\nThe current time is 11/28/2026 12:00:00 PM.\r\n12:00:00, %+011.7fs\r\n", offset.Seconds())
}
