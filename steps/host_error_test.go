package steps_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
	"github.com/caafix/caafix/steps"
)

// TestHostErrorsArePassedUp checks that a dead host ends the step with a
// host error — never taken for a failed command, an unreadable answer or
// a step that is not needed — and that nothing more is sent after it.
func TestHostErrorsArePassedUp(t *testing.T) {
	t.Parallel()
	del0, del1 := scripts.DeleteCredential(officeTargets[0]), scripts.DeleteCredential(officeTargets[1])
	cases := []struct {
		name      string
		uses      string
		phase     string // pre, act or post
		facts     func(*device.Facts)
		pre       steps.Check
		out       map[string]pshost.Result
		dies      string   // the command during which the host dies
		wantCalls []string // everything sent, up to and including dies
	}{
		{name: "w32tm.resync pre-check measuring an unknown clock", uses: "w32tm.resync", phase: "pre",
			facts: func(f *device.Facts) { f.ClockKnown = false }, dies: scripts.ClockOffset},
		{name: "w32tm.resync starting the time service", uses: "w32tm.resync", phase: "act",
			facts: func(f *device.Facts) { f.TimeService = device.TimeServiceStopped }, dies: scripts.StartTimeService},
		{name: "w32tm.resync resyncing", uses: "w32tm.resync", phase: "act", dies: scripts.Resync},
		{name: "w32tm.resync post-check", uses: "w32tm.resync", phase: "post", dies: scripts.ClockOffset},
		{name: "dsregcmd.cleanupaccounts pre-check reading events", uses: "dsregcmd.cleanupaccounts", phase: "pre", dies: scripts.AADEvents},
		{name: "dsregcmd.cleanupaccounts cleaning up", uses: "dsregcmd.cleanupaccounts", phase: "act", dies: scripts.CleanupAccounts},
		{name: "dsregcmd.cleanupaccounts post-check reading the status", uses: "dsregcmd.cleanupaccounts", phase: "post",
			out: map[string]pshost.Result{scripts.AADEvents: ok("")}, dies: scripts.DsregStatus,
			wantCalls: []string{scripts.AADEvents, scripts.DsregStatus}},
		{name: "credentials.remove pre-check listing the vault", uses: "credentials.remove", phase: "pre", dies: scripts.CmdkeyList},
		{name: "credentials.remove stops at the first dead delete", uses: "credentials.remove", phase: "act",
			pre: steps.Check{Needed: true, Targets: officeTargets[:2]}, dies: del0, wantCalls: []string{del0}},
		{name: "credentials.remove dies on the second delete", uses: "credentials.remove", phase: "act",
			pre: steps.Check{Needed: true, Targets: officeTargets[:3]}, out: map[string]pshost.Result{del0: ok("")},
			dies: del1, wantCalls: []string{del0, del1}},
		{name: "credentials.remove post-check", uses: "credentials.remove", phase: "post",
			pre: steps.Check{Needed: true, Targets: officeTargets[:1]}, dies: scripts.CmdkeyList},
		{name: "restart.schedule scheduling", uses: "restart.schedule", phase: "act",
			dies: lookup(t, "restart.schedule").Commands(newEnv(t, "restart.schedule", nil, nil, nil))[0]},
		{name: "dsregcmd.leave leaving", uses: "dsregcmd.leave", phase: "act", dies: scripts.Leave},
		{name: "dsregcmd.leave post-check", uses: "dsregcmd.leave", phase: "post", dies: scripts.DsregStatus},
		{name: "office.repair repairing", uses: "office.repair", phase: "act",
			dies: scripts.OfficeRepair("x64", "en-us")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, c.out)
			r.errs = map[string]error{c.dies: hostDied(c.dies)}
			f := cloudFacts()
			f.ClockSkewS = (20 * time.Minute).Seconds()
			if c.facts != nil {
				c.facts(f)
			}
			env := newEnv(t, c.uses, nil, f, r)
			env.Pre = c.pre
			s := lookup(t, c.uses)
			var err error
			switch c.phase {
			case "pre":
				var check steps.Check
				check, err = s.Pre(context.Background(), env)
				if err != nil && check.Needed {
					t.Errorf("a failed pre-check says the action is needed: %+v", check)
				}
			case "act":
				_, err = s.Act(context.Background(), env)
			case "post":
				var v steps.Verdict
				v, err = s.Post(context.Background(), env)
				if err != nil && v.OK {
					t.Errorf("a failed post-check says OK: %+v", v)
				}
			default:
				t.Fatalf("unknown phase %q", c.phase)
			}
			var he *pshost.HostError
			if !errors.As(err, &he) || outcome.Of(err) != outcome.HostError {
				t.Fatalf("error = %v, want a host error", err)
			}
			want := c.wantCalls
			if want == nil {
				want = []string{c.dies}
			}
			if got := r.Calls(); !slices.Equal(got, want) {
				t.Errorf("sent %q, want %q", got, want)
			}
		})
	}
}
