package device

import (
	"strings"
	"testing"
)

func TestParseWhoamiUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		text   string
		want   Account
		system bool
	}{
		{"a user", fixture(t, "whoami-user.csv"), Account{Name: `desktop-7h2k\alex`, SID: "S-1-5-21-1004336348-1177238915-682003330-1001"}, false},
		{"SYSTEM", fixture(t, "whoami-user-system.csv"), Account{Name: `nt authority\system`, SID: SIDLocalSystem}, true},
		{"SYSTEM in German is SYSTEM by SID", `"nt-autorität\system","S-1-5-18"`, Account{Name: `nt-autorität\system`, SID: SIDLocalSystem}, true},
		{"network service is a service account", `"nt authority\network service","S-1-5-20"`, Account{Name: `nt authority\network service`, SID: SIDNetworkService}, true},
		{"an account named system is not SYSTEM", `"contoso\system","S-1-5-21-1-2-3-1105"`, Account{Name: `contoso\system`, SID: "S-1-5-21-1-2-3-1105"}, false},
	}
	for _, c := range cases {
		for vname, text := range variants(c.text) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				got, err := ParseWhoamiUser(text)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want || got.System() != c.system {
					t.Errorf("got %+v (system %v), want %+v (system %v)", got, got.System(), c.want, c.system)
				}
			})
		}
	}
}

func TestParseWhoamiUserRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, text string }{
		{"empty", ""},
		{"the table format", "USER INFORMATION\n----------------\n\nUser Name           SID\n=================== ========\nnt authority\\system S-1-5-18\n"},
		{"no SID", `"desktop\alex","nobody"`},
		{"broken CSV", `"desktop\alex,"S-1-5-18"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseWhoamiUser(c.text); err == nil || !strings.Contains(err.Error(), "whoami /user") {
				t.Fatalf("err = %v, want a whoami /user error", err)
			}
		})
	}
}

func TestParseWhoamiGroups(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		text     string
		want     Integrity
		elevated bool
	}{
		{"elevated administrator", fixture(t, "whoami-groups-high.csv"), IntegrityHigh, true},
		{"SYSTEM", fixture(t, "whoami-groups-system.csv"), IntegritySystem, true},
		{"German non-elevated administrator", fixture(t, "whoami-groups-medium-de.csv"), IntegrityMedium, false},
		{"medium plus is not elevated", `"Mandatory Label\Medium Plus Mandatory Level","Label","S-1-16-8448",""`, IntegrityMediumPlus, false},
		{"low", `"Mandatory Label\Low Mandatory Level","Label","S-1-16-4096",""`, IntegrityLow, false},
	}
	for _, c := range cases {
		for vname, text := range variants(c.text) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				got, err := ParseWhoamiGroups(text)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want || got.Elevated() != c.elevated {
					t.Errorf("got %d (elevated %v), want %d (elevated %v)", got, got.Elevated(), c.want, c.elevated)
				}
			})
		}
	}
}

func TestParseWhoamiGroupsRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, text, says string }{
		{"empty", "", "S-1-16-"},
		{"no label", `"Everyone","Well-known group","S-1-1-0","Mandatory group"`, "S-1-16-"},
		{"a label SID beyond int", `"x","Label","S-1-16-99999999999999999999",""`, "out of range"},
		{"broken CSV", `"Everyone,"x"`, "not CSV"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseWhoamiGroups(c.text); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want one that mentions %q", err, c.says)
			}
		})
	}
}

func FuzzParseWhoamiUser(f *testing.F) {
	f.Add(fixture(f, "whoami-user.csv"))
	f.Add(fixture(f, "whoami-user-system.csv"))
	f.Fuzz(func(t *testing.T, text string) {
		a, err := ParseWhoamiUser(text)
		if err == nil && !sidPattern.MatchString(a.SID) {
			t.Fatalf("SID %q is not a SID", a.SID)
		}
	})
}

func FuzzParseWhoamiGroups(f *testing.F) {
	f.Add(fixture(f, "whoami-groups-high.csv"))
	f.Add(fixture(f, "whoami-groups-medium-de.csv"))
	f.Fuzz(func(t *testing.T, text string) {
		il, err := ParseWhoamiGroups(text)
		if err != nil && il != 0 {
			t.Fatal("a level returned with an error")
		}
		if err == nil && il < 0 {
			t.Fatalf("level %d", il)
		}
	})
}
