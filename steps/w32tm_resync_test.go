package steps_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

func clockFacts(skew time.Duration, known bool, service string) *device.Facts {
	f := cloudFacts()
	f.ClockSkewS, f.ClockKnown, f.TimeService = skew.Seconds(), known, service
	return f
}

func TestW32tmResyncPre(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		facts      *device.Facts
		with       map[string]any
		out        map[string]pshost.Result // what the device answers
		wantNeeded bool
		wantCalls  []string
		wantReason string
	}{
		{name: "skew within the default 5m is left alone", facts: clockFacts(2*time.Minute, true, device.TimeServiceRunning),
			wantReason: "within"},
		{name: "skew of exactly max_skew is within it", facts: clockFacts(5*time.Minute, true, device.TimeServiceRunning),
			wantReason: "within"},
		{name: "clock ahead by more than max_skew needs a resync", facts: clockFacts(20*time.Minute, true, device.TimeServiceRunning),
			wantNeeded: true, wantReason: "over"},
		{name: "clock behind by more than max_skew needs a resync", facts: clockFacts(-7*time.Minute, true, device.TimeServiceRunning),
			wantNeeded: true, wantReason: "over"},
		{name: "the runbook's max_skew replaces the default", facts: clockFacts(2*time.Minute, true, device.TimeServiceRunning),
			with: map[string]any{"max_skew": time.Minute}, wantNeeded: true, wantReason: "over 1m0s"},
		{name: "unknown skew is measured again and found over", facts: clockFacts(0, false, device.TimeServiceRunning),
			out:        map[string]pshost.Result{scripts.ClockOffset: ok(stripchart(-20 * time.Minute))},
			wantNeeded: true, wantCalls: []string{scripts.ClockOffset}, wantReason: "20m0s is over"},
		{name: "unknown skew is measured again and found within", facts: clockFacts(0, false, device.TimeServiceStopped),
			out:       map[string]pshost.Result{scripts.ClockOffset: ok(fixture(t, "w32tm-stripchart-ok.txt"))},
			wantCalls: []string{scripts.ClockOffset}, wantReason: "within"},
		{name: "UDP 123 blocked: the sign-in endpoint's Date header measures the clock", facts: clockFacts(0, false, device.TimeServiceRunning),
			out: map[string]pshost.Result{scripts.ClockOffset: ok(fixture(t, "w32tm-stripchart-error.txt")),
				scripts.SignInProbe: ok(`{"Date":"` + time.Now().Add(-20*time.Minute).UTC().Format(http.TimeFormat) + `"}`)},
			wantNeeded: true, wantCalls: []string{scripts.ClockOffset, scripts.SignInProbe}, wantReason: "is over 5m0s (measured by sign-in endpoint Date"},
		{name: "a clock that cannot be measured is left alone", facts: clockFacts(0, false, device.TimeServiceRunning),
			out: map[string]pshost.Result{scripts.ClockOffset: ok(fixture(t, "w32tm-stripchart-error.txt")),
				scripts.SignInProbe: {Stderr: "Unable to connect to the remote server\r\n", OK: false}},
			wantCalls: []string{scripts.ClockOffset, scripts.SignInProbe}, wantReason: "could not be measured"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, c.out)
			check, err := lookup(t, "w32tm.resync").Pre(context.Background(), newEnv(t, "w32tm.resync", c.with, c.facts, r))
			if err != nil {
				t.Fatalf("Pre: %v", err)
			}
			if check.Needed != c.wantNeeded {
				t.Errorf("Needed = %v, want %v (reason %q)", check.Needed, c.wantNeeded, check.Reason)
			}
			if !strings.Contains(check.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", check.Reason, c.wantReason)
			}
			if got := r.Calls(); !slices.Equal(got, c.wantCalls) {
				t.Errorf("sent %q, want %q", got, c.wantCalls)
			}
		})
	}
}

func TestW32tmResyncCommands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		service string
		want    []string
	}{
		{"a running time service is only resynced", device.TimeServiceRunning, []string{scripts.Resync}},
		{"a stopped time service is started first", device.TimeServiceStopped, []string{scripts.StartTimeService, scripts.Resync}},
		{"a time service in an unknown state is started first", device.TimeServiceUnknown, []string{scripts.StartTimeService, scripts.Resync}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t, "w32tm.resync", nil, clockFacts(20*time.Minute, true, c.service), nil)
			if got := lookup(t, "w32tm.resync").Commands(env); !slices.Equal(got, c.want) {
				t.Errorf("Commands = %q, want %q", got, c.want)
			}
		})
	}
}

