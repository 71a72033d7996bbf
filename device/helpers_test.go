package device

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture reads a file of testdata.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// variants returns the text as captured and as other hosts hand it over:
// CRLF line ends, blank lines around it, trailing spaces on every line.
func variants(text string) map[string]string {
	lf := strings.ReplaceAll(text, "\r\n", "\n")
	trailing := strings.ReplaceAll(lf, "\n", "  \n")
	return map[string]string{
		"as captured":     text,
		"CRLF":            strings.ReplaceAll(lf, "\n", "\r\n"),
		"blank lines":     "\n\r\n" + lf + "\n\n  \n",
		"trailing spaces": trailing,
	}
}

// box renders dsregcmd /status sections for tests: name, then label/value
// pairs.
func box(name string, kv ...string) string {
	var b strings.Builder
	b.WriteString("+----------------------------------------------------------------------+\n")
	b.WriteString("| " + name + strings.Repeat(" ", max(0, 69-len(name))) + "|\n")
	b.WriteString("+----------------------------------------------------------------------+\n\n")
	for i := 0; i+1 < len(kv); i += 2 {
		label := kv[i]
		b.WriteString(strings.Repeat(" ", max(0, 26-len(label))) + label + " :")
		if kv[i+1] != "" {
			b.WriteString(" " + kv[i+1])
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}
