package pshost

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// exitMarker starts the line that the envelope prints after a command.
const exitMarker = "caafix-exit "

// newNonce returns 16 random hex characters. The nonce makes the exit line
// unforgeable by command output printed before it.
func newNonce() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("pshost: no randomness: %v", err)) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b)
}

// wrap returns cmd inside the result envelope: $LASTEXITCODE is reset, a
// terminating error is caught (so the boundary markers that go-powershell
// appends still run) and written to standard error, and one last line
// carries the native exit code and PowerShell's success flag.
func wrap(cmd, nonce string) string {
	return `$global:LASTEXITCODE = 0; $caafixOK = $true; try { ` + cmd +
		`; $caafixOK = $? } catch { $caafixOK = $false; [Console]::Error.WriteLine($_.ToString()) }; ` +
		`Write-Output ('` + exitMarker + nonce + ` ' + $global:LASTEXITCODE + ' ' + $caafixOK)`
}

// unwrap splits stdout into the command's own output and the envelope's
// exit line.
func unwrap(stdout, nonce string) (out string, exitCode int, ok bool, err error) {
	marker := exitMarker + nonce + " "
	i := strings.LastIndex(stdout, marker)
	if i < 0 || (i > 0 && stdout[i-1] != '\n') {
		return stdout, 0, false, fmt.Errorf("the reply has no exit line: the host is not speaking the caafix envelope")
	}
	line := stdout[i+len(marker):]
	rest := ""
	if j := strings.IndexByte(line, '\n'); j >= 0 {
		line, rest = line[:j], line[j+1:]
	}
	if strings.TrimSpace(rest) != "" {
		return stdout, 0, false, fmt.Errorf("the reply has output after its exit line")
	}
	fields := strings.Fields(line)
	if len(fields) != 2 {
		return stdout, 0, false, fmt.Errorf("malformed exit line %q", line)
	}
	code, cerr := strconv.Atoi(fields[0])
	if cerr != nil {
		return stdout, 0, false, fmt.Errorf("malformed exit code in %q", line)
	}
	switch fields[1] {
	case "True":
		ok = true
	case "False":
		ok = false
	default:
		return stdout, 0, false, fmt.Errorf("malformed success flag in %q", line)
	}
	return stdout[:i], code, ok, nil
}
