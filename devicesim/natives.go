package devicesim

import (
	"path"
	"strings"
)

// nativeResult is what a native program leaves behind.
type nativeResult struct {
	stdout, stderr string // CRLF line endings, as the program writes them
	code           int    // the process exit code ($LASTEXITCODE)
}

// nativeFunc runs one simulated native program.
type nativeFunc func(s *session, args []string) nativeResult

var natives = map[string]nativeFunc{
	"dsregcmd": dsregcmd,
	"cmdkey":   cmdkey,
	"w32tm":    w32tm,
	"whoami":   whoami,
	"shutdown": shutdown,
	"chcp":     chcp,
	"hostname": hostnameCmd,
	"schtasks": schtasks,
}

// officeC2RPath is where Click-to-Run's client lives on 64-bit Windows.
const officeC2RPath = `C:\Program Files\Common Files\Microsoft Shared\ClickToRun\OfficeClickToRun.exe`

// lookupNative resolves a command name to a simulated program, as the
// PATH of a Windows device would: by bare name, with or without .exe, or
// by its full path in System32. Click-to-Run exists only when Office is
// installed.
func (s *session) lookupNative(name string) nativeFunc {
	n := strings.ToLower(strings.ReplaceAll(name, "/", `\`))
	if strings.EqualFold(n, officeC2RPath) {
		if s.st.Scenario.Device.Office.Installed {
			return officeClickToRun
		}
		return nil
	}
	if i := strings.LastIndex(n, `\`); i >= 0 {
		dir := n[:i]
		if dir != `c:\windows\system32` && dir != `c:\windows\sysnative` {
			return nil
		}
		n = n[i+1:]
	}
	n = strings.TrimSuffix(n, ".exe")
	if path.Ext(n) != "" {
		return nil
	}
	return natives[n]
}

// notSimulated is the answer to arguments a simulated program does not
// model. It is the simulator speaking, not Windows, so that a test that
// trips on it says what to teach devicesim.
func notSimulated(tool string, args []string) nativeResult {
	return nativeResult{
		stderr: "devicesim: " + strings.TrimSpace(tool+" "+strings.Join(args, " ")) + " is not simulated: teach devicesim this command\r\n",
		code:   1,
	}
}

// crlf joins lines with CRLF and ends the last one.
func crlf(lines ...string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// switches lower-cases a program's arguments for matching; /x and -x are
// the same switch.
func switches(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		a = strings.ToLower(a)
		if strings.HasPrefix(a, "-") {
			a = "/" + a[1:]
		}
		out[i] = a
	}
	return out
}
