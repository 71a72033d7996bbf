package scripts_test

import (
	"strings"
	"testing"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/scripts"
)

var userTask = scripts.UserTask{Name: "caafix-20261128T150726Z-0a1b2c3d4e5f-1", User: `AzureAD\alex`, Elevated: true}

// Every command is one line that PowerShell can parse, whatever the values.
func TestCommandsAreOneValidLine(t *testing.T) {
	t.Parallel()
	hostile := "x'; Remove-Item C:\\ -Recurse; '\u2019"
	cases := []struct {
		name string
		cmd  string
	}{
		{"dsregcmd status", scripts.DsregStatus},
		{"dsregcmd help", scripts.DsregHelp},
		{"cmdkey list", scripts.CmdkeyList},
		{"clock offset", scripts.ClockOffset},
		{"time service", scripts.TimeService},
		{"whoami user", scripts.WhoamiUser},
		{"whoami groups", scripts.WhoamiGroups},
		{"interactive user", scripts.InteractiveUser},
		{"enrollments", scripts.Enrollments},
		{"office c2r", scripts.OfficeC2R},
		{"antivirus", scripts.AntiVirus},
		{"net adapters", scripts.NetAdapters},
		{"last boot", scripts.LastBoot},
		{"aad events", scripts.AADEvents},
		{"os version", scripts.OSVersion},
		{"hostname", scripts.Hostname},
		{"sign-in probe", scripts.SignInProbe},
		{"broker plug-in", scripts.BrokerPlugin},
		{"register broker plug-in", scripts.RegisterBrokerPlugin},
		{"start time service", scripts.StartTimeService},
		{"resync", scripts.Resync},
		{"cleanup accounts", scripts.CleanupAccounts},
		{"leave", scripts.Leave},
		{"abort restart", scripts.AbortRestart},
		{"delete credential", scripts.DeleteCredential("OneDrive Cached Credential")},
		{"delete hostile credential", scripts.DeleteCredential(hostile)},
		{"schedule restart", scripts.ScheduleRestart(300, "Save your work")},
		{"schedule restart with hostile message", scripts.ScheduleRestart(0, hostile)},
		{"office repair", scripts.OfficeRepair("x64", "en-us")},
		{"office repair with hostile values", scripts.OfficeRepair(hostile, hostile)},
		{"register task", scripts.RegisterTask(`caafix\self-heal`, `C:\ProgramData\caafix\state\self-heal.xml`, []string{`<?xml version="1.0" encoding="UTF-16"?>`, `<Task/>`})},
		{"register task with hostile values", scripts.RegisterTask(hostile, hostile, []string{hostile, hostile})},
		{"delete task", scripts.DeleteTask(hostile)},
		{"query task", scripts.QueryTask(hostile)},
		{"user task prepare", scripts.UserTaskPrepare(userTask, scripts.DeleteCredential("OneDrive Cached Credential"))},
		{"user task prepare with hostile values", scripts.UserTaskPrepare(scripts.UserTask{Name: hostile, User: hostile}, hostile)},
		{"user task start", scripts.UserTaskStart(userTask)},
		{"user task start with hostile values", scripts.UserTaskStart(scripts.UserTask{Name: hostile, User: hostile})},
		{"user task poll", scripts.UserTaskPoll(userTask)},
		{"user task read", scripts.UserTaskRead(userTask, scripts.UserTaskStdout)},
		{"user task cleanup", scripts.UserTaskCleanup(userTask)},
		{"user task cleanup with hostile values", scripts.UserTaskCleanup(scripts.UserTask{Name: hostile})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if strings.ContainsAny(c.cmd, "\r\n") {
				t.Fatalf("%q is more than one line", c.cmd)
			}
			if err := devicesim.CheckSyntax(c.cmd); err != nil {
				t.Errorf("%q does not parse: %v", c.cmd, err)
			}
		})
	}
}

func TestRestartIsAFullRestart(t *testing.T) {
	t.Parallel()
	cmd := scripts.ScheduleRestart(300, "x")
	if !strings.HasPrefix(cmd, "shutdown /r ") || strings.Contains(cmd, "/o") || !strings.HasSuffix(cmd, "/d p:4:1") {
		t.Errorf("ScheduleRestart = %q", cmd)
	}
}
