package audit

import (
	"encoding/json"
	"fmt"
	"strings"
)

// A Redactor applies a trail's user redaction ([Options.RedactUsers]) to
// text that leaves the device beside the log, such as an escalation
// bundle, so that the same user gets the same pseudonym in both.
type Redactor struct{ r *redactor }

// NewRedactor returns a Redactor for the key, which must be at least
// [MinRedactKey] bytes long, as for [Open].
func NewRedactor(key []byte) (*Redactor, error) {
	if len(key) < MinRedactKey {
		return nil, fmt.Errorf("user redaction needs a key of at least %d bytes, got %d", MinRedactKey, len(key))
	}
	return &Redactor{r: newRedactor(key)}, nil
}

// User returns the pseudonym of a user name or e-mail address, as a
// redacted trail writes it in a field named user; "" stays "".
func (r *Redactor) User(name string) string {
	if name == "" {
		return ""
	}
	return r.r.token(name)
}

// Text replaces every e-mail address in s, and every occurrence of the
// given user names (ignoring case, as written and as JSON escapes them:
// AzureAD\\alex), with their pseudonyms.
func (r *Redactor) Text(s string, users ...string) string {
	for _, u := range users {
		if u == "" {
			continue
		}
		tok := r.r.token(u)
		s = replaceFold(s, u, tok)
		if b, err := json.Marshal(u); err == nil {
			if esc := string(b[1 : len(b)-1]); esc != u {
				s = replaceFold(s, esc, tok)
			}
		}
	}
	return r.r.text(s)
}

// replaceFold replaces old in s, ignoring ASCII case.
func replaceFold(s, old, repl string) string {
	lower, lowOld := strings.ToLower(s), strings.ToLower(old)
	if len(lower) != len(s) || len(lowOld) != len(old) {
		// Case folding changed the length (non-ASCII): match exactly.
		return strings.ReplaceAll(s, old, repl)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lowOld)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}
