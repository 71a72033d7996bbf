package devicesim_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	powershell "github.com/bhendo/go-powershell"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// TestMain lets the test binary be the simulated device's child process,
// as the caafix binary is: `caafix __devicesim --state-dir DIR`.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == devicesim.ServeCommand {
		dir := ""
		for i := 2; i+1 < len(os.Args); i++ {
			if os.Args[i] == "--state-dir" {
				dir = os.Args[i+1]
			}
		}
		if err := devicesim.Serve(os.Stdin, os.Stdout, os.Stderr, dir); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const nonce = "00112233aabbccdd"

// wrap is pshost's envelope around a caafix command.
func wrap(cmd string) string {
	return fmt.Sprintf("$global:LASTEXITCODE = 0; $caafixOK = $true; try { %s; $caafixOK = $? } catch { $caafixOK = $false; [Console]::Error.WriteLine($_.ToString()) }; Write-Output ('caafix-exit %s ' + $global:LASTEXITCODE + ' ' + $caafixOK)", cmd, nonce)
}

func device(t *testing.T, scenario string) string {
	t.Helper()
	sc, err := devicesim.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := devicesim.Init(dir, sc); err != nil {
		t.Fatal(err)
	}
	return dir
}

func serve(t *testing.T, dir string, lines ...string) (string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	in := strings.Join(lines, "\r\n") + "\r\n"
	if err := devicesim.Serve(strings.NewReader(in), &out, &errs, dir); err != nil {
		t.Fatal(err)
	}
	return out.String(), errs.String()
}

// caafixCommands is every command in scripts.go.
func caafixCommands() map[string]string {
	return map[string]string{
		"DsregStatus": scripts.DsregStatus, "DsregHelp": scripts.DsregHelp, "CmdkeyList": scripts.CmdkeyList,
		"ClockOffset": scripts.ClockOffset, "TimeService": scripts.TimeService, "WhoamiUser": scripts.WhoamiUser,
		"WhoamiGroups": scripts.WhoamiGroups, "InteractiveUser": scripts.InteractiveUser, "Enrollments": scripts.Enrollments,
		"OfficeC2R": scripts.OfficeC2R, "AntiVirus": scripts.AntiVirus, "NetAdapters": scripts.NetAdapters,
		"LastBoot": scripts.LastBoot, "AADEvents": scripts.AADEvents, "StartTimeService": scripts.StartTimeService,
		"Resync": scripts.Resync, "CleanupAccounts": scripts.CleanupAccounts, "Leave": scripts.Leave,
		"AbortRestart": scripts.AbortRestart, "DeleteCredential": scripts.DeleteCredential("OneDrive Cached Credential"),
		"ScheduleRestart": scripts.ScheduleRestart(60, "caafix restarts this PC to finish a repair."),
		"OfficeRepair":    scripts.OfficeRepair("x64", "en-us"),
	}
}

// TestEveryCaafixCommandIsUnderstood runs every command in scripts.go on
// every built-in device: none may be unknown, unparsed or unsimulated.
func TestEveryCaafixCommandIsUnderstood(t *testing.T) {
	t.Parallel()
	for _, sc := range devicesim.BuiltinNames() {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			for name, cmd := range caafixCommands() {
				dir := device(t, sc)
				out, errs := serve(t, dir, wrap(cmd))
				if !strings.Contains(out, "caafix-exit "+nonce+" ") {
					t.Errorf("%s: no exit line in %q (stderr %q)", name, out, errs)
				}
				for _, bad := range []string{"devicesim", "is not recognized", "ParserError", "ParameterBindingException"} {
					if strings.Contains(errs, bad) {
						t.Errorf("%s: stderr says %q: %s", name, bad, errs)
					}
				}
				rec, err := devicesim.Commands(dir)
				if err != nil || len(rec) != 1 || rec[0].Command != cmd {
					t.Errorf("%s: recorded %+v, %v; want the command", name, rec, err)
				}
			}
		})
	}
}

// TestQuoteRoundTrip passes values quoted by pshost.Quote through the
// simulated PowerShell: every value must arrive unchanged.
func TestQuoteRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, value string }{
		{"plain text", "plain"},
		{"an apostrophe", "it's"},
		{"two apostrophes", "''"},
		{"Unicode single quotes", "\u2018curly\u2019 \u201Alow\u201B"},
		{"a doubled Unicode quote", "\u2019\u2019"},
		{"a variable stays literal", "$env:USERNAME $x"},
		{"a backtick stays literal", "a`nb"},
		{"double quotes", `say "hi"`},
		{"operators stay literal", "a;b|c&d{}()#e"},
		{"surrounding spaces", "  spaced  "},
		{"non-ASCII letters", "Überprüfung"},
		{"the stop-parsing token", "--%"},
		{"an empty string", ""},
	}
	dir := device(t, "healthy")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, errs := serve(t, dir, "Write-Output "+pshost.Quote(c.value))
			if out != c.value+"\r\n" || errs != "" {
				t.Errorf("Write-Output %s: stdout %q stderr %q, want %q", pshost.Quote(c.value), out, errs, c.value+"\r\n")
			}
		})
	}
}

