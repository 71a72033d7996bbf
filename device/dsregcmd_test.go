package device

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDsregStatusFixtures(t *testing.T) {
	t.Parallel()
	type get struct {
		section, label, want string
		present              bool
	}
	cases := []struct {
		name       string
		file       string
		join       Join
		prt        Tri
		authStatus string
		tenant     string
		device     string
		gets       []get
	}{
		{
			name: "entra joined is cloud without PRT", file: "dsregcmd-status-entra-joined.txt",
			join: JoinCloud, prt: TriNo, authStatus: "SUCCESS", tenant: "Contoso", device: "AADJoin02",
			gets: []get{
				{"Tenant Details", "MdmUrl", "", true},
				{"Tenant Details", "AuthCodeUrl", "https://login.microsoftonline.com/c5ff949d-2696-4b68-9e13-055f19ed2d51/oauth2/authorize", true},
				{"Device Details", "DeviceCertificateValidity", "[ 2022-01-28 11:15:49.000 UTC -- 2032-01-28 11:45:49.000 UTC ]", true},
				{"Diagnostic Data", "Executing Account Name", `AADJOIN02\PCUser`, true},
				{"Device State", "NoSuchLabel", "", false},
			},
		},
		{
			name: "hybrid joined is hybrid", file: "dsregcmd-status-hybrid-joined.txt",
			join: JoinHybrid, prt: TriNo, authStatus: "", tenant: "", device: "",
			gets: []get{
				{"Device State", "DomainName", "HYBRIDADFS", true},
				{"SSO State", "Server Error Description", "AADSTS50126: Error validating credentials due to invalid username or password.", true},
				{"SSO State", "Previous Prt Attempt", "2020-07-18 20:10:33.789 UTC", true},
				{"User State", "WamDefaultGUID", "{ B16898C6-A148-4967-9171-64D755DA8520 } (AzureAd)", true},
			},
		},
		{
			name: "registered keeps Work Account 1 apart from User State", file: "dsregcmd-status-entra-registered.txt",
			join: JoinRegistered, prt: TriNo, authStatus: "", tenant: "Almaviva SpA", device: "Vagabondo",
			gets: []get{
				{"User State", "NgcSet", "NO", true},
				{"User State", "WorkplaceJoined", "YES", true},
				{"User State", "KeyContainerId", "", false},
				{"Work Account 1", "KeyContainerId", "638b98ed-aed5-4e21-af90-718f0c8bddf8", true},
				{"Work Account 1", "NgcSet", "NO", true},
				{"Work Account 1", "WorkplaceMdmUrl", "", true},
				{"Ngc Prerequisite Check", "PreReqResult", "WillNotProvision", true},
				{"IE Proxy Config for Current User", "Auto-Configuration URL", "", true},
			},
		},
	}
	for _, c := range cases {
		for vname, text := range variants(fixture(t, c.file)) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				st, err := ParseDsregStatus(text)
				if err != nil {
					t.Fatal(err)
				}
				if got := st.Join(); got != c.join {
					t.Errorf("Join() = %q, want %q", got, c.join)
				}
				if got := st.PRT(); got != c.prt {
					t.Errorf("PRT() = %q, want %q", got, c.prt)
				}
				if got := st.DeviceAuthStatus(); got != c.authStatus {
					t.Errorf("DeviceAuthStatus() = %q, want %q", got, c.authStatus)
				}
				if got := st.TenantName(); got != c.tenant {
					t.Errorf("TenantName() = %q, want %q", got, c.tenant)
				}
				if got := st.DeviceName(); got != c.device {
					t.Errorf("DeviceName() = %q, want %q", got, c.device)
				}
				if st.RanAsSystem() {
					t.Error("RanAsSystem() = true for a user's capture")
				}
				for _, g := range c.gets {
					v, ok := st.Get(g.section, g.label)
					if v != g.want || ok != g.present {
						t.Errorf("Get(%q, %q) = %q, %v; want %q, %v", g.section, g.label, v, ok, g.want, g.present)
					}
				}
			})
		}
	}
}

