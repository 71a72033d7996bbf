package device

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// gatherCommands are the commands Gather sends, each once, in order.
var gatherCommands = []string{
	scripts.DsregStatus, scripts.DsregHelp, scripts.CmdkeyList, scripts.ClockOffset, scripts.TimeService,
	scripts.WhoamiUser, scripts.WhoamiGroups, scripts.InteractiveUser, scripts.Enrollments, scripts.OfficeC2R,
	scripts.AntiVirus, scripts.NetAdapters, scripts.LastBoot, scripts.Hostname, scripts.AADEvents,
}

// userDevice is a cloud-joined, unmanaged device without a PRT, with
// CAA50021 events, where an elevated administrator runs caafix.
func userDevice(t *testing.T) map[string]pshost.Result {
	return map[string]pshost.Result{
		scripts.DsregStatus:     ok(fixture(t, "dsregcmd-status-entra-joined.txt")),
		scripts.DsregHelp:       ok(fixture(t, "dsregcmd-help.txt")),
		scripts.CmdkeyList:      ok(fixture(t, "cmdkey-list-en-msa.txt")),
		scripts.ClockOffset:     ok(fixture(t, "w32tm-stripchart-full.txt")),
		scripts.TimeService:     ok("Running\n"),
		scripts.WhoamiUser:      ok(fixture(t, "whoami-user.csv")),
		scripts.WhoamiGroups:    ok(fixture(t, "whoami-groups-high.csv")),
		scripts.InteractiveUser: ok("AzureAD\\AlexWilber\n"),
		scripts.Enrollments:     ok(fixture(t, "enrollments-fake-only.csv")),
		scripts.OfficeC2R:       ok(fixture(t, "office-c2r.csv")),
		scripts.AntiVirus:       ok(fixture(t, "antivirus.txt")),
		scripts.NetAdapters:     ok(fixture(t, "netadapters.csv")),
		scripts.LastBoot:        ok(fixture(t, "lastboot.json")),
		scripts.AADEvents:       ok(fixture(t, "aad-events-many.json")),
		scripts.Hostname:        ok("AADJOIN02\n"),
	}
}

// now is 15:00Z on the day of the fixtures' events (13:20 and 14:20).
var now = func() time.Time { return time.Date(2024, 11, 28, 15, 0, 0, 0, time.UTC) }

func gather(t *testing.T, out map[string]pshost.Result, fail map[string]error) (*Facts, *fakeRunner, error) {
	t.Helper()
	r := &fakeRunner{out: out, fail: fail}
	f, err := Gather(context.Background(), r, GatherOptions{Now: now})
	return f, r, err
}

func TestGatherEverythingReadable(t *testing.T) {
	t.Parallel()
	f, r, err := gather(t, userDevice(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.calls, gatherCommands) {
		t.Errorf("commands sent:\n%q\nwant each once:\n%q", r.calls, gatherCommands)
	}
	if f.Dsreg == nil {
		t.Fatal("Dsreg not kept")
	}
	f.Dsreg = nil
	if len(f.Events) != 4 {
		t.Errorf("kept %d events, want the 4 the log holds", len(f.Events))
	}
	f.Events = nil
	want := &Facts{
		Hostname: "AADJOIN02", Join: JoinCloud, Managed: false, ManagedKnown: true, Elevated: true,
		Context: ContextUser, User: `AzureAD\AlexWilber`, PRT: TriNo, DeviceAuthStatus: "SUCCESS",
		ClockSkewS: 0.0027637, ClockKnown: true, TimeService: TimeServiceRunning,
		Credentials:              []string{"MicrosoftAccount:target=SSO_POP_User:user=test@gmail.com", "MicrosoftAccount:target=SSO_POP_Device", "MicrosoftAccount:user=test@gmail.com"},
		Office:                   Office{Installed: true, Platform: "x64", Culture: "en-us"},
		Antivirus:                []string{"Windows Defender", "Sophos Anti-Virus"},
		VPN:                      []string{"PANGP Virtual Ethernet Adapter Secure", "TAP-Windows Adapter V9"},
		LastBoot:                 time.UnixMilli(1732800000000).UTC(),
		CleanupAccountsSupported: true,
		Problems:                 []string{},
	}
	sym := f.Symptom
	f.Symptom = Symptom{}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("facts:\n got %+v\nwant %+v", f, want)
	}
	if !sym.Present || sym.Events != 2 || sym.PRT != "no" || len(sym.Reasons) != 2 {
		t.Errorf("symptom = %+v, want present from 2 events and no PRT", sym)
	}
}

