package devicesim

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzServe runs arbitrary lines through the simulated PowerShell: it
// must not panic, must answer in CRLF lines only, and must print the
// boundary of every line that parses (unless the line exits, or a comment
// swallows the boundary, as it would in PowerShell).
func FuzzServe(f *testing.F) {
	for _, s := range []string{
		"dsregcmd /status", "cmdkey '/delete:OneDrive Cached Credential'", "Get-Service w32time | Select-Object Status | ConvertTo-Json",
		`& (Join-Path $env:CommonProgramW6432 'x') 'a'`, "echo (\"a$($true)b\" + 1)", "[Console]::Error.WriteLine($_.Exception.Message)",
		"Get-WinEvent -LogName 'Microsoft-Windows-AAD/Operational' | ConvertTo-Csv", "$x = whoami /user /fo csv; echo $x",
		"try { Get-Service nosuch -ea Stop } catch [Exception] { $_.ToString() } finally { echo f }", "shutdown /r /t 0", "exit 1",
	} {
		f.Add(s)
	}
	sc, err := LoadScenario("wam-cache")
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	if err := initAt(dir, sc, testNow); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\r\n") {
			return // one line per command
		}
		var out, errs bytes.Buffer
		in := envelope(line) + "\r\n"
		if err := serve(strings.NewReader(in), &out, &errs, dir, func() time.Time { return testNow }); err != nil {
			t.Fatalf("serve: %v", err)
		}
		for _, s := range []string{out.String(), errs.String()} {
			if strings.Count(s, "\n") != strings.Count(s, "\r\n") {
				t.Fatalf("a line ending other than CRLF in %q", s)
			}
		}
		if _, perrs := parseLine(envelope(line)); len(perrs) == 0 && !strings.Contains(out.String(), "$gorilla000000000000000000000001$") && !strings.Contains(strings.ToLower(line), "exit") && !strings.Contains(line, "#") {
			t.Fatalf("no boundary after %q: stdout %q stderr %q", line, out.String(), errs.String())
		}
	})
}
