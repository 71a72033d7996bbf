package device

import (
	"strings"
	"testing"
)

func TestParseEnrollments(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		text    string
		rows    int
		managed bool
	}{
		{"Intune enrollment", fixture(t, "enrollments-intune.csv"), 6, true},
		{"only the fake all-F entry", fixture(t, "enrollments-fake-only.csv"), 5, false},
		{"no subkeys prints nothing", "", 0, false},
		{"with braces and lower case", "\"PSChildName\",\"ProviderID\"\r\n\"{ffffffff-ffff-ffff-ffff-ffffffffffff}\",\"MS DM Server\"\r\n", 1, false},
		{"provider matched without regard to case", "\"PSChildName\",\"ProviderID\"\n\"7C1C9D8B-3A4E-4F8B-9B1E-2F3A5C6D7E8F\",\"ms dm server\"\n", 1, true},
		{"another provider is not MDM", "\"PSChildName\",\"ProviderID\"\n\"7C1C9D8B-3A4E-4F8B-9B1E-2F3A5C6D7E8F\",\"SCCM\"\n", 1, false},
		{"a #TYPE line is skipped", "#TYPE Selected.Microsoft.PowerShell.Commands.GetItemPropertyCommand\n\"PSChildName\",\"ProviderID\"\n\"7C1C9D8B-3A4E-4F8B-9B1E-2F3A5C6D7E8F\",\"MS DM Server\"\n", 1, true},
		{"columns in another order", "\"ProviderID\",\"PSChildName\"\n\"MS DM Server\",\"7C1C9D8B-3A4E-4F8B-9B1E-2F3A5C6D7E8F\"\n", 1, true},
	}
	for _, c := range cases {
		for vname, text := range variants(c.text) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				es, err := ParseEnrollments(text)
				if err != nil {
					t.Fatal(err)
				}
				if len(es) != c.rows || MDMEnrolled(es) != c.managed {
					t.Errorf("got %d rows, managed %v; want %d, %v", len(es), MDMEnrolled(es), c.rows, c.managed)
				}
			})
		}
	}
}

func TestParseEnrollmentsRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, text, says string }{
		{"wrong columns", "\"Name\",\"Value\"\n\"a\",\"b\"\n", `"PSChildName","ProviderID"`},
		{"the list format", "PSChildName : Context\nProviderID  :\n", "header"},
		{"empty subkey name", "\"PSChildName\",\"ProviderID\"\n\"\",\"MS DM Server\"\n", "empty PSChildName"},
		{"broken CSV", "\"PSChildName\",\"ProviderID\"\n\"abc,\"x\"\n", "not CSV"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseEnrollments(c.text); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want one that mentions %q", err, c.says)
			}
		})
	}
}

func FuzzParseEnrollments(f *testing.F) {
	f.Add(fixture(f, "enrollments-intune.csv"))
	f.Add(fixture(f, "enrollments-fake-only.csv"))
	f.Fuzz(func(t *testing.T, text string) {
		es, err := ParseEnrollments(text)
		if err != nil {
			return
		}
		managed := false
		for _, e := range es {
			if e.ID == "" {
				t.Fatal("enrollment without an ID")
			}
			managed = managed || MDMEnrolled([]Enrollment{e})
		}
		if managed != MDMEnrolled(es) {
			t.Fatal("MDMEnrolled is not the OR of its rows")
		}
	})
}
