package pshost

import (
	"fmt"
	"strings"
)

// Quote returns s as a PowerShell single-quoted string literal. Inside single
// quotes PowerShell expands nothing ($, `, and " are literal); the only
// special characters are the quote characters themselves, and PowerShell
// treats the Unicode single quotes U+2018–U+201B as quotes too. Each of them
// is doubled, which is how PowerShell escapes a quote inside a single-quoted
// string. Quote is the one way a value enters a command: see [Build].
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201A', '\u201B':
			b.WriteRune(r)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Build returns the PowerShell text of template with each "%v" replaced by
// the next value, quoted with [Quote]; "%%" stands for a literal percent
// sign. Templates are constants written by caafix's authors; values come
// from runbooks, scenarios and the device, and are never spliced in any
// other way. A template whose placeholders do not match the values is a
// programmer error and panics.
func Build(template string, values ...string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(template); i++ {
		c := template[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(template) {
			panic(fmt.Sprintf("pshost.Build: trailing %% in %q", template))
		}
		switch template[i+1] {
		case '%':
			b.WriteByte('%')
		case 'v':
			if n >= len(values) {
				panic(fmt.Sprintf("pshost.Build: %q has more placeholders than the %d values", template, len(values)))
			}
			b.WriteString(Quote(values[n]))
			n++
		default:
			panic(fmt.Sprintf("pshost.Build: unknown verb %%%c in %q", template[i+1], template))
		}
		i++
	}
	if n != len(values) {
		panic(fmt.Sprintf("pshost.Build: %q uses %d of %d values", template, n, len(values)))
	}
	return b.String()
}
