package device

import (
	"reflect"
	"testing"
)

func TestParseAntiVirus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		text    string
		want    []string
		wantErr bool
	}{
		{"two products, one repeated", fixture(t, "antivirus.txt"), []string{"Windows Defender", "Sophos Anti-Virus"}, false},
		{"none or no Security Center", "", []string{}, false},
		{"a control character", "Windows Defender\r\nbad\x07name\r\n", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseAntiVirus(c.text)
			if (err != nil) != c.wantErr || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, %v; want %q, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

func FuzzParseAntiVirus(f *testing.F) {
	f.Add(fixture(f, "antivirus.txt"))
	f.Fuzz(func(t *testing.T, text string) {
		names, err := ParseAntiVirus(text)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || seen[n] {
				t.Fatalf("empty or repeated name %q", n)
			}
			seen[n] = true
		}
	})
}
