package scrub

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	jwt := "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLXBhcnQtaGVyZQ"
	cases := []struct {
		name, in, want string
	}{
		{"a JWT is masked", "token " + jwt + " end", "token " + Masked + " end"},
		{"a bearer header is masked", "Authorization: Bearer abcDEF123456789xyz", "Authorization: Bearer " + Masked},
		{"a password in a proxy URL is masked", "Proxy Server List : http://alex:S3cr3t!@proxy.contoso.com:8080", "Proxy Server List : http://alex:" + Masked + "@proxy.contoso.com:8080"},
		{"a PAC URL's token parameter is masked", "Auto-Configuration URL : https://pac.contoso.com/p.pac?tenant=1&token=Zx81kQ09aLmn", "Auto-Configuration URL : https://pac.contoso.com/p.pac?tenant=1&token=" + Masked},
		{"an access_token parameter is masked", "redirect#access_token=abc123DEF456&x=1", "redirect#access_token=" + Masked + "&x=1"},
		{"a client secret is masked", `client_secret="q8~Vx.kZ12_abcd"`, `client_secret="` + Masked + `"`},
		{"a password field is masked even when a word", "password=hunter", "password=" + Masked},
		{"a long base64 blob is masked", "Key : " + strings.Repeat("QUJD", 30), "Key : " + Masked},
		{"an error code stays", "Code: invalid_grant", "Code: invalid_grant"},
		{"a hex code stays", "code=0xCAA50021", "code=0xCAA50021"},
		{"AzureAdPrt NO stays", "AzureAdPrt : NO", "AzureAdPrt : NO"},
		{"Credential Type Password stays", "Credential Type : Password", "Credential Type : Password"},
		{"a tenant id stays", "TenantId : c5ff949d-2696-4b68-9e13-055f19ed2d51", "TenantId : c5ff949d-2696-4b68-9e13-055f19ed2d51"},
		{"a thumbprint stays", "Thumbprint : CEC55C2566633AC8DA3D9E3EAD98A599084D0C4C", "Thumbprint : CEC55C2566633AC8DA3D9E3EAD98A599084D0C4C"},
		{"an audit hash stays", `"hash":"` + strings.Repeat("ab", 32) + `"`, `"hash":"` + strings.Repeat("ab", 32) + `"`},
		{"a URL without credentials stays", "AuthCodeUrl : https://login.microsoftonline.com/c5ff949d-2696-4b68-9e13-055f19ed2d51/oauth2/authorize", "AuthCodeUrl : https://login.microsoftonline.com/c5ff949d-2696-4b68-9e13-055f19ed2d51/oauth2/authorize"},
		{"a credential target stays", "MicrosoftOffice16_Data:SSPI:alex@contoso.com", "MicrosoftOffice16_Data:SSPI:alex@contoso.com"},
		{"scrubbing twice changes nothing more", "password=" + Masked, "password=" + Masked},
		{"a label after signature stays", "x.minisig is not a minisign signature: minisign: invalid signature", "x.minisig is not a minisign signature: minisign: invalid signature"},
		{"a negative exit code stays", "exit code: -2147024891", "exit code: -2147024891"},
		{"an AADSTS error code stays", "Error code: AADSTS50076", "Error code: AADSTS50076"},
		{"a join code stays", "Workplace Join code: ABCD-1234", "Workplace Join code: ABCD-1234"},
		{"Basic followed by words stays", "Basic authentication failed", "Basic authentication failed"},
		{"a basic credential is masked", "Authorization: Basic YWxleDpTM2NyM3Q=", "Authorization: Basic " + Masked},
		{"a long upper-case token is masked", "token=ABCDEF0123456789ABCDEF0123", "token=" + Masked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Text(c.in); got != c.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

// Real captures hold no secret: scrubbing must leave them as they are,
// every identifier included.
func TestRealOutputIsUnchanged(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			s := readTestdata(t, filepath.Base(f))
			if got := Text(s); got != s {
				t.Errorf("Text changed a capture without secrets:\n%s", firstDiff(s, got))
			}
		})
	}
}

// firstDiff shows where two texts part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-40)
	return "want …" + a[from:min(len(a), i+60)] + "…\n got …" + b[from:min(len(b), i+60)] + "…"
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func FuzzText(f *testing.F) {
	f.Add("Proxy Server List : http://alex:S3cr3t!@proxy:8080")
	f.Add("password=abc&token=eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")
	f.Add(readTestdata(f, "dsregcmd-status-hybrid-joined.txt"))
	f.Fuzz(func(t *testing.T, s string) {
		once := Text(s)
		if twice := Text(once); twice != once {
			t.Errorf("Text is not stable: %q → %q → %q", s, once, twice)
		}
	})
}
