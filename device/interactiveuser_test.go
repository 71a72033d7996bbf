package device

import "testing"

func TestParseInteractiveUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		text    string
		want    string
		wantErr bool
	}{
		{"an Entra user", "AzureAD\\AlexWilber\r\n", `AzureAD\AlexWilber`, false},
		{"a domain user with blank lines", "\r\n  CONTOSO\\alex  \r\n\r\n", `CONTOSO\alex`, false},
		{"nobody signed in", "", "", false},
		{"nobody, blank lines only", "\r\n\r\n", "", false},
		{"two lines", "CONTOSO\\alex\r\nCONTOSO\\bob\r\n", "", true},
		{"a control character", "CONTOSO\\al\x1bex", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseInteractiveUser(c.text)
			if (err != nil) != c.wantErr || got != c.want {
				t.Errorf("got %q, %v; want %q, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

func FuzzParseInteractiveUser(f *testing.F) {
	f.Add("AzureAD\\AlexWilber\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		u, err := ParseInteractiveUser(text)
		if err == nil && (hasControl(u) || len(lines(u)) != 1) {
			t.Fatalf("user %q", u)
		}
	})
}
