// Package scrub masks secret-shaped values in text that comes from a
// device: command output, event messages, dsregcmd's proxy section.
//
// Nothing caafix reads is meant to hold a secret (dsregcmd never prints a
// token), but text from the device is not ours to trust: a proxy URL with
// a password, a PAC address with a token or an event message quoting an
// Authorization header would otherwise reach the audit log and the
// escalation bundle. [Text] masks JWTs, bearer and basic credentials,
// passwords in URLs, parameters whose name says secret and long base64
// runs, and keeps the identifiers reviewers need.
package scrub

import (
	"regexp"
	"strings"
)

// Masked replaces a value [Text] removed.
const Masked = "[masked]"

// The shapes of secrets that text from a device may carry. None is
// expected in what caafix reads; they are masked in case a proxy URL, a
// PAC address or an event message carries one.
var (
	// A JSON Web Token: three base64url parts, the first a JSON header.
	jwtRE = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)
	// An Authorization header value.
	bearerRE = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`)
	// A password inside a URL: scheme://user:password@host.
	urlPassRE = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@"']+):[^\s/@"']+@`)
	// Query, form or key=value parameters whose name says secret.
	paramRE = regexp.MustCompile(`(?i)\b(access_token|refresh_token|id_token|prt|client_secret|client_assertion|assertion|password|passwd|pwd|secret|token|code|sig|signature|api[_-]?key|sessionkey|session_key)(\s*[=:]\s*)("?)([^\s&"';,]{4,})`)
)

// Text masks token-shaped values in text from the device (see the
// package doc); text without any comes back unchanged. Identifiers that
// are not secrets stay: tenant and device ids, thumbprints, correlation
// ids, credential target names, URLs without credentials.
func Text(s string) string {
	if s == "" {
		return s
	}
	// The literal each pattern needs first, so that long clean text is
	// cheap to scrub.
	if strings.Contains(s, "eyJ") {
		s = jwtRE.ReplaceAllString(s, Masked)
	}
	if lower := strings.ToLower(s); strings.Contains(lower, "bearer") || strings.Contains(lower, "basic") {
		s = bearerRE.ReplaceAllStringFunc(s, func(m string) string {
			p := bearerRE.FindStringSubmatch(m)
			if cred := strings.TrimSpace(m[len(p[1]):]); isLowerWord(cred) {
				return m // "Basic authentication failed": words, not a credential
			}
			return p[1] + " " + Masked
		})
	}
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		s = urlPassRE.ReplaceAllString(s, "$1:"+Masked+"@")
	}
	if hasParamName(s) {
		s = paramRE.ReplaceAllStringFunc(s, func(m string) string {
			p := paramRE.FindStringSubmatch(m)
			if p[4] == Masked || isWordValue(p[1], p[4]) {
				return m
			}
			return p[1] + p[2] + p[3] + Masked
		})
	}
	return maskBlobs(s)
}

// Walk applies clean (Text, or Text and more) to every string and map key
// of a decoded JSON value, in place where it can, and returns the result.
func Walk(v any, clean func(string) string) any {
	switch v := v.(type) {
	case string:
		return clean(v)
	case []any:
		for i := range v {
			v[i] = Walk(v[i], clean)
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[clean(k)] = Walk(x, clean)
		}
		return out
	}
	return v
}

// paramNames are the names paramRE matches, lower case.
var paramNames = []string{"access_token", "refresh_token", "id_token", "prt", "client_secret", "client_assertion", "assertion",
	"password", "passwd", "pwd", "secret", "token", "code", "sig", "signature", "apikey", "api_key", "api-key", "sessionkey", "session_key"}

// hasParamName reports whether s has a parameter paramRE may match: one of
// the names at a word start, then spaces and '=' or ':'. The regexp is
// slow; most text has none.
func hasParamName(s string) bool {
	lower := strings.ToLower(s)
	for _, n := range paramNames {
		for from := 0; ; {
			i := strings.Index(lower[from:], n)
			if i < 0 {
				break
			}
			i += from
			from = i + 1
			if i > 0 && isWordByte(lower[i-1]) {
				continue
			}
			j := i + len(n)
			for j < len(lower) && (lower[j] == ' ' || lower[j] == '\t') {
				j++
			}
			if j < len(lower) && (lower[j] == '=' || lower[j] == ':') {
				return true
			}
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// maskBlobs masks the runs blobRE describes, found by one pass over s
// (the regexp is much slower on long text).
func maskBlobs(s string) string {
	var b strings.Builder
	last, start := 0, -1
	flush := func(end int) {
		if start >= 0 && end-start >= minBlob {
			run := s[start:end]
			// Up to two '=' of base64 padding belong to the run.
			for pad := 0; pad < 2 && end < len(s) && s[end] == '='; pad++ {
				end++
			}
			if !isPathLike(run) {
				b.WriteString(s[last:start])
				b.WriteString(Masked)
				last = end
			}
		}
		start = -1
	}
	for i := 0; i < len(s); i++ {
		if isBlobByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// minBlob is the shortest run of base64 taken for a blob.
const minBlob = 100

func isBlobByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '_' || c == '-'
}

// isWordValue keeps labels whose value is a plain word, not a secret:
// "AzureAdPrt : NO", "Code: invalid_grant", "code=53000". Under the names
// code, token, sig and signature, words and error numbers stay; under the
// others (password, secret, access_token, …) only yes/no-like words do.
func isWordValue(name, v string) bool {
	switch strings.ToLower(v) {
	case "yes", "no", "none", "null", "true", "false", "n/a", "present", "absent":
		return true
	}
	switch strings.ToLower(name) {
	case "code", "token", "sig", "signature":
		// "signature: minisign: invalid …": a label, not a value.
		v = strings.TrimSuffix(v, ":")
		return strings.HasPrefix(strings.ToLower(v), "0x") || isDigits(strings.TrimPrefix(v, "-")) || isWord(v) || isErrorCode(v)
	}
	return false
}

// isErrorCode: upper-case letters, digits and '-', at most 16 long, as
// error and join codes are (AADSTS50076, ABCD-1234); secrets are longer
// or mixed case.
func isErrorCode(v string) bool {
	return len(v) <= 16 && only(v, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' })
}

// isLowerWord: lower-case letters only, as an English word is.
func isLowerWord(v string) bool {
	return only(v, func(r rune) bool { return r >= 'a' && r <= 'z' })
}

// isWord: letters, '_' and '-' only, in one case or capitalised, as error
// names are (invalid_grant, Password); mixed case is how secrets look.
func isWord(v string) bool {
	if !only(v, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-' }) {
		return false
	}
	rest := v[1:]
	return strings.ToLower(rest) == rest || strings.ToUpper(v) == v
}

func isDigits(v string) bool {
	return only(v, func(r rune) bool { return r >= '0' && r <= '9' })
}

// only reports whether v is not empty and every rune of it is ok.
func only(v string, ok func(rune) bool) bool {
	for _, r := range v {
		if !ok(r) {
			return false
		}
	}
	return v != ""
}

// A long run of base64 (see maskBlobs) is a key, a certificate or a token
// blob. Hashes and thumbprints (40 to 64 hex digits) are shorter and stay.

// isPathLike keeps long runs that are paths or URLs rather than blobs.
func isPathLike(m string) bool {
	return strings.Count(m, "/") >= 3 && !strings.ContainsAny(m, "+=")
}
