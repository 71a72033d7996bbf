package device

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

func TestAADErrorsOfTheRealEvent(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	events := []Event{
		{ID: 1098, Time: at, Message: fixture(t, "aad-event-1098.txt")},
		{ID: 1098, Time: at.Add(time.Hour), Message: fixture(t, "aad-event-1098.txt")},
		{ID: 1104, Time: at.Add(2 * time.Hour), Message: "Error: 0xCAA20004\r\nDescription: AADSTS53000: Device is not in required device state: compliant."},
		{ID: 1097, Time: at.Add(3 * time.Hour), Message: "Error: 0xCAA70007 not a token error event"},
		{ID: 1098, Time: at.Add(-48 * time.Hour), Message: "Error: 0xCAA20003 too old"},
	}
	got := AADErrors(events, at.Add(-time.Hour))
	want := []AADError{
		{Code: "0x80070520", Events: 2, Last: at.Add(time.Hour)},
		{Code: CodeBroker, Meaning: CodeMeaning(CodeBroker), Events: 2, Last: at.Add(time.Hour)},
		{Code: CodeCAPolicy, Meaning: CodeMeaning(CodeCAPolicy), Events: 1, Last: at.Add(2 * time.Hour)},
		{Code: CodeNotCompliant, Meaning: CodeMeaning(CodeNotCompliant), Events: 1, Last: at.Add(2 * time.Hour)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AADErrors =\n%+v\nwant\n%+v", got, want)
	}
}

func TestDsregDetails(t *testing.T) {
	t.Parallel()
	joined, err := ParseDsregStatus(fixture(t, "dsregcmd-status-entra-joined.txt"))
	if err != nil {
		t.Fatal(err)
	}
	registered, err := ParseDsregStatus(fixture(t, "dsregcmd-status-entra-registered.txt"))
	if err != nil {
		t.Fatal(err)
	}
	hybrid, err := ParseDsregStatus(fixture(t, "dsregcmd-status-hybrid-joined.txt"))
	if err != nil {
		t.Fatal(err)
	}
	jc, jerr := joined.DeviceCertificate()
	rc, rerr := registered.DeviceCertificate()
	_, herr := hybrid.DeviceCertificate()
	user, _ := ParseDsregStatus(box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO") +
		box("SSO State", "AzureAdPrt", "YES", "AzureAdPrtUpdateTime", "2026-11-28 16:03:12.000 UTC") +
		box("Diagnostic Data", "Executing Account Name", `AzureAD\john, john@contoso.com`, "KeySignTest", "PASSED") +
		box("Pre-Join Tests", "DRS Discovery Test", "FAIL [0x801c0021]", "AD Connectivity Test", "PASS"))
	cases := []struct {
		name      string
		got, want any
	}{
		{"joined certificate read", jerr, error(nil)},
		{"joined certificate from", jc.From, time.Date(2022, 1, 28, 11, 15, 49, 0, time.UTC)},
		{"joined certificate to", jc.To, time.Date(2032, 1, 28, 11, 45, 49, 0, time.UTC)},
		{"valid inside its window", jc.ValidAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), TriYes},
		{"expired after its window", jc.ValidAt(time.Date(2033, 1, 1, 0, 0, 0, 0, time.UTC)), TriNo},
		{"unknown window is unknown", CertValidity{}.ValidAt(time.Now()), TriUnknown},
		{"registered certificate from the work account", rc.From, time.Date(2021, 12, 7, 15, 28, 54, 0, time.UTC)},
		{"registered certificate read", rerr, error(nil)},
		{"hybrid sample prints no certificate", herr != nil, true},
		{"TPM NO", joined.TPMProtected(), TriNo},
		{"a registered device has no Device Details TPM", registered.TPMProtected(), TriUnknown},
		{"no PRT update time without a PRT", joined.PRTUpdateTime(), time.Time{}},
		{"PRT update time", user.PRTUpdateTime(), time.Date(2026, 11, 28, 16, 3, 12, 0, time.UTC)},
		{"KeySignTest of the real capture", joined.DiagnosticTests(), []Field{{"KeySignTest", "PASSED"}}},
		{"pre-join tests count too", len(user.DiagnosticTests()), 3},
		{"failed tests", FailedTests(user.DiagnosticTests()), []Field{{"DRS Discovery Test", "FAIL [0x801c0021]"}}},
		{"UPN of the executing account", user.ExecutingUPN(), "john@contoso.com"},
		{"no UPN without one", joined.ExecutingUPN(), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestParseSignInProbe(t *testing.T) {
	t.Parallel()
	date := time.Date(2026, 11, 28, 17, 50, 10, 0, time.UTC)
	cases := []struct {
		name           string
		stdout, stderr string
		want           SignIn
		wantErr        bool
	}{
		{"headers with a Date", fixture(t, "signin-headers.json"), "", SignIn{Reachable: TriYes, Date: date}, false},
		{"header names are case-insensitive", `{"date":"Sat, 28 Nov 2026 17:50:10 GMT"}`, "", SignIn{Reachable: TriYes, Date: date}, false},
		{"no Date header", `{"Pragma":"no-cache"}`, "", SignIn{Reachable: TriYes}, false},
		{"unable to connect", "", "Unable to connect to the remote server\r\n", SignIn{Reachable: TriNo, Error: "Unable to connect to the remote server"}, false},
		{"TLS interception", "", "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.",
			SignIn{Reachable: TriNo, Error: "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel."}, false},
		{"an HTTP error status is an answer", "", "The remote server returned an error: (405) Method Not Allowed.",
			SignIn{Reachable: TriYes, Error: "The remote server returned an error: (405) Method Not Allowed."}, false},
		{"the error view's prefix is dropped", "", "Invoke-WebRequest : The operation has timed out", SignIn{Reachable: TriNo, Error: "The operation has timed out"}, false},
		{"nothing at all", "", "", SignIn{Reachable: TriUnknown}, true},
		{"not JSON", "StatusCode : 200", "", SignIn{Reachable: TriUnknown}, true},
		{"a Date that is not a date", `{"Date":"yesterday"}`, "", SignIn{Reachable: TriYes}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSignInProbe(c.stdout, c.stderr)
			if (err != nil) != c.wantErr {
				t.Fatalf("error %v, want error %v", err, c.wantErr)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseAppxPackages(t *testing.T) {
	t.Parallel()
	for name, text := range variants(fixture(t, "appx-brokerplugin.csv")) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ps, err := ParseAppxPackages(text)
			if err != nil {
				t.Fatal(err)
			}
			if ok, detail := BrokerPluginRegistered(ps); !ok || !strings.Contains(detail, "cw5n1h2txyewy") {
				t.Errorf("registered %v: %s", ok, detail)
			}
		})
	}
	cases := []struct {
		name string
		text string
		ok   bool
	}{
		{"nothing printed: not registered", "", false},
		{"registered but damaged", "\"Name\",\"PackageFullName\",\"Status\"\r\n\"Microsoft.AAD.BrokerPlugin\",\"x\",\"Tampered\"\r\n", false},
		{"another package only", "\"Name\",\"PackageFullName\",\"Status\"\r\n\"Microsoft.Windows.Photos\",\"y\",\"Ok\"\r\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ps, err := ParseAppxPackages(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := BrokerPluginRegistered(ps); ok != c.ok {
				t.Errorf("registered %v, want %v", ok, c.ok)
			}
		})
	}
	if _, err := ParseAppxPackages("Name : Microsoft.AAD.BrokerPlugin"); err == nil {
		t.Error("a list view parsed as CSV")
	}
}

func TestStaleOfficeTargets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		target string
		stale  bool
	}{
		{"the user's own", "MicrosoftOffice16_Data:SSPI:alex@contoso.com", false},
		{"case does not matter", "MicrosoftOffice16_Data:SSPI:Alex@Contoso.com", false},
		{"an old UPN", "MicrosoftOffice16_Data:SSPI:alex.wilber@contoso.com", true},
		{"an orgid target of another account", "MicrosoftOffice16_Data:orgid:bob@fabrikam.com", true},
		{"an ADAL target names no account", "MicrosoftOffice16_Data:ADAL:3c1d7e5a-0000-4b2e-9f00-6a1b2c3d4e5f", false},
		{"a Microsoft account is personal", "MicrosoftAccount:user=alex@outlook.com", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := staleFor(c.target, "alex@contoso.com"); got != c.stale {
				t.Errorf("stale %v, want %v", got, c.stale)
			}
		})
	}
}

