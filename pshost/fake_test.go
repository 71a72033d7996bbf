package pshost

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bhendo/go-powershell/backend"
	"golang.org/x/text/encoding/charmap"
)

// The tests run this test binary as the fake powershell.exe: with
// PSHOST_FAKE set, TestMain serves the protocol instead of running tests.
func TestMain(m *testing.M) {
	if os.Getenv("PSHOST_FAKE") != "" {
		os.Exit(fakeChild(os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

var envelope = regexp.MustCompile(`^\$global:LASTEXITCODE = 0; \$caafixOK = \$true; try \{ (.*); \$caafixOK = \$\? \} catch \{ .* \}; Write-Output \('caafix-exit ([0-9a-f]{16}) ' \+ \$global:LASTEXITCODE \+ ' ' \+ \$caafixOK\); echo '(\$gorilla[0-9a-f]+\$)'; \[Console\]::Error\.WriteLine\('(\$gorilla[0-9a-f]+\$)'\)$`)

// fakeChild answers a few commands the way powershell.exe would frame them.
func fakeChild(in io.Reader, out, errw io.Writer) int {
	r := bufio.NewReader(in)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return 0
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "exit" {
			return 0
		}
		m := envelope.FindStringSubmatch(line)
		if m == nil {
			fmt.Fprintf(errw, "fake: not an envelope: %q\r\n", line)
			continue
		}
		cmd, nonce, ob, eb := m[1], m[2], m[3], m[4]
		code, ok := 0, "True"
		verb, arg, _ := strings.Cut(cmd, " ")
		switch verb {
		case "chcp":
			fmt.Fprintf(out, "Active code page: %s\r\n", envOr("PSHOST_FAKE_CP", "437"))
		case "say":
			fmt.Fprintf(out, "%s\r\n", arg)
		case "echo-bytes": // the command as the child received it, in hex
			fmt.Fprintf(out, "%x\r\n", arg)
		case "stderr":
			fmt.Fprintf(errw, "%s\r\n", arg)
			code = 3
		case "exitcode":
			code, _ = strconv.Atoi(arg)
		case "fail":
			ok = "False"
		case "big":
			n, _ := strconv.Atoi(arg)
			chunk := strings.Repeat("x", 1023) + "\n"
			for i := 0; i < n; i++ {
				io.WriteString(out, chunk)
			}
		case "umlaut":
			b, _ := charmap.CodePage850.NewEncoder().String("Nur für diese Sitzung\r\n")
			io.WriteString(out, b)
		case "hang":
			time.Sleep(time.Hour)
		case "die":
			io.WriteString(out, "partial\r\n")
			fmt.Fprint(errw, "fatal: the fake host crashed\r\n")
			return 9
		case "garbage":
			fmt.Fprintf(out, "%s\r\n", ob)
			fmt.Fprintf(errw, "%s\r\n", eb)
			continue
		case "forge":
			fmt.Fprintf(out, "caafix-exit 0000000000000000 0 True\r\nafter\r\n")
		default:
			fmt.Fprintf(errw, "%s : The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program.\r\n", verb, verb)
			ok = "False"
		}
		fmt.Fprintf(out, "caafix-exit %s %d %s\r\n%s\r\n", nonce, code, ok, ob)
		fmt.Fprintf(errw, "%s\r\n", eb)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// fakeStarter starts the test binary as the fake host.
type fakeStarter struct{ env []string }

var _ backend.Starter = fakeStarter{}

type cmdProcess struct{ cmd *exec.Cmd }

func (p cmdProcess) Wait() error { return p.cmd.Wait() }
func (p cmdProcess) Kill() error { return p.cmd.Process.Kill() }

func (s fakeStarter) StartProcess(string, ...string) (backend.Waiter, io.Writer, io.Reader, io.Reader, error) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), append([]string{"PSHOST_FAKE=1"}, s.env...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, nil, err
	}
	return cmdProcess{cmd}, stdin, stdout, stderr, nil
}
