package device

import (
	"strings"
	"testing"
)

func TestSupportsSwitch(t *testing.T) {
	t.Parallel()
	help := fixture(t, "dsregcmd-help.txt")
	old := "DSREGCMD switches\n                        /? : Displays the help message for DSREGCMD\n                   /status : Displays the device join status\n                    /leave : Performs Hybrid Unjoin\n"
	cases := []struct {
		name string
		help string
		sw   string
		want bool
	}{
		{"current build lists cleanupaccounts", help, "/cleanupaccounts", true},
		{"without the slash", help, "cleanupaccounts", true},
		{"case does not matter", help, "/CleanupAccounts", true},
		{"mixed-case switch of the help", help, "/updatedevice", true},
		{"refreshprt", help, "/refreshprt", true},
		{"a switch that does not exist", help, "/fixeverything", false},
		{"a prefix of a switch is not the switch", help, "/cleanup", false},
		{"a word of a description is not a switch", help, "/Hybrid", false},
		{"older build lacks cleanupaccounts", old, "/cleanupaccounts", false},
		{"older build has status", old, "/status", true},
		{"CRLF", strings.ReplaceAll(help, "\n", "\r\n"), "/cleanupaccounts", true},
		{"not help text", fixture(t, "dsregcmd-status-entra-joined.txt"), "/status", false},
		{"empty", "", "/status", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := SupportsSwitch(c.help, c.sw); got != c.want {
				t.Errorf("SupportsSwitch(%q) = %v, want %v", c.sw, got, c.want)
			}
		})
	}
}

func TestParseDsregHelp(t *testing.T) {
	t.Parallel()
	got, err := ParseDsregHelp(fixture(t, "dsregcmd-help.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := "/? /status /status_old /join /leave /debug /refreshprt /refreshp2pcerts /cleanupaccounts /listaccounts /UpdateDevice"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v\nwant %s", got, want)
	}
	if _, err := ParseDsregHelp("Access is denied."); err == nil || !strings.Contains(err.Error(), "/status") {
		t.Errorf("err = %v, want one that shows an expected line", err)
	}
}

func FuzzParseDsregHelp(f *testing.F) {
	f.Add(fixture(f, "dsregcmd-help.txt"))
	f.Add("  /x : y")
	f.Fuzz(func(t *testing.T, text string) {
		sws, err := ParseDsregHelp(text)
		if err != nil {
			if SupportsSwitch(text, "/status") {
				t.Fatal("a switch supported by text that does not parse")
			}
			return
		}
		for _, s := range sws {
			if !strings.HasPrefix(s, "/") || !SupportsSwitch(text, s) {
				t.Fatalf("listed switch %q is not supported", s)
			}
		}
	})
}