func TestGatherLookback(t *testing.T) {
	t.Parallel()
	out := userDevice(t)
	out[scripts.DsregStatus] = ok(box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO") + box("SSO State", "AzureAdPrt", "YES"))
	cases := []struct {
		name     string
		lookback time.Duration
		events   int
	}{
		{"default 24h sees both events", 0, 2},
		{"1h sees the last", time.Hour, 1},
		{"30m sees none", 30 * time.Minute, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, err := Gather(context.Background(), &fakeRunner{out: out}, GatherOptions{Lookback: c.lookback, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if f.Symptom.Events != c.events || f.Symptom.Present != (c.events > 0) {
				t.Errorf("symptom %+v, want %d events", f.Symptom, c.events)
			}
		})
	}
}

func TestGatherDsregFailing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		result pshost.Result
		says   string
	}{
		{"exits non-zero", pshost.Result{Stdout: fixture(t, "dsregcmd-status-entra-joined.txt"), ExitCode: 1, Stderr: "Access is denied."}, "exited 1: Access is denied."},
		{"prints something else", ok("The term 'dsregcmd' is not recognized"), "Device State"},
		{"prints nothing", ok(""), "Device State"},
		{"prints no join fields", ok(box("Device State")), "no readable AzureAdJoined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := userDevice(t)
			out[scripts.DsregStatus] = c.result
			f, _, err := gather(t, out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f.Join != JoinUnknown || f.PRT != TriUnknown {
				t.Errorf("join %q prt %q, want unknown", f.Join, f.PRT)
			}
			if !strings.Contains(strings.Join(f.Problems, "\n"), c.says) {
				t.Errorf("problems %q do not say %q", f.Problems, c.says)
			}
			if f.Symptom.PRT != "unknown" || f.Symptom.Events != 2 || !f.Symptom.Present {
				t.Errorf("symptom %+v, want it from the events alone", f.Symptom)
			}
		})
	}
}

func TestGatherHostError(t *testing.T) {
	t.Parallel()
	hostErr := &pshost.HostError{Op: "run", Timeout: true, Err: context.DeadlineExceeded}
	for i, cmd := range gatherCommands {
		t.Run(strings.Fields(cmd)[0]+"/"+cmd, func(t *testing.T) {
			t.Parallel()
			f, r, err := gather(t, userDevice(t), map[string]error{cmd: hostErr})
			if f != nil {
				t.Error("facts returned with a host error")
			}
			var he *pshost.HostError
			if !errors.As(err, &he) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want the host error wrapped", err)
			}
			if want := "gather facts: " + cmd + ": "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("err = %q, want prefix %q", err, want)
			}
			if len(r.calls) != i+1 {
				t.Errorf("%d commands sent, want %d: gathering must stop at a host error", len(r.calls), i+1)
			}
		})
	}
}

func TestGatherSystemContext(t *testing.T) {
	t.Parallel()
	out := userDevice(t)
	out[scripts.WhoamiUser] = ok(fixture(t, "whoami-user-system.csv"))
	out[scripts.WhoamiGroups] = ok(fixture(t, "whoami-groups-system.csv"))
	out[scripts.AADEvents] = ok("")
	cases := []struct {
		name string
		user string
		want string
	}{
		{"a user is signed in", "AzureAD\\AlexWilber\r\n", `AzureAD\AlexWilber`},
		{"nobody is signed in", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := maps.Clone(out)
			out[scripts.InteractiveUser] = ok(c.user)
			f, _, err := gather(t, out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f.Context != ContextSystem || !f.Elevated || f.User != c.want {
				t.Errorf("context %q elevated %v user %q; want system, true, %q", f.Context, f.Elevated, f.User, c.want)
			}
			// SYSTEM's AzureAdPrt NO is not the user's: no symptom from it.
			if f.PRT != TriUnknown || f.Symptom.Present || f.Symptom.PRT != "unknown" {
				t.Errorf("prt %q symptom %+v; want unknown and absent", f.PRT, f.Symptom)
			}
			if !strings.Contains(strings.Join(f.Problems, "\n"), "SYSTEM") {
				t.Errorf("problems %q do not explain the unknown PRT", f.Problems)
			}
		})
	}
}

func TestGatherFailsClosed(t *testing.T) {
	t.Parallel()
	out := map[string]pshost.Result{}
	for _, cmd := range gatherCommands {
		out[cmd] = pshost.Result{Stdout: "\x00garbage\x07", Stderr: "something failed", ExitCode: 1}
	}
	f, _, err := gather(t, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Facts{
		Join: JoinUnknown, PRT: TriUnknown, Context: ContextUnknown, TimeService: TimeServiceUnknown,
	}
	got := *f
	got.Problems, got.Symptom = nil, Symptom{}
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("facts:\n got %+v\nwant %+v", &got, want)
	}
	for _, fact := range []string{"join", "cleanupaccounts_supported", "credentials", "clock_skew_s", "time_service", "context", "elevated", "user", "managed", "office", "antivirus", "vpn", "last_boot", "aad events"} {
		if !strings.Contains(strings.Join(f.Problems, "\n"), fact+": ") {
			t.Errorf("no problem for %s in %q", fact, f.Problems)
		}
	}
	if !f.Symptom.Present {
		t.Error("an unreadable event log must not read as healthy")
	}
}