// TestDeleteCredentialRoundTrip deletes targets whose names need quoting.
func TestDeleteCredentialRoundTrip(t *testing.T) {
	t.Parallel()
	targets := []string{"OneDrive Cached Credential", "odd'target", "\u2018curly\u2019 target", "MicrosoftOffice16_Data:SSPI:alex@contoso.com"}
	file := filepath.Join(t.TempDir(), "odd.yaml")
	yaml := "name: odd\ndevice:\n  hostname: PC-1\n  join: cloud\n  user: alex@contoso.com\n  credentials:\n"
	for _, tg := range targets {
		yaml += "    - \"" + tg + "\"\n"
	}
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := device(t, file)
	for _, tg := range targets {
		out, errs := serve(t, dir, wrap(scripts.DeleteCredential(tg)))
		if !strings.Contains(out, "CMDKEY: Credential deleted successfully.") || !strings.Contains(out, "caafix-exit "+nonce+" 0 True") {
			t.Errorf("delete %q: stdout %q stderr %q", tg, out, errs)
		}
	}
	out, _ := serve(t, dir, scripts.CmdkeyList)
	if !strings.Contains(out, "* NONE *") {
		t.Errorf("vault after deleting everything: %q", out)
	}
}

// exec runs one enveloped command through go-powershell.
func exec(t *testing.T, sh powershell.Shell, cmd string) string {
	t.Helper()
	stdout, _, err := sh.Execute(wrap(cmd))
	if err != nil {
		t.Fatalf("Execute(%s): %v", cmd, err)
	}
	return stdout
}

// TestGoPowerShell drives the simulated device through go-powershell
// itself, in process and as a child process.
func TestGoPowerShell(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		starter func(dir string) powershell.Shell
	}{
		{"in process", func(dir string) powershell.Shell {
			sh, err := powershell.New(devicesim.NewInProcessStarter(dir))
			if err != nil {
				t.Fatal(err)
			}
			return sh
		}},
		{"child process", func(dir string) powershell.Shell {
			sh, err := powershell.New(devicesim.NewStarter(dir))
			if err != nil {
				t.Fatal(err)
			}
			return sh
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := device(t, "wam-cache")
			sh := c.starter(dir)
			status := exec(t, sh, scripts.DsregStatus)
			if !strings.Contains(status, "AzureAdPrt : NO\r\n") || !strings.HasSuffix(status, "caafix-exit "+nonce+" 0 True\r\n") {
				t.Errorf("dsregcmd /status before the fix: %q", status)
			}
			exec(t, sh, scripts.CleanupAccounts)
			status = exec(t, sh, scripts.DsregStatus)
			if !strings.Contains(status, "AzureAdPrt : YES\r\n") {
				t.Errorf("dsregcmd /status after the fix: %q", status)
			}
			stdout, stderr, err := sh.Execute(wrap("Start-Nothing"))
			if err == nil || !strings.Contains(stderr, "The term 'Start-Nothing' is not recognized") || !strings.HasSuffix(stdout, " 0 False\r\n") {
				t.Errorf("unknown command: stdout %q stderr %q err %v", stdout, stderr, err)
			}
			sh.Exit()
			rec, err := devicesim.Commands(dir)
			if err != nil || len(rec) != 5 || rec[4].Command != "exit" {
				t.Errorf("recorded %+v, %v", rec, err)
			}
		})
	}
}

// TestInProcessKill kills a device that will never answer (the line does
// not parse, so PowerShell sends no boundary): Serve and the readers end.
func TestInProcessKill(t *testing.T) {
	t.Parallel()
	dir := device(t, "healthy")
	w, stdin, stdout, stderr, err := devicesim.NewInProcessStarter(dir).StartProcess("powershell.exe", "-NoExit", "-Command", "-")
	if err != nil {
		t.Fatal(err)
	}
	errText := make(chan string)
	go func() {
		data, _ := io.ReadAll(stderr)
		errText <- string(data)
	}()
	outDone := make(chan error)
	go func() {
		_, err := io.ReadAll(stdout)
		outDone <- err
	}()
	if _, err := io.WriteString(stdin, "cmdkey 'never closed\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := w.(devicesim.Waiter).Kill(); err != nil {
		t.Fatal(err)
	}
	if err := w.Wait(); err == nil {
		t.Error("Wait after Kill returned no error")
	}
	<-outDone // stdout ends: the reader is not left hanging
	if got := <-errText; got != "" && !strings.Contains(got, "TerminatorExpectedAtEndOfString") {
		t.Errorf("stderr %q", got)
	}
	if _, err := io.WriteString(stdin, "dsregcmd /status\r\n"); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("write to stdin after Kill: %v, want io.ErrClosedPipe", err)
	}
}

// TestChildKill kills a child process that will never answer.
func TestChildKill(t *testing.T) {
	t.Parallel()
	dir := device(t, "healthy")
	w, stdin, stdout, _, err := devicesim.NewStarter(dir).StartProcess("powershell.exe")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(stdin, "cmdkey 'never closed\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := w.(devicesim.Waiter).Kill(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(stdout); err != nil {
		t.Logf("stdout: %v", err)
	}
	if err := w.Wait(); err == nil {
		t.Error("Wait after Kill returned no error")
	}
}

func TestCheckSyntax(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		line string
		ok   bool
	}{
		{"quoted value", "cmdkey '/delete:O''Brien'", true},
		{"unterminated string", "cmdkey '/delete:x", false},
		{"unbalanced brace", "try { dsregcmd /status", false},
	}
	for _, c := range cases {
		if err := devicesim.CheckSyntax(c.line); (err == nil) != c.ok {
			t.Errorf("%s: CheckSyntax(%q) = %v", c.name, c.line, err)
		}
	}
}
