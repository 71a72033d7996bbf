package escalation

import "testing"

func TestParseOS(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		want     string
		bad      bool
	}{
		{"Windows PowerShell's compressed object", `{"Caption":"Microsoft Windows 11 Enterprise","Version":"10.0.22631","BuildNumber":"22631"}` + "\r\n", "Microsoft Windows 11 Enterprise 10.0.22631 (build 22631)", false},
		{"a byte-order mark and spaces", "\ufeff {\"Caption\":\"Microsoft Windows 10 Pro \",\"Version\":\"10.0.19045\",\"BuildNumber\":\"19045\"} ", "Microsoft Windows 10 Pro 10.0.19045 (build 19045)", false},
		{"nulls leave the rest", `{"Caption":null,"Version":"10.0.26100","BuildNumber":null}`, "10.0.26100", false},
		{"no output", "", "", true},
		{"not JSON", "Get-CimInstance : Access denied", "", true},
		{"an object without the fields", `{"Name":"x"}`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o, err := ParseOS(c.in)
			if (err != nil) != c.bad {
				t.Fatalf("err %v, want error %v", err, c.bad)
			}
			if !c.bad && o.String() != c.want {
				t.Errorf("%q, want %q", o.String(), c.want)
			}
		})
	}
	if (OS{}).String() != "unknown" {
		t.Error("an empty OS is not unknown")
	}
}

func FuzzParseOS(f *testing.F) {
	f.Add(`{"Caption":"Microsoft Windows 11 Enterprise","Version":"10.0.22631","BuildNumber":"22631"}`)
	f.Add(`[1,2]`)
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOS(s)
		if err == nil && o == (OS{}) {
			t.Errorf("ParseOS(%q) accepted nothing", s)
		}
	})
}
