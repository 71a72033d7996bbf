package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// MinRedactKey is the shortest key Options.RedactKey accepts: the tokens
// are only as private as the key is secret and long.
const MinRedactKey = 16

// emailRE finds e-mail addresses and user principal names, such as the one
// inside the credential target MicrosoftOffice16_Data:SSPI:alex@contoso.com.
var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+`)

// redactor replaces users with keyed pseudonyms. A nil redactor changes
// nothing.
type redactor struct{ key []byte }

// token is the pseudonym of a user: the same user (ignoring case) always
// gets the same token under one key, so reviewers can still group by user.
func (r *redactor) token(user string) string {
	mac := hmac.New(sha256.New, r.key)
	mac.Write([]byte(strings.ToLower(user)))
	return "user-" + hex.EncodeToString(mac.Sum(nil))[:12]
}

// text replaces every e-mail address in s.
func (r *redactor) text(s string) string {
	if r == nil || !strings.Contains(s, "@") {
		return s
	}
	return emailRE.ReplaceAllStringFunc(s, r.token)
}

// walk redacts a decoded JSON value found under key: the whole value of a
// field named user, and e-mail addresses in every other string and map key.
func (r *redactor) walk(key string, v any) any {
	switch v := v.(type) {
	case string:
		if key == "user" && v != "" {
			return r.token(v)
		}
		return r.text(v)
	case []any:
		for i := range v {
			v[i] = r.walk("", v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[r.text(k)] = r.walk(k, x)
		}
		return out
	default:
		return v
	}
}