func TestDsregStatusSections(t *testing.T) {
	t.Parallel()
	st, err := ParseDsregStatus(fixture(t, "dsregcmd-status-entra-registered.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := "Device State|User State|SSO State|Work Account 1|IE Proxy Config for Current User|WinHttp Default Proxy Config|Ngc Prerequisite Check"
	if got := strings.Join(st.Sections(), "|"); got != want {
		t.Errorf("Sections() = %s\nwant %s", got, want)
	}
	if n := len(st.Fields("Work Account 1")); n != 11 {
		t.Errorf("Work Account 1 has %d fields, want 11", n)
	}
	if st.Fields("No Such Section") != nil {
		t.Error("Fields of a missing section is not nil")
	}
}

func TestDsregStatusJoin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want Join
	}{
		{"AzureAdJoined YES DomainJoined NO is cloud", box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO"), JoinCloud},
		{"both YES is hybrid", box("Device State", "AzureAdJoined", "YES", "DomainJoined", "YES"), JoinHybrid},
		{"domain only is domain", box("Device State", "AzureAdJoined", "NO", "DomainJoined", "YES"), JoinDomain},
		{"domain joined with a registered account stays domain",
			box("Device State", "AzureAdJoined", "NO", "DomainJoined", "YES") + box("User State", "WorkplaceJoined", "YES"), JoinDomain},
		{"not joined and WorkplaceJoined YES is registered",
			box("Device State", "AzureAdJoined", "NO", "DomainJoined", "NO") + box("User State", "WorkplaceJoined", "YES"), JoinRegistered},
		{"all NO is none",
			box("Device State", "AzureAdJoined", "NO", "DomainJoined", "NO") + box("User State", "WorkplaceJoined", "NO"), JoinNone},
		{"not joined without User State is unknown", box("Device State", "AzureAdJoined", "NO", "DomainJoined", "NO"), JoinUnknown},
		{"missing DomainJoined is unknown", box("Device State", "AzureAdJoined", "YES"), JoinUnknown},
		{"empty AzureAdJoined is unknown", box("Device State", "AzureAdJoined", "", "DomainJoined", "NO"), JoinUnknown},
		{"a value other than YES or NO is unknown", box("Device State", "AzureAdJoined", "MAYBE", "DomainJoined", "NO"), JoinUnknown},
		{"lower-case yes is read", box("Device State", "AzureAdJoined", "yes", "DomainJoined", "no"), JoinCloud},
		{"AzureAdJoined in the wrong section is not read",
			box("Device State", "DomainJoined", "NO") + box("User State", "AzureAdJoined", "YES"), JoinUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st, err := ParseDsregStatus(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Join(); got != c.want {
				t.Errorf("Join() = %q, want %q", got, c.want)
			}
		})
	}
}

func TestDsregStatusPRT(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want Tri
	}{
		{"AzureAdPrt YES", box("Device State") + box("SSO State", "AzureAdPrt", "YES"), TriYes},
		{"AzureAdPrt NO", box("Device State") + box("SSO State", "AzureAdPrt", "NO"), TriNo},
		{"no SSO State is unknown", box("Device State"), TriUnknown},
		{"empty AzureAdPrt is unknown", box("Device State") + box("SSO State", "AzureAdPrt", ""), TriUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st, err := ParseDsregStatus(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.PRT(); got != c.want {
				t.Errorf("PRT() = %q, want %q", got, c.want)
			}
		})
	}
}

func TestDsregStatusRanAsSystem(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		account string
		want    bool
	}{
		{"English SYSTEM", `NT AUTHORITY\SYSTEM`, true},
		{"German domain part", `NT-AUTORITÄT\SYSTEM`, true},
		{"a user", `AADJOIN02\PCUser`, false},
		{"a user named like the account", `CONTOSO\SYSTEMS`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st, err := ParseDsregStatus(box("Device State") + box("Diagnostic Data", "Executing Account Name", c.account))
			if err != nil {
				t.Fatal(err)
			}
			if got := st.RanAsSystem(); got != c.want {
				t.Errorf("RanAsSystem() = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseDsregStatusRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
	}{
		{"empty", ""},
		{"blank lines", "\r\n   \r\n"},
		{"dsregcmd /listaccounts", fixture(t, "dsregcmd-listaccounts.txt")},
		{"dsregcmd /?", fixture(t, "dsregcmd-help.txt")},
		{"an error message", "The term 'dsregcmd' is not recognized as the name of a cmdlet"},
		{"fields without sections", "AzureAdJoined : YES\nDomainJoined : NO\n"},
		{"another section only", box("SSO State", "AzureAdPrt", "YES")},
		{"a title without its border", "| Device State |\nAzureAdJoined : YES\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseDsregStatus(c.text)
			if !errors.Is(err, ErrNotDsregStatus) {
				t.Fatalf("err = %v, want ErrNotDsregStatus", err)
			}
			if !strings.Contains(err.Error(), "Device State") {
				t.Errorf("error %q does not say what was expected", err)
			}
		})
	}
}

func FuzzParseDsregStatus(f *testing.F) {
	for _, name := range []string{"dsregcmd-status-entra-joined.txt", "dsregcmd-status-hybrid-joined.txt", "dsregcmd-status-entra-registered.txt", "dsregcmd-help.txt"} {
		f.Add(fixture(f, name))
	}
	f.Add(box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO"))
	f.Fuzz(func(t *testing.T, text string) {
		st, err := ParseDsregStatus(text)
		if err != nil {
			if st != nil {
				t.Fatal("status returned with an error")
			}
			return
		}
		if _, ok := st.find("Device State"); !ok {
			t.Fatal("parsed without a Device State section")
		}
		switch st.Join() {
		case JoinCloud, JoinHybrid, JoinRegistered, JoinDomain, JoinNone, JoinUnknown:
		default:
			t.Fatalf("Join() = %q", st.Join())
		}
		switch st.PRT() {
		case TriYes, TriNo, TriUnknown:
		default:
			t.Fatalf("PRT() = %q", st.PRT())
		}
		for _, s := range st.Sections() {
			for _, fl := range st.Fields(s) {
				if fl.Label == "" || fl.Label != strings.TrimSpace(fl.Label) || fl.Value != strings.TrimSpace(fl.Value) {
					t.Fatalf("field %q = %q not trimmed", fl.Label, fl.Value)
				}
			}
		}
	})
}