func TestThirdPartyAV(t *testing.T) {
	t.Parallel()
	got := ThirdPartyAV([]string{"Windows Defender", "Microsoft Defender Antivirus", "Contoso Endpoint Shield"})
	if !reflect.DeepEqual(got, []string{"Contoso Endpoint Shield"}) {
		t.Errorf("got %v", got)
	}
	if ThirdPartyAV(nil) != nil {
		t.Error("an unknown list became known")
	}
}

// evidenceFacts are the facts of a user-context device whose clock could
// not be measured by NTP.
func evidenceFacts(t *testing.T) *Facts {
	t.Helper()
	st, err := ParseDsregStatus(box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO") +
		box("Device Details", "DeviceCertificateValidity", "[ 2022-01-28 11:15:49.000 UTC -- 2032-01-28 11:45:49.000 UTC ]", "TpmProtected", "YES", "DeviceAuthStatus", "SUCCESS") +
		box("SSO State", "AzureAdPrt", "NO") +
		box("Diagnostic Data", "Executing Account Name", `AzureAD\alex, alex@contoso.com`, "KeySignTest", "PASSED"))
	if err != nil {
		t.Fatal(err)
	}
	return &Facts{Join: JoinCloud, PRT: TriNo, Context: ContextUser, DeviceAuthStatus: "SUCCESS", Dsreg: st,
		Credentials: []string{"MicrosoftOffice16_Data:SSPI:alex@contoso.com", "MicrosoftOffice16_Data:SSPI:alex.wilber@contoso.com", "git:https://example.org"},
		Antivirus:   []string{"Windows Defender"}, VPN: []string{}, ManagedKnown: true,
		Symptom: Symptom{Present: true}, Problems: []string{"clock_skew_s: w32tm: error: 0x800705B4"}}
}

