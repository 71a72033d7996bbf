package device

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

func TestEvaluateSymptom(t *testing.T) {
	t.Parallel()
	events, err := ParseAADEvents(fixture(t, "aad-events-many.json"))
	if err != nil {
		t.Fatal(err)
	}
	at := func(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
	since := at(1732795200000) // 12:00Z; the CAA50021 events are at 13:20 and 14:20
	status := func(t *testing.T, text string) *DsregStatus {
		st, err := ParseDsregStatus(text)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	cloudPRT := box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO") + box("SSO State", "AzureAdPrt", "YES")
	cloudNoPRT := fixture(t, "dsregcmd-status-entra-joined.txt")
	asSystem := strings.Replace(cloudNoPRT, `AADJOIN02\PCUser`, `NT AUTHORITY\SYSTEM`, 1)
	cases := []struct {
		name        string
		events      []Event
		status      string // "" = dsregcmd unreadable
		since       time.Time
		present     bool
		count       int
		first, last time.Time
		prt         string
		reason      string
	}{
		{"CAA50021 events since the window start", events, cloudPRT, since, true, 2, at(1732800000000), at(1732803600000), "yes", "2 CAA50021 event(s)"},
		{"events before the window do not count", events, cloudPRT, at(1732810000000), false, 0, time.Time{}, time.Time{}, "yes", "no CAA50021 event since"},
		{"an event in the window start's millisecond counts (fail safe)", events, cloudPRT, at(1732803600000).Add(500 * time.Microsecond), true, 1, at(1732803600000), at(1732803600000), "yes", "1 CAA50021 event(s)"},
		{"an event a millisecond before the window start does not count", events, cloudPRT, at(1732803600001), false, 0, time.Time{}, time.Time{}, "yes", "primary refresh token is present"},
		{"cloud joined without PRT", nil, cloudNoPRT, since, true, 0, time.Time{}, time.Time{}, "no", "Entra joined (cloud)"},
		{"hybrid joined without PRT", nil, fixture(t, "dsregcmd-status-hybrid-joined.txt"), since, true, 0, time.Time{}, time.Time{}, "no", "Entra joined (hybrid)"},
		{"registered without PRT is not the symptom", nil, fixture(t, "dsregcmd-status-entra-registered.txt"), since, false, 0, time.Time{}, time.Time{}, "no", "not Entra joined (registered)"},
		{"domain only without PRT is not the symptom", nil, box("Device State", "AzureAdJoined", "NO", "DomainJoined", "YES") + box("SSO State", "AzureAdPrt", "NO"), since, false, 0, time.Time{}, time.Time{}, "no", "not Entra joined (domain)"},
		{"unknown join without PRT is not the symptom", nil, box("Device State") + box("SSO State", "AzureAdPrt", "NO"), since, false, 0, time.Time{}, time.Time{}, "no", "not Entra joined (unknown)"},
		{"both causes", events, cloudNoPRT, since, true, 2, at(1732800000000), at(1732803600000), "no", "no primary refresh token"},
		{"dsregcmd unreadable: the events decide", nil, "", since, false, 0, time.Time{}, time.Time{}, "unknown", "could not be read"},
		{"dsregcmd unreadable with events", events, "", since, true, 2, at(1732800000000), at(1732803600000), "unknown", "2 CAA50021 event(s)"},
		{"dsregcmd as SYSTEM says nothing of the user's PRT", nil, asSystem, since, false, 0, time.Time{}, time.Time{}, "unknown", "ran as SYSTEM"},
		{"another CAA code is not the symptom", []Event{{ID: 1098, Time: at(1732800000000), Message: "Log: 0xcaa5001c"}}, cloudPRT, since, false, 0, time.Time{}, time.Time{}, "yes", "no CAA50021 event"},
		{"another event ID is not the symptom", []Event{{ID: 1097, Time: at(1732800000000), Message: "Error: 0xCAA50021"}}, cloudPRT, since, false, 0, time.Time{}, time.Time{}, "yes", "no CAA50021 event"},
		{"a bare CAA50021 in a warning counts", []Event{{ID: 1104, Time: at(1732800000000), Message: "failed: caa50021"}}, cloudPRT, since, true, 1, at(1732800000000), at(1732800000000), "yes", "1 CAA50021 event(s)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var st *DsregStatus
			if c.status != "" {
				st = status(t, c.status)
			}
			s := EvaluateSymptom(c.events, st, c.since)
			if s.Present != c.present || s.Events != c.count || !s.First.Equal(c.first) || !s.Last.Equal(c.last) || s.PRT != c.prt {
				t.Errorf("got present %v events %d first %v last %v prt %s; want %v %d %v %v %s",
					s.Present, s.Events, s.First, s.Last, s.PRT, c.present, c.count, c.first, c.last, c.prt)
			}
			if !strings.Contains(strings.Join(s.Reasons, "; "), c.reason) {
				t.Errorf("reasons %q do not mention %q", s.Reasons, c.reason)
			}
		})
	}
}

func TestCheckSymptom(t *testing.T) {
	t.Parallel()
	since := time.UnixMilli(1732795200000)
	hostErr := &pshost.HostError{Op: "run", Err: errors.New("powershell.exe exited")}
	cases := []struct {
		name    string
		out     map[string]pshost.Result
		fail    map[string]error
		present bool
		reason  string
		wantErr error
	}{
		{"events and no PRT", map[string]pshost.Result{
			scripts.AADEvents:   ok(fixture(t, "aad-events-many.json")),
			scripts.DsregStatus: ok(fixture(t, "dsregcmd-status-entra-joined.txt")),
		}, nil, true, "2 CAA50021 event(s)", nil},
		{"healthy", map[string]pshost.Result{
			scripts.AADEvents:   ok(""),
			scripts.DsregStatus: ok(box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO") + box("SSO State", "AzureAdPrt", "YES")),
		}, nil, false, "primary refresh token is present", nil},
		{"an unreadable event log fails closed", map[string]pshost.Result{
			scripts.AADEvents:   ok("garbage"),
			scripts.DsregStatus: ok(box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO") + box("SSO State", "AzureAdPrt", "YES")),
		}, nil, true, "assumed present", nil},
		{"dsregcmd exits non-zero", map[string]pshost.Result{
			scripts.AADEvents:   ok(""),
			scripts.DsregStatus: {Stdout: fixture(t, "dsregcmd-status-entra-joined.txt"), ExitCode: 1, Stderr: "Access is denied."},
		}, nil, false, "exited 1: Access is denied.", nil},
		{"host error on the events", nil, map[string]error{scripts.AADEvents: hostErr}, false, "", hostErr},
		{"host error on dsregcmd", map[string]pshost.Result{scripts.AADEvents: ok("")}, map[string]error{scripts.DsregStatus: hostErr}, false, "", hostErr},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := &fakeRunner{out: c.out, fail: c.fail}
			s, _, err := CheckSymptom(context.Background(), r, since)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) || !strings.HasPrefix(err.Error(), "check symptom: ") {
					t.Fatalf("err = %v, want it wrapped", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Present != c.present || !strings.Contains(strings.Join(s.Reasons, "; "), c.reason) {
				t.Errorf("present %v, reasons %q; want %v and %q", s.Present, s.Reasons, c.present, c.reason)
			}
		})
	}
}

func TestEventsBeforeBootDoNotMakeTheSymptomPresent(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	ev := []Event{{ID: 1098, Time: base, Message: "Error: 0xCAA50021"}}
	cases := []struct {
		name string
		boot time.Time
		want bool
	}{
		{"event after the boot counts", base.Add(-time.Hour), true},
		{"event before the boot dates the symptom only", base.Add(time.Hour), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := evaluate(symptomInput{events: ev, since: base.Add(-24 * time.Hour), boot: c.boot})
			if s.Present != c.want {
				t.Errorf("Present = %v, want %v (%v)", s.Present, c.want, s.Reasons)
			}
			if !s.First.Equal(base) {
				t.Errorf("First = %v, want the event's time", s.First)
			}
		})
	}
}
