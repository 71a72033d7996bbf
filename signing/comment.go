package signing

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A Comment is a trusted comment read for people. Verification requires
// nothing of it; it only helps show who signed what and when. Two shapes
// are understood: caafix's ("caafix runbook NAME version N signed TIME",
// see [TrustedComment]) and the minisign tool's default
// ("timestamp:UNIX<TAB>file:NAME<TAB>hashed"). Any other text is kept as
// it is, with no fields set.
type Comment struct {
	Text    string    // the comment as signed
	Name    string    // caafix's: the runbook's name
	Version int       // caafix's: the runbook's version
	File    string    // minisign's: the name of the file it signed
	Signed  time.Time // when it was signed, as the signer says; zero when the comment does not say
	Hashed  bool      // minisign's: it says "hashed" (a prehashed signature)
	tool    bool      // in minisign's shape
}

// ParseComment reads a trusted comment. It never fails: a comment in
// neither known shape is plain text.
func ParseComment(s string) Comment {
	c := Comment{Text: s}
	if c.parseCaafix() || c.parseMinisign() {
		return c
	}
	return Comment{Text: s}
}

func (c *Comment) parseCaafix() bool {
	f := strings.Split(c.Text, " ")
	if len(f) != 7 || f[0] != "caafix" || f[1] != "runbook" || f[3] != "version" || f[5] != "signed" {
		return false
	}
	v, err := strconv.Atoi(f[4])
	if err != nil || v < 1 {
		return false
	}
	t, err := time.Parse(time.RFC3339, f[6])
	if err != nil {
		return false
	}
	c.Name, c.Version, c.Signed = f[2], v, t.UTC()
	return true
}

func (c *Comment) parseMinisign() bool {
	seen := false
	for _, field := range strings.Split(c.Text, "\t") {
		k, v, _ := strings.Cut(field, ":")
		switch {
		case k == "timestamp" && c.Signed.IsZero():
			n, err := strconv.ParseInt(v, 10, 64)
			// Beyond year 9999 time.Time cannot be formatted as RFC 3339.
			if err != nil || n < 0 || n > 253402300799 {
				return false
			}
			c.Signed, seen = time.Unix(n, 0).UTC(), true
		case k == "file" && c.File == "":
			c.File = v
		case field == "hashed":
			c.Hashed = true
		default:
			return false
		}
	}
	c.tool = seen
	return seen
}

// String returns the comment for a terminal: one line, with no control or
// invisible formatting characters (a signed comment still must not repaint
// the screen or reorder what is shown), minisign's tabs shown as spaces
// and its Unix timestamp followed by the UTC time it means.
func (c Comment) String() string {
	if !c.tool {
		return printable(c.Text)
	}
	fields := strings.Split(c.Text, "\t")
	for i, f := range fields {
		if strings.HasPrefix(f, "timestamp:") {
			fields[i] = fmt.Sprintf("%s (%s)", f, c.Signed.Format(time.RFC3339))
		}
	}
	return printable(strings.Join(fields, " "))
}

// printable replaces tabs with spaces, and control characters, invisible
// formatting characters (such as bidirectional overrides) and invalid
// UTF-8 with U+FFFD.
func printable(s string) string {
	var b strings.Builder
	// Ranging over a string yields U+FFFD for each invalid byte.
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