func TestGatherEmptyButReadable(t *testing.T) {
	t.Parallel()
	out := userDevice(t)
	out[scripts.CmdkeyList] = ok("Currently stored credentials:\n\n* NONE *\n")
	out[scripts.Enrollments] = pshost.Result{} // no subkeys: PowerShell prints nothing
	out[scripts.OfficeC2R] = pshost.Result{}   // no key; $? is false under SilentlyContinue
	out[scripts.AntiVirus] = pshost.Result{}
	f, _, err := gather(t, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Credentials == nil || len(f.Credentials) != 0 || f.Antivirus == nil || len(f.Antivirus) != 0 {
		t.Errorf("credentials %#v antivirus %#v, want empty lists that were read", f.Credentials, f.Antivirus)
	}
	if !f.ManagedKnown || f.Managed || f.Office.Installed {
		t.Errorf("managed %v known %v office %+v; want unmanaged, known, no Office", f.Managed, f.ManagedKnown, f.Office)
	}
	if len(f.Problems) != 0 {
		t.Errorf("problems %q, want none", f.Problems)
	}
}

func TestFactsJSON(t *testing.T) {
	t.Parallel()
	f, _, err := gather(t, userDevice(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"join", "managed", "managed_known", "elevated", "context", "user", "prt", "device_auth_status",
		"clock_skew_s", "clock_known", "time_service", "credentials", "office", "antivirus", "vpn", "last_boot",
		"cleanupaccounts_supported", "symptom", "problems", "hostname"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if m["join"] != "cloud" || m["prt"] != "no" || m["context"] != "user" {
		t.Errorf("join %v prt %v context %v", m["join"], m["prt"], m["context"])
	}
	if strings.Contains(string(b), "Dsreg") || strings.Contains(string(b), "KeyContainerId") {
		t.Error("the dsregcmd status leaked into the JSON")
	}
}

func TestGatherWhosePRT(t *testing.T) {
	t.Parallel()
	named := fixture(t, "dsregcmd-status-entra-joined.txt") // Executing Account Name: AADJOIN02\PCUser
	unnamed := box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO") + box("SSO State", "AzureAdPrt", "NO")
	asSystem := strings.Replace(named, `AADJOIN02\PCUser`, `NT AUTHORITY\SYSTEM`, 1)
	cases := []struct {
		name    string
		whoami  string
		dsreg   string
		prt     Tri
		present bool
		problem string
	}{
		{"a user, named by dsregcmd", fixture(t, "whoami-user.csv"), named, TriNo, true, ""},
		{"a user, not named by dsregcmd", fixture(t, "whoami-user.csv"), unnamed, TriNo, true, ""},
		{"whoami unreadable, dsregcmd names a user", "garbage", named, TriNo, true, ""},
		{"whoami unreadable, dsregcmd names nobody", "garbage", unnamed, TriUnknown, false, "whose SSO state"},
		{"whoami unreadable, dsregcmd ran as SYSTEM", "garbage", asSystem, TriUnknown, false, "ran as SYSTEM"},
		{"whoami says SYSTEM, dsregcmd names nobody", fixture(t, "whoami-user-system.csv"), unnamed, TriUnknown, false, "ran as SYSTEM"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := userDevice(t)
			out[scripts.WhoamiUser] = ok(c.whoami)
			out[scripts.DsregStatus] = ok(c.dsreg)
			out[scripts.AADEvents] = ok("")
			f, _, err := gather(t, out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f.PRT != c.prt || f.Symptom.Present != c.present || f.Symptom.PRT != string(c.prt) {
				t.Errorf("prt %q symptom %+v; want prt %q, present %v", f.PRT, f.Symptom, c.prt, c.present)
			}
			problems := strings.Join(f.Problems, "\n")
			if c.problem != "" && !strings.Contains(problems, "prt: ") || !strings.Contains(problems, c.problem) {
				t.Errorf("problems %q, want a prt problem mentioning %q", f.Problems, c.problem)
			}
			if c.problem == "" && strings.Contains(problems, "prt: ") {
				t.Errorf("problems %q, want no prt problem", f.Problems)
			}
		})
	}
}
