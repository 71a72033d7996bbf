package pshost

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/outcome"
)

func startFake(t *testing.T, opts Options, env ...string) *Host {
	t.Helper()
	h, err := Start(context.Background(), fakeStarter{env: env}, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func TestRunResults(t *testing.T) {
	t.Parallel()
	h := startFake(t, Options{})
	cases := []struct {
		name     string
		cmd      string
		wantOut  string
		wantErr  string
		wantCode int
		wantOK   bool
	}{
		{"stdout with CRLF becomes LF", "say hello world", "hello world\n", "", 0, true},
		{"stderr is data, not failure", "stderr w32tm speaks here", "", "w32tm speaks here\n", 3, true},
		{"negative native exit code", "exitcode -2147023834", "", "", -2147023834, true},
		{"cmdlet failure sets ok false", "fail", "", "", 0, false},
		{"forged exit line before the real one is output", "forge", "caafix-exit 0000000000000000 0 True\nafter\n", "", 0, true},
	}
	for _, c := range cases {
		res, err := h.Run(context.Background(), c.cmd)
		if err != nil {
			t.Fatalf("%s: Run: %v", c.name, err)
		}
		if res.Stdout != c.wantOut || res.Stderr != c.wantErr || res.ExitCode != c.wantCode || res.OK != c.wantOK {
			t.Errorf("%s: got out=%q err=%q code=%d ok=%v, want out=%q err=%q code=%d ok=%v",
				c.name, res.Stdout, res.Stderr, res.ExitCode, res.OK, c.wantOut, c.wantErr, c.wantCode, c.wantOK)
		}
	}
}

func TestCodePageDecoding(t *testing.T) {
	t.Parallel()
	h := startFake(t, Options{}, "PSHOST_FAKE_CP=850")
	if got := h.CodePage(); got != 850 {
		t.Fatalf("CodePage = %d, want 850", got)
	}
	res, err := h.Run(context.Background(), "umlaut")
	if err != nil {
		t.Fatal(err)
	}
	if res.Stdout != "Nur für diese Sitzung\n" {
		t.Errorf("decoded %q", res.Stdout)
	}
	// Commands are encoded for the host: ü is 0x81 in code page 850.
	res, err = h.Run(context.Background(), "echo-bytes ü")
	if err != nil {
		t.Fatal(err)
	}
	if res.Stdout != "81\n" {
		t.Errorf("the host received %q, want 81", res.Stdout)
	}
	// A character the code page cannot carry is refused before sending.
	_, err = h.Run(context.Background(), "say 日本")
	var he *HostError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "cannot carry") {
		t.Errorf("err = %v, want a refusal naming the character", err)
	}
}

func TestTimeoutKillsHost(t *testing.T) {
	t.Parallel()
	h := startFake(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := h.Run(ctx, "hang")
	var he *HostError
	if !errors.As(err, &he) || !he.Timeout {
		t.Fatalf("err = %v, want a timeout HostError", err)
	}
	if outcome.Of(err) != outcome.HostError {
		t.Errorf("outcome = %v, want host-error", outcome.Of(err))
	}
	if _, err := h.Run(context.Background(), "say again"); err == nil || !strings.Contains(err.Error(), "gone") {
		t.Errorf("a killed host answered: %v", err)
	}
}

func TestHostDiesMidCommand(t *testing.T) {
	t.Parallel()
	h := startFake(t, Options{})
	res, err := h.Run(context.Background(), "die")
	var he *HostError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v, want HostError", err)
	}
	if !strings.Contains(err.Error(), "exited during the command") || !strings.Contains(err.Error(), "crashed") {
		t.Errorf("error does not say what happened: %v", err)
	}
	if res.Stdout != "partial\n" {
		t.Errorf("lost the last words: %q", res.Stdout)
	}
}

func TestReplyWithoutExitLineIsAHostError(t *testing.T) {
	t.Parallel()
	h := startFake(t, Options{})
	_, err := h.Run(context.Background(), "garbage")
	if err == nil || !strings.Contains(err.Error(), "no exit line") {
		t.Fatalf("err = %v, want a protocol error", err)
	}
}

func TestOutputLimit(t *testing.T) {
	t.Parallel()
	h := startFake(t, Options{MaxOutput: 64 << 10})
	res, err := h.Run(context.Background(), "big 1000")
	// The exit line fell past the limit, so the reply cannot be trusted.
	if err == nil {
		t.Fatalf("want an error for a reply cut before its exit line, got %d bytes", len(res.Stdout))
	}
	if !res.Truncated || len(res.Stdout) != 64<<10 {
		t.Errorf("Truncated=%v len=%d", res.Truncated, len(res.Stdout))
	}
}

func TestMultiLineCommandRefused(t *testing.T) {
	t.Parallel()
	h := startFake(t, Options{})
	if _, err := h.Run(context.Background(), "say a\r\nsay b"); err == nil {
		t.Fatal("a two-line command was sent")
	}
	if _, err := h.Run(context.Background(), "say still alive"); err != nil {
		t.Fatalf("refusing a command must not kill the host: %v", err)
	}
}

func TestStartFailsWithoutHost(t *testing.T) {
	t.Parallel()
	_, err := NewPowerShell()
	if err == nil {
		t.Skip("powershell.exe exists here")
	}
	if outcome.Of(err) != outcome.Usage || outcome.HintOf(err) == "" {
		t.Errorf("err = %v (kind %v), want a usage error with a hint", err, outcome.Of(err))
	}
}

// BenchmarkLargeOutput shows that reading a reply is linear in its size:
// go-powershell alone concatenates strings 64 bytes at a time.
func BenchmarkLargeOutput(b *testing.B) {
	for _, kib := range []int{64, 1024, 8192} {
		b.Run(fmt.Sprintf("%dKiB", kib), func(b *testing.B) {
			h, err := Start(context.Background(), fakeStarter{}, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close()
			b.SetBytes(int64(kib) * 1024)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := h.Run(context.Background(), fmt.Sprintf("big %d", kib))
				if err != nil || len(res.Stdout) != kib*1024 {
					b.Fatalf("err=%v len=%d", err, len(res.Stdout))
				}
			}
		})
	}
}
