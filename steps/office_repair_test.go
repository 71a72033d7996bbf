package steps_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/pshost"
)

// repairTokens is the Click-to-Run repair command as PowerShell reads it.
func repairTokens(platform, culture string) []psToken {
	return []psToken{
		op("&"), op("("), word("Join-Path"), word("$env:CommonProgramW6432"), lit(`Microsoft Shared\ClickToRun\OfficeClickToRun.exe`), op(")"),
		lit("scenario=Repair"), lit("platform=" + platform), lit("culture=" + culture),
		lit("RepairType=FullRepair"), lit("forceappshutdown=True"), lit("DisplayLevel=False"),
	}
}

func TestOfficeRepairPre(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		office     device.Office
		wantNeeded bool
		wantReason string
	}{
		{"no Click-to-Run Office: no online repair", device.Office{}, false, "not installed"},
		{"Click-to-Run without a platform cannot be repaired", device.Office{Installed: true, Culture: "en-us"}, false, "could not be read"},
		{"Click-to-Run without a culture cannot be repaired", device.Office{Installed: true, Platform: "x64"}, false, "could not be read"},
		{"installed Click-to-Run can be repaired", device.Office{Installed: true, Platform: "x86", Culture: "de-de"}, true, "x86 de-de"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := cloudFacts()
			f.Office = c.office
			r := newRunner(t, nil)
			check, err := lookup(t, "office.repair").Pre(context.Background(), newEnv(t, "office.repair", nil, f, r))
			if err != nil {
				t.Fatalf("Pre: %v", err)
			}
			if check.Needed != c.wantNeeded {
				t.Errorf("Needed = %v, want %v (reason %q)", check.Needed, c.wantNeeded, check.Reason)
			}
			if !strings.Contains(check.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", check.Reason, c.wantReason)
			}
			if got := r.Calls(); len(got) != 0 {
				t.Errorf("the pre-check reads the facts only, but sent %q", got)
			}
		})
	}
}

func TestOfficeRepairAct(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		office     device.Office
		res        pshost.Result
		wantFailed bool
	}{
		{"a repair that exits 0 succeeds", device.Office{Installed: true, Platform: "x64", Culture: "en-us"}, exit(0, ""), false},
		{"a repair that exits non-zero fails", device.Office{Installed: true, Platform: "x64", Culture: "en-us"}, exit(1, ""), true},
		{"a repair PowerShell could not start fails", device.Office{Installed: true, Platform: "x64", Culture: "en-us"},
			pshost.Result{Stderr: "The term 'OfficeClickToRun.exe' is not recognized", OK: false}, true},
		{"platform and culture are quoted values", device.Office{Installed: true, Platform: "x64' -Recurse '", Culture: "en-us"}, exit(0, ""), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := cloudFacts()
			f.Office = c.office
			s := lookup(t, "office.repair")
			cmds := s.Commands(newEnv(t, "office.repair", nil, f, nil))
			if len(cmds) != 1 {
				t.Fatalf("Commands = %q, want one", cmds)
			}
			checkTokens(t, cmds[0], repairTokens(c.office.Platform, c.office.Culture))
			r := newRunner(t, map[string]pshost.Result{cmds[0]: c.res})
			eff, err := s.Act(context.Background(), newEnv(t, "office.repair", nil, f, r))
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			if eff.Failed != c.wantFailed {
				t.Errorf("Failed = %v, want %v (reason %q)", eff.Failed, c.wantFailed, eff.Reason)
			}
			if got := r.Calls(); !slices.Equal(got, cmds) {
				t.Errorf("sent %q, want %q", got, cmds)
			}
		})
	}
}
