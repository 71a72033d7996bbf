package escalation

import (
	"regexp"
	"strings"
)

// Masked replaces a value [Scrub] removed.
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
	// A long run of base64: a key, a certificate or a token blob. Hashes
	// and thumbprints (40 to 64 hex digits) are shorter and stay.
	blobRE = regexp.MustCompile(`[A-Za-z0-9+/_-]{100,}={0,2}`)
)

// Scrub masks token-shaped values in text from the device (see the
// package doc). Identifiers that are not secrets stay: tenant and device
// ids, thumbprints, correlation ids, credential target names, URLs
// without credentials.
func Scrub(s string) string {
	if s == "" {
		return s
	}
	// The literal each pattern needs first, so that long clean text is
	// cheap to scrub.
	if strings.Contains(s, "eyJ") {
		s = jwtRE.ReplaceAllString(s, Masked)
	}
	if lower := strings.ToLower(s); strings.Contains(lower, "bearer") || strings.Contains(lower, "basic") {
		s = bearerRE.ReplaceAllString(s, "$1 "+Masked)
	}
	if strings.Contains(s, "@") {
		s = urlPassRE.ReplaceAllString(s, "$1:"+Masked+"@")
	}
	s = paramRE.ReplaceAllStringFunc(s, func(m string) string {
		p := paramRE.FindStringSubmatch(m)
		if p[4] == Masked || isWordValue(p[1], p[4]) {
			return m
		}
		return p[1] + p[2] + p[3] + Masked
	})
	s = blobRE.ReplaceAllStringFunc(s, func(m string) string {
		if isPathLike(m) {
			return m
		}
		return Masked
	})
	return s
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
		return strings.HasPrefix(strings.ToLower(v), "0x") || isDigits(v) || isWord(v)
	}
	return false
}

// isWord: letters, '_' and '-' only, in one case or capitalised, as error
// names are (invalid_grant, Password); mixed case is how secrets look.
func isWord(v string) bool {
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
			return false
		}
	}
	rest := v[1:]
	return strings.ToLower(rest) == rest || strings.ToUpper(v) == v
}

func isDigits(v string) bool {
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return v != ""
}

// isPathLike keeps long runs that are paths or URLs rather than blobs.
func isPathLike(m string) bool {
	return strings.Count(m, "/") >= 3 && !strings.ContainsAny(m, "+=")
}
