package devicesim

import (
	"strings"
	"testing"

	"github.com/caafix/caafix/scripts"
)

// A command sent through a one-shot task runs in the signed-in user's
// session: cmdkey sees the user's vault, not SYSTEM's, and the output and
// exit code come back through the task's files.
func TestUserTaskRunsInTheUsersSession(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "system-user")
	task := scripts.UserTask{Name: "caafix-test-1", User: `AzureAD\alex`}
	cmd := scripts.DeleteCredential("MicrosoftOffice16_Data:SSPI:alex@contoso.com")
	out, errOut := serveLines(t, dir, testNow,
		scripts.UserTaskPrepare(task, cmd),
		scripts.UserTaskStart(task),
		scripts.UserTaskPoll(task),
		scripts.UserTaskRead(task, scripts.UserTaskExit),
		scripts.UserTaskRead(task, scripts.UserTaskStdout),
		scripts.UserTaskCleanup(task),
		scripts.UserTaskPoll(task),
	)
	for _, want := range []string{"acl 0 0 0\r\n", "Ready\r\n0\r\n", "0\r\n", "CMDKEY: Credential deleted successfully."} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	// The poll after the cleanup finds no task.
	if !strings.Contains(errOut, "No MSFT_ScheduledTask objects found with property 'TaskName' equal to 'caafix-test-1'.  Verify the value of the property and retry.") ||
		!strings.Contains(errOut, "CmdletizationQuery_NotFound_TaskName,Get-ScheduledTask") {
		t.Errorf("stderr lacks the not-found error:\n%s", errOut)
	}
	st, err := loadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Vaults["alex@contoso.com"] {
		if c == "MicrosoftOffice16_Data:SSPI:alex@contoso.com" {
			t.Errorf("the command did not run in the user's vault: %v", st.Vaults)
		}
	}
	if st.Scenario.Device.Context != ContextSystem {
		t.Errorf("the device's own context changed to %s", st.Scenario.Device.Context)
	}
	if len(st.Tasks) != 0 || len(st.filesUnder(`C:\ProgramData\caafix\session`)) != 0 {
		t.Errorf("the cleanup left tasks %v or files %v", st.Tasks, st.filesUnder(`C:\ProgramData\caafix\session`))
	}
	recs, err := Commands(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		if r.Command == cmd && strings.HasPrefix(r.RunAs, "alex@contoso.com ") {
			found = true
		}
	}
	if !found {
		t.Errorf("the task's command is not recorded as run by the user: %+v", recs)
	}
}

// Windows cannot register a task for an account it does not know, and an
// interactive task whose user has signed out does not start.
func TestUserTaskFailures(t *testing.T) {
	t.Parallel()
	t.Run("nobody signed in", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "system-no-user")
		task := scripts.UserTask{Name: "caafix-test-2", User: `AzureAD\alex`}
		_, errOut := serveLines(t, dir, testNow, scripts.UserTaskPrepare(task, "cmdkey /list"), scripts.UserTaskStart(task))
		for _, want := range []string{"Register-ScheduledTask : No mapping between account names and security IDs was done.", "HRESULT 0x80070534,Register-ScheduledTask"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
	})
	t.Run("user signed out after registering", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "system-user")
		task := scripts.UserTask{Name: "caafix-test-3", User: `AzureAD\alex`}
		serveLines(t, dir, testNow, scripts.UserTaskPrepare(task, "cmdkey /list"), `Register-ScheduledTask -TaskName 'caafix-test-3' -TaskPath '\caafix\' -Action (New-ScheduledTaskAction -Execute 'powershell.exe' -Argument '-File run.ps1') -Principal (New-ScheduledTaskPrincipal -UserId 'AzureAD\alex' -LogonType Interactive) | Out-Null`)
		st, err := loadState(dir)
		if err != nil {
			t.Fatal(err)
		}
		st.Scenario.Device.User = ""
		if err := saveState(dir, st); err != nil {
			t.Fatal(err)
		}
		out, _ := serveLines(t, dir, testNow, `Start-ScheduledTask -TaskName 'caafix-test-3' -TaskPath '\caafix\'`, scripts.UserTaskPoll(task))
		if !strings.Contains(out, "Ready\r\n2147943645\r\n") {
			t.Errorf("want Ready and 0x800704DD, got:\n%s", out)
		}
	})
}
