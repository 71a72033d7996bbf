package device

import (
	"strings"
	"unicode"
)

// lines splits command output into lines: CRLF and lone CR become LF, a
// leading byte-order mark is dropped, and trailing spaces are cut from every
// line. Windows tools and PowerShell differ in all three.
func lines(text string) []string {
	text = strings.TrimPrefix(text, "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	out := strings.Split(text, "\n")
	for i, l := range out {
		out[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return out
}

// normalize returns text with LF line ends and no byte-order mark, for the
// parsers that hand it to encoding/csv or encoding/json.
func normalize(text string) string {
	text = strings.TrimPrefix(text, "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.ReplaceAll(text, "\r", "\n")
}

// firstLine returns the first non-blank line of s, cut to 200 bytes, for
// problem messages.
func firstLine(s string) string {
	for _, l := range lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			return clip(l, 200)
		}
	}
	return ""
}

// clip cuts s to at most n bytes without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// hasControl reports whether s holds a control character other than tab:
// a sign that the text is not the plain list a command was expected to print.
func hasControl(s string) bool {
	for _, r := range s {
		if r != '\t' && (unicode.IsControl(r) || r == unicode.ReplacementChar) {
			return true
		}
	}
	return false
}
