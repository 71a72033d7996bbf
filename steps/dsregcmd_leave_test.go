package steps_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

func TestLeavePre(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		join         device.Join
		managedKnown bool
		managed      bool
		wantNeeded   bool
		wantReason   string
	}{
		{"cloud-only join on an unmanaged device may leave", device.JoinCloud, true, false, true, "cloud-only"},
		{"hybrid join is refused", device.JoinHybrid, true, false, false, "join: hybrid"},
		{"registered only is refused", device.JoinRegistered, true, false, false, "join: registered"},
		{"domain only is refused", device.JoinDomain, true, false, false, "join: domain"},
		{"not joined is refused", device.JoinNone, true, false, false, "join: none"},
		{"unknown join is refused", device.JoinUnknown, true, false, false, "join: unknown"},
		{"unreadable MDM enrollment is refused", device.JoinCloud, false, false, false, "could not be read"},
		{"an MDM managed device is refused", device.JoinCloud, true, true, false, "MDM managed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := cloudFacts()
			f.Join, f.ManagedKnown, f.Managed = c.join, c.managedKnown, c.managed
			r := newRunner(t, nil)
			check, err := lookup(t, "dsregcmd.leave").Pre(context.Background(), newEnv(t, "dsregcmd.leave", nil, f, r))
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

func TestLeaveAct(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		res         pshost.Result
		wantFailed  bool
		wantEndRun  bool
		wantMessage string
	}{
		{"leaving ends the run with escalate and the rejoin instruction", exit(0, ""), false, true, "rejoin via Settings"},
		{"a failed leave is a failure and the run goes on", pshost.Result{Stdout: "Error: 0x80070005 Access is denied.\r\n", ExitCode: 5}, true, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scripts.Leave: c.res})
			eff, err := lookup(t, "dsregcmd.leave").Act(context.Background(), newEnv(t, "dsregcmd.leave", nil, nil, r))
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			if eff.Failed != c.wantFailed || eff.EndRun != c.wantEndRun {
				t.Errorf("Effect = %+v, want Failed %v EndRun %v", eff, c.wantFailed, c.wantEndRun)
			}
			if c.wantEndRun && eff.Outcome != outcome.Escalate {
				t.Errorf("outcome = %s, want escalate", eff.Outcome)
			}
			if !strings.Contains(eff.Message, c.wantMessage) {
				t.Errorf("message %q does not say %q", eff.Message, c.wantMessage)
			}
			if got, want := r.Calls(), []string{"dsregcmd /leave"}; !slices.Equal(got, want) {
				t.Errorf("sent %q, want %q", got, want)
			}
		})
	}
}

func TestLeavePost(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status string
		wantOK bool
	}{
		{"a device no longer Entra joined has left", dsregStatus(t, "NO", "NO"), true},
		{"a device still Entra joined has not left", dsregStatus(t, "YES", "NO"), false},
		{"an unreadable status is not verified", "dsregcmd : The term 'dsregcmd' is not recognized", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scripts.DsregStatus: ok(c.status)})
			v, err := lookup(t, "dsregcmd.leave").Post(context.Background(), newEnv(t, "dsregcmd.leave", nil, nil, r))
			if err != nil {
				t.Fatalf("Post: %v", err)
			}
			if v.OK != c.wantOK {
				t.Errorf("OK = %v, want %v (reason %q)", v.OK, c.wantOK, v.Reason)
			}
		})
	}
}
