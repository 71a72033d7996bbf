package device

import (
	"strings"
	"testing"
)

func TestParseOfficeC2R(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want Office
	}{
		{"installed", fixture(t, "office-c2r.csv"), Office{Installed: true, Platform: "x64", Culture: "en-us"}},
		{"not installed prints nothing", "", Office{}},
		{"installed with null values", "\"Platform\",\"ClientCulture\"\r\n,\r\n", Office{Installed: true}},
		{"installed, culture missing from a short row", "\"Platform\",\"ClientCulture\"\r\n\"x86\"\r\n", Office{Installed: true, Platform: "x86"}},
	}
	for _, c := range cases {
		for vname, text := range variants(c.text) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				got, err := ParseOfficeC2R(text)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("got %+v, want %+v", got, c.want)
				}
			})
		}
	}
}

func TestParseOfficeC2RRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, text, says string }{
		{"wrong columns", "\"Platform\"\n\"x64\"\n", `"ClientCulture"`},
		{"two rows", "\"Platform\",\"ClientCulture\"\n\"x64\",\"en-us\"\n\"x86\",\"de-de\"\n", "one configuration row"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseOfficeC2R(c.text); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want one that mentions %q", err, c.says)
			}
		})
	}
}

func FuzzParseOfficeC2R(f *testing.F) {
	f.Add(fixture(f, "office-c2r.csv"))
	f.Fuzz(func(t *testing.T, text string) {
		o, err := ParseOfficeC2R(text)
		if err != nil && o != (Office{}) {
			t.Fatal("an installation returned with an error")
		}
		if !o.Installed && (o.Platform != "" || o.Culture != "") {
			t.Fatal("platform or culture without an installation")
		}
	})
}
