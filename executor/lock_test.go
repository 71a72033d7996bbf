package executor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/outcome"
)

func TestLockSecondRunIsLocked(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	started := time.Date(2026, 11, 28, 15, 4, 5, 0, time.UTC)
	first, err := Acquire(dir, LockInfo{RunID: "20261128T150405Z-abc", Started: started, Command: "caafix run --self-heal"})
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state dir: %v, %v; want a 0700 dir", fi, err)
	}

	_, err = Acquire(dir, LockInfo{})
	if outcome.Of(err) != outcome.Locked {
		t.Fatalf("second lock: %v (outcome %v); want %v", err, outcome.Of(err), outcome.Locked)
	}
	if got := outcome.Locked.ExitCode(); got != 6 {
		t.Fatalf("locked exits %d; want 6", got)
	}
	want := fmt.Sprintf(`another caafix run holds the lock %s: run 20261128T150405Z-abc (pid %d, "caafix run --self-heal") since 2026-11-28T15:04:05Z`,
		filepath.Join(dir, LockFile), os.Getpid())
	if err.Error() != want {
		t.Fatalf("second lock:\n got %s\nwant %s", err, want)
	}
	if outcome.HintOf(err) == "" {
		t.Fatal("a locked run needs a hint")
	}

	if err := first.Unlock(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockInfoFile)); !os.IsNotExist(err) {
		t.Fatalf("holder record after unlock: %v; want it gone", err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockFile)); err != nil {
		t.Fatalf("lock file after unlock: %v; want it kept", err)
	}
	if err := first.Unlock(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}

	again, err := Acquire(dir, LockInfo{})
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	defer again.Unlock()
}

func TestLockHolderNotKnown(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		record string // "" leaves no record
		want   string
	}{
		{"no record says so", "", "which run is not known: it has not recorded itself in caafix.lock.json (yet)"},
		{"damaged record is not guessed from", `{"pid": 12`, "caafix.lock.json is damaged"},
		{"record without a pid is damaged", `{"run_id":"x","started":"2026-11-28T15:04:05Z"}`, "caafix.lock.json is damaged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			l, err := Acquire(dir, LockInfo{RunID: "holder"})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Unlock()
			// Stand in for a holder that has not written its record yet,
			// or whose record was damaged.
			os.Remove(filepath.Join(dir, LockInfoFile))
			if tc.record != "" {
				if err := os.WriteFile(filepath.Join(dir, LockInfoFile), []byte(tc.record), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err = Acquire(dir, LockInfo{})
			var le *LockedError
			if !errors.As(err, &le) || le.Holder != nil {
				t.Fatalf("got %v; want a LockedError without a holder", err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "run holder") {
				t.Fatalf("got %q; want it to contain %q and guess no holder", err, tc.want)
			}
		})
	}
}

func TestLockNeedsStateDir(t *testing.T) {
	t.Parallel()
	if _, err := Acquire("", LockInfo{}); outcome.Of(err) != outcome.Usage {
		t.Fatalf("got %v; want a usage error", err)
	}
}

// The child process holds the lock and is then killed with SIGKILL (on
// Windows: TerminateProcess), as a crash or power loss would end it. The OS
// drops its lock; the record it left behind names a dead run and must be
// replaced by the next holder's.
func TestLockFreedWhenHolderIsKilled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), "CAAFIX_LOCK_HELPER_DIR="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	if err := waitReady(stdout); err != nil {
		t.Fatalf("helper: %v", err)
	}

	_, err = Acquire(dir, LockInfo{})
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.PID != cmd.Process.Pid || le.Holder.RunID != "helper" {
		t.Fatalf("while the child holds the lock: %v; want it to name pid %d", err, cmd.Process.Pid)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed = true

	l, err := Acquire(dir, LockInfo{RunID: "next"})
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	defer l.Unlock()
	b, err := os.ReadFile(filepath.Join(dir, LockInfoFile))
	if err != nil || !strings.Contains(string(b), `"run_id":"next"`) {
		t.Fatalf("holder record %s, %v; want the new holder's", b, err)
	}
}

// waitReady reads the helper's stdout up to its "ready" line; the test
// framework may print other lines.
func waitReady(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if sc.Text() == "ready" {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("exited before it held the lock")
}

// TestLockHelperProcess is not a test: it is the child of
// TestLockFreedWhenHolderIsKilled. It takes the lock, says "ready" and holds
// the lock until its stdin closes or it is killed.
func TestLockHelperProcess(t *testing.T) {
	dir := os.Getenv("CAAFIX_LOCK_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process for TestLockFreedWhenHolderIsKilled")
	}
	l, err := Acquire(dir, LockInfo{RunID: "helper"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	l.Unlock()
	os.Exit(0)
}

// AcquireWait takes the lock once its holder lets go, and otherwise gives
// up after the wait, saying how long it waited.
func TestLockWait(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	first, err := Acquire(dir, LockInfo{RunID: "first"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = AcquireWait(context.Background(), dir, LockInfo{RunID: "second"}, 600*time.Millisecond)
	var le *LockedError
	if !errors.As(err, &le) || le.Waited != 600*time.Millisecond || !strings.HasSuffix(err.Error(), "; waited 600ms for it") {
		t.Fatalf("AcquireWait while held: %v, want a LockedError that waited 600ms", err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		if err := first.Unlock(); err != nil {
			t.Error(err)
		}
	}()
	second, err := AcquireWait(context.Background(), dir, LockInfo{RunID: "second"}, 10*time.Second)
	if err != nil {
		t.Fatalf("AcquireWait after the holder let go: %v", err)
	}
	if err := second.Unlock(); err != nil {
		t.Fatal(err)
	}
}
