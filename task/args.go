package task

import "strings"

// JoinArgs joins arguments into one Windows command line that
// CommandLineToArgvW (and Go's runtime on Windows) splits back into the
// same arguments.
func JoinArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = QuoteArg(a)
	}
	return strings.Join(out, " ")
}

// QuoteArg quotes one argument for the Windows command line: unchanged
// when it holds no space, tab or quote and is not empty; otherwise wrapped
// in quotes, with each quote escaped by a backslash and the backslashes
// before a quote (or before the closing quote) doubled.
func QuoteArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}
