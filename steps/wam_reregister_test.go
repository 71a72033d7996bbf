package steps_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// brokerCSV is Get-AppxPackage's answer for a registered plug-in
// (device/testdata/appx-brokerplugin.csv); status may be changed.
func brokerCSV(status string) string {
	return "\"Name\",\"PackageFullName\",\"Status\"\r\n\"Microsoft.AAD.BrokerPlugin\",\"Microsoft.AAD.BrokerPlugin_1000.22621.1.0_neutral_neutral_cw5n1h2txyewy\",\"" + status + "\"\r\n"
}

func TestWAMReregisterPre(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		res    pshost.Result
		needed bool
		reason string
	}{
		{"registered and Ok: nothing to do", ok(brokerCSV("Ok")), false, "is registered"},
		{"not listed: register it", ok(""), true, "not registered for this user"},
		{"registered but damaged: register it", ok(brokerCSV("Tampered")), true, "status is Tampered"},
		{"an unreadable listing is no reason to act", pshost.Result{Stderr: "Get-AppxPackage : Access is denied.\r\n"}, false, "could not be read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scripts.BrokerPlugin: c.res})
			check, err := lookup(t, "wam.reregister").Pre(context.Background(), newEnv(t, "wam.reregister", nil, nil, r))
			if err != nil {
				t.Fatal(err)
			}
			if check.Needed != c.needed || !strings.Contains(check.Reason, c.reason) {
				t.Errorf("needed %v (%s), want %v with %q", check.Needed, check.Reason, c.needed, c.reason)
			}
		})
	}
}

func TestWAMReregisterActAndPost(t *testing.T) {
	t.Parallel()
	s := lookup(t, "wam.reregister")
	cases := []struct {
		name     string
		act      pshost.Result
		after    string
		failed   bool
		verified bool
	}{
		{"registered: verified", ok(""), brokerCSV("Ok"), false, true},
		{"the cmdlet failed", pshost.Result{Stderr: "Deployment failed with HRESULT: 0x80073CF9\r\n"}, "", true, false},
		{"it ran but the plug-in is still missing", ok(""), "", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scripts.RegisterBrokerPlugin: c.act, scripts.BrokerPlugin: ok(c.after)})
			env := newEnv(t, "wam.reregister", nil, nil, r)
			eff, err := s.Act(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			if eff.Failed != c.failed {
				t.Fatalf("failed %v (%s), want %v", eff.Failed, eff.Reason, c.failed)
			}
			if c.failed {
				return
			}
			v, err := s.Post(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			if v.OK != c.verified {
				t.Errorf("verified %v (%s), want %v", v.OK, v.Reason, c.verified)
			}
		})
	}
	if got := s.Commands(nil); len(got) != 1 || got[0] != scripts.RegisterBrokerPlugin {
		t.Errorf("commands %q", got)
	}
}

func TestWAMReregisterHostError(t *testing.T) {
	t.Parallel()
	r := newRunner(t, nil)
	r.errs = map[string]error{scripts.BrokerPlugin: hostDied(scripts.BrokerPlugin)}
	_, err := lookup(t, "wam.reregister").Pre(context.Background(), newEnv(t, "wam.reregister", nil, nil, r))
	var he *pshost.HostError
	if !errors.As(err, &he) {
		t.Errorf("error %v, want the host error", err)
	}
}
