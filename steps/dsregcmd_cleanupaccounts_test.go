package steps_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// symptomAnswers is the device's answer to the symptom check: its AAD
// events and dsregcmd /status.
func symptomAnswers(t *testing.T, prt string, events ...time.Time) map[string]pshost.Result {
	return map[string]pshost.Result{
		scripts.AADEvents:   ok(eventsJSON(events...)),
		scripts.DsregStatus: ok(dsregStatus(t, "YES", prt)),
	}
}

var symptomCalls = []string{scripts.AADEvents, scripts.DsregStatus}

func TestCleanupAccountsPre(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		supported  bool
		out        map[string]pshost.Result
		wantNeeded bool
		wantCalls  []string
		wantReason string
	}{
		{name: "a dsregcmd without /cleanupaccounts is not asked anything", supported: false,
			wantReason: "no /cleanupaccounts switch"},
		{name: "a recent CAA50021 event makes it needed", supported: true,
			out: symptomAnswers(t, "YES", now.Add(-time.Hour)), wantNeeded: true, wantCalls: symptomCalls, wantReason: "CAA50021"},
		{name: "a joined device without a PRT makes it needed", supported: true,
			out: symptomAnswers(t, "NO"), wantNeeded: true, wantCalls: symptomCalls, wantReason: "primary refresh token"},
		{name: "events older than the symptom window do not count", supported: true,
			out: symptomAnswers(t, "YES", now.Add(-48*time.Hour)), wantCalls: symptomCalls, wantReason: "symptom is gone"},
		{name: "no event and a PRT is not needed", supported: true,
			out: symptomAnswers(t, "YES"), wantCalls: symptomCalls, wantReason: "symptom is gone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := cloudFacts()
			f.CleanupAccountsSupported = c.supported
			r := newRunner(t, c.out)
			check, err := lookup(t, "dsregcmd.cleanupaccounts").Pre(context.Background(), newEnv(t, "dsregcmd.cleanupaccounts", nil, f, r))
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

func TestCleanupAccountsAct(t *testing.T) {
	t.Parallel()
	removed := fixture(t, "dsregcmd-cleanupaccounts.txt")
	cases := []struct {
		name       string
		res        pshost.Result
		wantFailed bool
		wantReason string
	}{
		{"every account removed (result 0x00000000) succeeds", exit(0, removed), false, "removed"},
		{"no account to remove succeeds", exit(0, "Call CleanupAccounts to remove WAM accounts from the current user profile.\r\n\r\nUser accounts:\r\nAccounts found: 0.\r\n"), false, "removed"},
		{"a non-zero Remove account result fails although dsregcmd exits 0",
			exit(0, strings.Replace(removed, "Remove account result: 0x00000000.", "Remove account result: 0x80070005.", 1)), true, "0x80070005"},
		{"a non-zero exit fails", pshost.Result{Stdout: "Error: 0x80070005 Access is denied.\r\n", ExitCode: 5}, true, "exited 5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scripts.CleanupAccounts: c.res})
			eff, err := lookup(t, "dsregcmd.cleanupaccounts").Act(context.Background(), newEnv(t, "dsregcmd.cleanupaccounts", nil, nil, r))
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			if eff.Failed != c.wantFailed {
				t.Errorf("Failed = %v, want %v (reason %q)", eff.Failed, c.wantFailed, eff.Reason)
			}
			if !strings.Contains(eff.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", eff.Reason, c.wantReason)
			}
			if got, want := r.Calls(), []string{scripts.CleanupAccounts}; !slices.Equal(got, want) {
				t.Errorf("sent %q, want %q", got, want)
			}
		})
	}
}

func TestCleanupAccountsCommands(t *testing.T) {
	t.Parallel()
	env := newEnv(t, "dsregcmd.cleanupaccounts", nil, nil, nil)
	if got, want := lookup(t, "dsregcmd.cleanupaccounts").Commands(env), []string{"dsregcmd /cleanupaccounts"}; !slices.Equal(got, want) {
		t.Errorf("Commands = %q, want %q", got, want)
	}
}

// TestSymptomPost covers the post-check of the steps verified by the
// symptom going away: only what happened after the action started counts.
func TestSymptomPost(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		out        map[string]pshost.Result
		wantOK     bool
		wantReason string
	}{
		{"no event since the action and a PRT is verified", symptomAnswers(t, "YES", now.Add(-time.Minute)), true, "gone"},
		{"an event after the action started is not verified", symptomAnswers(t, "YES", now.Add(time.Second)), false, "remains"},
		{"no PRT on a joined device is not verified", symptomAnswers(t, "NO"), false, "remains"},
		{"an unreadable event log is not verified (fail closed)", map[string]pshost.Result{
			scripts.AADEvents: ok("Get-WinEvent : The specified channel could not be found."), scripts.DsregStatus: ok(dsregStatus(t, "YES", "YES")),
		}, false, "could not be read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, c.out)
			v, err := lookup(t, "dsregcmd.cleanupaccounts").Post(context.Background(), newEnv(t, "dsregcmd.cleanupaccounts", nil, nil, r))
			if err != nil {
				t.Fatalf("Post: %v", err)
			}
			if v.OK != c.wantOK {
				t.Errorf("OK = %v, want %v (reason %q)", v.OK, c.wantOK, v.Reason)
			}
			if !strings.Contains(v.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", v.Reason, c.wantReason)
			}
			if got := r.Calls(); !slices.Equal(got, symptomCalls) {
				t.Errorf("sent %q, want %q", got, symptomCalls)
			}
		})
	}
}

func TestAADSymptomStep(t *testing.T) {
	t.Parallel()
	s := lookup(t, "aad.symptom")
	r := newRunner(t, symptomAnswers(t, "YES", now.Add(-time.Hour)))
	env := newEnv(t, "aad.symptom", nil, nil, r)
	check, err := s.Pre(context.Background(), env)
	if err != nil {
		t.Fatalf("Pre: %v", err)
	}
	if !check.Needed {
		t.Errorf("a recent event: Needed = false (reason %q)", check.Reason)
	}
	if got := s.Commands(env); len(got) != 0 {
		t.Errorf("the detect step sends no action, got %q", got)
	}
}
