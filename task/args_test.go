package task

import (
	"strings"
	"testing"
)

// splitArgs is CommandLineToArgvW's algorithm for the arguments after the
// program name (the rules Microsoft documents for "Parsing C++
// command-line arguments"): backslashes are literal unless they precede a
// quote; 2n backslashes and a quote give n backslashes and toggle quoting;
// 2n+1 give n backslashes and a literal quote.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuote = !inQuote
				}
				have = true
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				have = true
				i--
			}
		case c == '"':
			if inQuote && i+1 < len(s) && s[i+1] == '"' {
				cur.WriteByte('"')
				i++
			} else {
				inQuote = !inQuote
			}
			have = true
		case (c == ' ' || c == '\t') && !inQuote:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

func TestArgsRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"plain", []string{"run", "--self-heal"}},
		{"space in a path", []string{"--config", `C:\Program Files\caafix\caafix.yaml`}},
		{"trailing backslash", []string{"--state-dir", `C:\state dir\`}},
		{"quote inside", []string{`a"b`, `c\"d`}},
		{"empty argument", []string{"", "x"}},
		{"backslashes before a quote", []string{`x\\"y z`}},
		{"tab", []string{"a\tb"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line := JoinArgs(c.args)
			got := splitArgs(line)
			if strings.Join(got, "\x00") != strings.Join(c.args, "\x00") || len(got) != len(c.args) {
				t.Errorf("JoinArgs(%q) = %s, which splits into %q", c.args, line, got)
			}
		})
	}
}

func FuzzArgsRoundTrip(f *testing.F) {
	f.Add("a b", `c\"`, `\\`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		for _, s := range []string{a, b, c} {
			if strings.ContainsAny(s, "\x00\r\n") {
				return
			}
		}
		args := []string{a, b, c}
		got := splitArgs(JoinArgs(args))
		if strings.Join(got, "\x00") != strings.Join(args, "\x00") || len(got) != 3 {
			t.Errorf("%q -> %s -> %q", args, JoinArgs(args), got)
		}
	})
}
