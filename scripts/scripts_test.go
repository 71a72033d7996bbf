package scripts_test

import (
	"strings"
	"testing"

	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/scripts"
)

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
