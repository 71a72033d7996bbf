package steps_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A psToken is one token of a PowerShell command line, as far as these
// tests need: a bare word, a single-quoted literal (its value, quotes
// removed) or an operator.
type psToken struct {
	kind byte // 'w' bare word, 'q' single-quoted literal, 'o' operator
	text string
}

func (k psToken) String() string {
	switch k.kind {
	case 'q':
		return fmt.Sprintf("q%q", k.text)
	case 'o':
		return "op(" + k.text + ")"
	}
	return k.text
}

func word(s string) psToken { return psToken{'w', s} }
func lit(s string) psToken  { return psToken{'q', s} }
func op(s string) psToken   { return psToken{'o', s} }

// isSingleQuote is PowerShell's own test: the ASCII apostrophe and the
// four Unicode single quotation marks U+2018–U+201B all open, close and
// escape single-quoted strings.
func isSingleQuote(r rune) bool {
	switch r {
	case '\'', '\u2018', '\u2019', '\u201A', '\u201B':
		return true
	}
	return false
}

// psTokenize splits one command line the way PowerShell's tokenizer reads
// single-quoted strings: inside one, a quote character followed by another
// quote character stands for the second, and a quote character followed by
// anything else ends the string. Outside quotes it knows words, blanks and
// the operators & ( ) ; | { }. Anything it cannot read with certainty — a
// double quote or backtick outside single quotes, a literal glued to a
// word, an unterminated string — is an error: the test must not guess.
func psTokenize(line string) ([]psToken, error) {
	rs := []rune(line)
	var out []psToken
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t':
			i++
		case strings.ContainsRune("&();|{}", r):
			out = append(out, op(string(r)))
			i++
		case isSingleQuote(r):
			var b strings.Builder
			i++
			closed := false
			for i < len(rs) {
				if isSingleQuote(rs[i]) {
					if i+1 < len(rs) && isSingleQuote(rs[i+1]) {
						b.WriteRune(rs[i+1])
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteRune(rs[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated single-quoted string in %q", line)
			}
			if i < len(rs) && !strings.ContainsRune(" \t&();|{}", rs[i]) {
				return nil, fmt.Errorf("text %q glued to a single-quoted string in %q", string(rs[i:]), line)
			}
			out = append(out, lit(b.String()))
		case strings.ContainsRune("\"`\u201C\u201D\u201E", r):
			return nil, fmt.Errorf("%q outside single quotes in %q: the test tokenizer does not read double-quoted strings or escapes", r, line)
		default:
			start := i
			for i < len(rs) && !strings.ContainsRune(" \t&();|{}\"`\u201C\u201D\u201E", rs[i]) && !isSingleQuote(rs[i]) {
				i++
			}
			if i < len(rs) && isSingleQuote(rs[i]) {
				return nil, fmt.Errorf("single-quoted string glued to word %q in %q", string(rs[start:i]), line)
			}
			out = append(out, word(string(rs[start:i])))
		}
	}
	return out, nil
}

// checkTokens tokenizes cmd and compares it with want.
func checkTokens(t *testing.T, cmd string, want []psToken) {
	t.Helper()
	got, err := psTokenize(cmd)
	if err != nil {
		t.Errorf("command %q: %v", cmd, err)
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("command %q\nreads as %v\nwant     %v", cmd, got, want)
	}
}

// TestPsTokenize checks the test's own tokenizer against what PowerShell
// does with these lines.
func TestPsTokenize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		line string
		want []psToken
	}{
		{"words and a literal", `cmdkey '/delete:a b'`, []psToken{word("cmdkey"), lit("/delete:a b")}},
		{"a doubled apostrophe is one apostrophe", `'it''s'`, []psToken{lit("it's")}},
		{"a doubled curly quote is one curly quote", "'it\u2019\u2019s'", []psToken{lit("it\u2019s")}},
		{"a curly quote closes a string opened by an apostrophe", "'a\u2019 b", []psToken{lit("a"), word("b")}},
		{"an apostrophe then a curly quote stand for the curly quote", "'a'\u2018b'", []psToken{lit("a\u2018b")}},
		{"U+201A opens a string", "\u201Aab\u201A", []psToken{lit("ab")}},
		{"an apostrophe breaks out of an undoubled string", `'x'; Remove-Item C:\ -Recurse; ''`, []psToken{lit("x"), op(";"), word("Remove-Item"), word(`C:\`), word("-Recurse"), op(";"), lit("")}},
		{"dollar and backtick are literal inside quotes", "'$(x) `n'", []psToken{lit("$(x) `n")}},
		{"operators split words", `& (Join-Path $env:X 'a\b') 'c'`, []psToken{op("&"), op("("), word("Join-Path"), word("$env:X"), lit(`a\b`), op(")"), lit("c")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkTokens(t, c.line, c.want)
		})
	}
}

func TestPsTokenizeRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		line string
	}{
		{"unterminated string", `'open`},
		{"literal glued to a word", `a'b'`},
		{"word glued to a literal", `'a'b`},
		{"double-quoted string", `"x"`},
		{"backtick escape", "a`b"},
		{"curly double quotes", "'a' \u201Cb\u201D"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got, err := psTokenize(c.line); err == nil {
				t.Errorf("psTokenize(%q) = %v, want an error", c.line, got)
			}
		})
	}
}