func TestGatherEvidenceFallsBackToTheDateHeader(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 18, 10, 10, 0, time.UTC) // 20 minutes ahead of the header
	r := &fakeRunner{out: map[string]pshost.Result{
		scripts.SignInProbe:  ok(fixture(t, "signin-headers.json")),
		scripts.BrokerPlugin: ok(fixture(t, "appx-brokerplugin.csv")),
	}}
	ev, err := GatherEvidence(context.Background(), r, evidenceFacts(t), EvidenceOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if !ev.ClockKnown || ev.ClockSkewS != 1200 || ev.ClockSource != ClockSignInDate {
		t.Errorf("clock %v %v %q", ev.ClockKnown, ev.ClockSkewS, ev.ClockSource)
	}
	if ev.SignIn.Reachable != TriYes || ev.BrokerPlugin != TriYes || ev.TPMProtected != TriYes || ev.DeviceCertValid != TriYes {
		t.Errorf("sign-in %v, plug-in %v, TPM %v, certificate %v", ev.SignIn.Reachable, ev.BrokerPlugin, ev.TPMProtected, ev.DeviceCertValid)
	}
	if ev.UserUPN != "alex@contoso.com" || !reflect.DeepEqual(ev.StaleOfficeCredentials, []string{"MicrosoftOffice16_Data:SSPI:alex.wilber@contoso.com"}) {
		t.Errorf("UPN %q, stale %v", ev.UserUPN, ev.StaleOfficeCredentials)
	}
	if len(ev.Antivirus) != 0 {
		t.Errorf("Defender counted as third-party: %v", ev.Antivirus)
	}
	if want := []string{scripts.SignInProbe, scripts.BrokerPlugin}; !reflect.DeepEqual(r.calls, want) {
		t.Errorf("sent %q, want %q", r.calls, want)
	}
}

func TestGatherEvidenceFailsClosed(t *testing.T) {
	t.Parallel()
	f := evidenceFacts(t)
	f.Context = ContextSystem
	r := &fakeRunner{out: map[string]pshost.Result{
		scripts.SignInProbe: {Stderr: "Unable to connect to the remote server\r\n"},
	}}
	ev, err := GatherEvidence(context.Background(), r, f)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ClockKnown || ev.SignIn.Reachable != TriNo {
		t.Errorf("clock known %v, sign-in %v", ev.ClockKnown, ev.SignIn.Reachable)
	}
	if ev.BrokerPlugin != TriUnknown || !strings.Contains(strings.Join(ev.Problems, "\n"), "broker_plugin: caafix does not run as the user") {
		t.Errorf("plug-in %v as SYSTEM; problems %q", ev.BrokerPlugin, ev.Problems)
	}
	if len(r.calls) != 1 {
		t.Errorf("sent %q: as SYSTEM Get-AppxPackage would list SYSTEM's packages", r.calls)
	}

	hostErr := &fakeRunner{fail: map[string]error{scripts.SignInProbe: errors.New("host died")}}
	if _, err := GatherEvidence(context.Background(), hostErr, evidenceFacts(t)); err == nil {
		t.Error("a host error was swallowed")
	}
}

func FuzzParseSignInProbe(f *testing.F) {
	f.Add(fixture(f, "signin-headers.json"), "")
	f.Add("", "Unable to connect to the remote server")
	f.Fuzz(func(t *testing.T, stdout, stderr string) {
		s, err := ParseSignInProbe(stdout, stderr)
		if s.Reachable == TriNo && !s.Date.IsZero() {
			t.Fatal("a Date from an endpoint that did not answer")
		}
		if err == nil && s.Reachable == TriUnknown {
			t.Fatal("unknown reachability without an error")
		}
	})
}

func FuzzParseAppxPackages(f *testing.F) {
	f.Add(fixture(f, "appx-brokerplugin.csv"))
	f.Fuzz(func(t *testing.T, text string) {
		ps, err := ParseAppxPackages(text)
		if err != nil && ps != nil {
			t.Fatal("packages returned with an error")
		}
	})
}

func FuzzDsregDetails(f *testing.F) {
	f.Add(fixture(f, "dsregcmd-status-entra-joined.txt"))
	f.Fuzz(func(t *testing.T, text string) {
		st, err := ParseDsregStatus(text)
		if err != nil {
			return
		}
		if c, err := st.DeviceCertificate(); err == nil && !c.Known() {
			t.Fatal("a certificate window read without both ends")
		}
		for _, f := range FailedTests(st.DiagnosticTests()) {
			if !strings.HasPrefix(strings.ToUpper(f.Value), "FAIL") {
				t.Fatal("a passed test listed as failed")
			}
		}
	})
}