func TestW32tmResyncAct(t *testing.T) {
	t.Parallel()
	serviceNotStarted := pshost.Result{Stdout: fixture(t, "w32tm-query-service-stopped.txt"), ExitCode: -2147023834, OK: false}
	cases := []struct {
		name       string
		service    string
		out        map[string]pshost.Result
		wantFailed bool
		wantCalls  []string
		wantReason string
	}{
		{name: "a successful resync", service: device.TimeServiceRunning,
			out:       map[string]pshost.Result{scripts.Resync: ok(fixture(t, "w32tm-resync-success.txt"))},
			wantCalls: []string{scripts.Resync}, wantReason: "completed successfully"},
		{name: "a stopped time service is started before the resync", service: device.TimeServiceStopped,
			out: map[string]pshost.Result{
				scripts.StartTimeService: ok(""),
				scripts.Resync:           ok(fixture(t, "w32tm-resync-success.txt")),
			},
			wantCalls: []string{scripts.StartTimeService, scripts.Resync}, wantReason: "completed successfully"},
		{name: "a time service that does not start fails the step before any resync", service: device.TimeServiceStopped,
			out: map[string]pshost.Result{
				scripts.StartTimeService: {Stderr: "Start-Service : Service 'Windows Time (w32time)' cannot be started due to the following error: Cannot start service w32time on computer '.'.", OK: false},
			},
			wantFailed: true, wantCalls: []string{scripts.StartTimeService}, wantReason: "cannot be started"},
		{name: "exit 0 with did-not-resync text is a failure", service: device.TimeServiceRunning,
			out:        map[string]pshost.Result{scripts.Resync: ok(fixture(t, "w32tm-resync-no-data.txt"))},
			wantFailed: true, wantCalls: []string{scripts.Resync}, wantReason: "did not resync"},
		{name: "a non-zero exit is a failure", service: device.TimeServiceRunning,
			out:        map[string]pshost.Result{scripts.Resync: serviceNotStarted},
			wantFailed: true, wantCalls: []string{scripts.Resync}, wantReason: "0x80070426"},
		{name: "exit 0 in another language is left to the post-check's measurement", service: device.TimeServiceRunning,
			out:       map[string]pshost.Result{scripts.Resync: ok("Senden des Befehls zur erneuten Synchronisierung an Lokaler Computer\r\nDer Befehl wurde erfolgreich ausgeführt.\r\n")},
			wantCalls: []string{scripts.Resync}, wantReason: "erfolgreich"},
		{name: "exit 0 with an HRESULT is a failure", service: device.TimeServiceRunning,
			out:        map[string]pshost.Result{scripts.Resync: ok("Fehler: 0x800705B4\r\n")},
			wantFailed: true, wantCalls: []string{scripts.Resync}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, c.out)
			env := newEnv(t, "w32tm.resync", nil, clockFacts(20*time.Minute, true, c.service), r)
			eff, err := lookup(t, "w32tm.resync").Act(context.Background(), env)
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			if eff.Failed != c.wantFailed {
				t.Errorf("Failed = %v, want %v (reason %q)", eff.Failed, c.wantFailed, eff.Reason)
			}
			if !strings.Contains(eff.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", eff.Reason, c.wantReason)
			}
			if eff.EndRun || eff.Reboot {
				t.Errorf("a resync must not end the run or reboot: %+v", eff)
			}
			if got := r.Calls(); !slices.Equal(got, c.wantCalls) {
				t.Errorf("sent %q, want %q", got, c.wantCalls)
			}
		})
	}
}

func TestW32tmResyncPost(t *testing.T) {
	t.Parallel()
	unreachable := pshost.Result{Stderr: "Unable to connect to the remote server\r\n", OK: false}
	dated := func(skew time.Duration) pshost.Result {
		return ok(`{"Date":"` + time.Now().Add(-skew).UTC().Format(http.TimeFormat) + `"}`)
	}
	cases := []struct {
		name       string
		sample     string
		probe      *pshost.Result // the sign-in endpoint's answer, asked when w32tm has no sample
		wantOK     bool
		wantReason string
	}{
		{"a clock within max_skew after the resync is verified", stripchart(30 * time.Second), nil, true, "now"},
		{"a clock still over max_skew is not verified", stripchart(-20 * time.Minute), nil, false, "still"},
		{"a clock that cannot be measured is not verified", fixture(t, "w32tm-stripchart-error.txt"), &unreachable, false, "could not be measured"},
		{"UDP 123 blocked: a clock still off by the Date header is not verified", fixture(t, "w32tm-stripchart-error.txt"), ptr(dated(20 * time.Minute)), false, "still 20m"},
		{"UDP 123 blocked: a clock right by the Date header is verified", fixture(t, "w32tm-stripchart-error.txt"), ptr(dated(0)), true, "now"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := map[string]pshost.Result{scripts.ClockOffset: ok(c.sample)}
			want := []string{scripts.ClockOffset}
			if c.probe != nil {
				out[scripts.SignInProbe] = *c.probe
				want = append(want, scripts.SignInProbe)
			}
			r := newRunner(t, out)
			// The facts still show the old skew: Post must measure again.
			env := newEnv(t, "w32tm.resync", nil, clockFacts(20*time.Minute, true, device.TimeServiceRunning), r)
			v, err := lookup(t, "w32tm.resync").Post(context.Background(), env)
			if err != nil {
				t.Fatalf("Post: %v", err)
			}
			if v.OK != c.wantOK {
				t.Errorf("OK = %v, want %v (reason %q)", v.OK, c.wantOK, v.Reason)
			}
			if !strings.Contains(v.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", v.Reason, c.wantReason)
			}
			if got := r.Calls(); !slices.Equal(got, want) {
				t.Errorf("sent %q, want %q", got, want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
