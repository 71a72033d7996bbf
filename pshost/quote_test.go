package pshost

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// unquote reads one PowerShell single-quoted string literal the way the
// PowerShell tokenizer does: any of the single-quote characters ends the
// string, unless the next character is also one of them, in which case the
// pair stands for the second. It returns the value and what follows.
func unquote(t testing.TB, s string) (string, string) {
	t.Helper()
	isQuote := func(r rune) bool { return r == '\'' || (r >= '\u2018' && r <= '\u201B') }
	r, n := utf8.DecodeRuneInString(s)
	if !isQuote(r) {
		t.Fatalf("%q does not start with a quote", s)
	}
	s = s[n:]
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		if !isQuote(r) {
			b.WriteRune(r)
			continue
		}
		r2, n2 := utf8.DecodeRuneInString(s)
		if len(s) > 0 && isQuote(r2) {
			b.WriteRune(r2)
			s = s[n2:]
			continue
		}
		return b.String(), s
	}
	t.Fatalf("unterminated string")
	return "", ""
}

func TestQuote(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "''"},
		{"plain", "alex@contoso.com", "'alex@contoso.com'"},
		{"ascii quote doubled", "O'Brien", "'O''Brien'"},
		{"left single quote doubled", "a\u2018b", "'a\u2018\u2018b'"},
		{"right single quote doubled", "a\u2019b", "'a\u2019\u2019b'"},
		{"low-9 quote doubled", "a\u201Ab", "'a\u201A\u201Ab'"},
		{"reversed-9 quote doubled", "a\u201Bb", "'a\u201B\u201Bb'"},
		{"dollar and backtick stay literal", "$env:X `n", "'$env:X `n'"},
		{"double quotes stay literal", `say "hi"`, `'say "hi"'`},
		{"injection attempt stays one literal", "x'; Remove-Item C:\\ -Recurse; '", "'x''; Remove-Item C:\\ -Recurse; '''"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Quote(c.in)
			if got != c.want {
				t.Errorf("Quote(%q) = %q, want %q", c.in, got, c.want)
			}
			back, rest := unquote(t, got)
			if back != c.in || rest != "" {
				t.Errorf("PowerShell would read %q then %q", back, rest)
			}
		})
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "'", "\u2019'", "a'b\u201Bc", "''''", "$(x)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		back, rest := unquote(t, Quote(s))
		if back != s || rest != "" {
			t.Fatalf("Quote(%q) reads back as %q with %q left over", s, back, rest)
		}
	})
}

func TestBuild(t *testing.T) {
	t.Parallel()
	got := Build(`cmdkey %v`, "/delete:OneDrive Cached Credential")
	if want := `cmdkey '/delete:OneDrive Cached Credential'`; got != want {
		t.Errorf("Build = %q, want %q", got, want)
	}
	if got := Build(`'100%%' %v`, "x"); got != `'100%' 'x'` {
		t.Errorf("Build with %%%% = %q", got)
	}
	for _, bad := range []struct {
		tmpl string
		vals []string
	}{{"%v %v", []string{"a"}}, {"%v", []string{"a", "b"}}, {"%s", []string{"a"}}, {"50%", nil}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Build(%q, %q) did not panic", bad.tmpl, bad.vals)
				}
			}()
			Build(bad.tmpl, bad.vals...)
		}()
	}
}

func TestUnwrap(t *testing.T) {
	t.Parallel()
	const n = "0123456789abcdef"
	cases := []struct {
		name    string
		stdout  string
		out     string
		code    int
		ok      bool
		wantErr bool
	}{
		{"output then exit line", "a\nb\ncaafix-exit " + n + " 0 True\n", "a\nb\n", 0, true, false},
		{"no output", "caafix-exit " + n + " -5 False\n", "", -5, false, false},
		{"missing exit line", "a\n", "", 0, false, true},
		{"wrong nonce", "caafix-exit ffffffffffffffff 0 True\n", "", 0, false, true},
		{"marker mid-line is not an exit line", "xcaafix-exit " + n + " 0 True\n", "", 0, false, true},
		{"output after exit line", "caafix-exit " + n + " 0 True\nmore\n", "", 0, false, true},
		{"bad flag", "caafix-exit " + n + " 0 Maybe\n", "", 0, false, true},
		{"bad code", "caafix-exit " + n + " x True\n", "", 0, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, code, ok, err := unwrap(c.stdout, n)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, c.wantErr)
			}
			if err == nil && (out != c.out || code != c.code || ok != c.ok) {
				t.Errorf("got %q %d %v", out, code, ok)
			}
		})
	}
}

func FuzzParseCodePage(f *testing.F) {
	for _, s := range []string{"Active code page: 437", "Aktive Codepage: 850.", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cp, err := parseCodePage(s)
		if err == nil && cp <= 0 {
			t.Fatalf("accepted code page %d", cp)
		}
	})
}

func TestParseCodePage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want int
	}{
		{"english", "Active code page: 437\r\n", 437},
		{"german with period", "Aktive Codepage: 850.\r\n", 850},
		{"utf-8", "Active code page: 65001", 65001},
	}
	for _, c := range cases {
		got, err := parseCodePage(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: got %d, %v", c.name, got, err)
		}
	}
	if _, err := parseCodePage("Zugriff verweigert"); err == nil {
		t.Error("accepted text without a number")
	}
}
