package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// MinRedactKey is the shortest key Options.RedactKey accepts: the tokens
// are only as private as the key is secret and long.
const MinRedactKey = 16

// emailPattern finds e-mail addresses and user principal names, such as
// the one inside the credential target MicrosoftOffice16_Data:SSPI:alex@contoso.com.
const emailPattern = `[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+`

// entraPattern finds Entra ID accounts as Windows writes them: AzureAD\alex.
const entraPattern = `(?i:\bAzureAD\\[^\s"',;\\]+)`

// accountREs find user names in the outputs of the commands caafix sends,
// so that the names are known before they show up elsewhere (a policy
// reason, a later command). Each has one group: the name.
var accountREs = []*regexp.Regexp{
	// cmdkey /list: "User: alex" (de-DE "Benutzer: alex").
	regexp.MustCompile(`(?im)^[ \t]*(?:User|Benutzer)[ \t]*:[ \t]*([^\s<][^\r\n]*?)[ \t]*\r?$`),
	// dsregcmd /status: "Executing Account Name : AzureAD\alex, alex@contoso.com".
	regexp.MustCompile(`(?im)Executing Account Name[ \t]*:[ \t]*([^,\r\n]+?)[ \t]*(?:,|\r?$)`),
	// whoami /user /fo csv /nh: "azuread\alex","S-1-12-1-…".
	regexp.MustCompile(`(?m)^"([^"\\\r\n]+\\[^"\r\n]+)","S-1-`),
	// a text that is one DOMAIN\name and nothing else: Win32_ComputerSystem's
	// UserName, the facts' user.
	// A domain has no spaces; a local account's name may.
	regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*\\[^\\"\r\n]*[^\\"\s])\s*$`),
}

// tokenRE matches a pseudonym that token made.
var tokenRE = regexp.MustCompile(`^user-[0-9a-f]{12}$`)

// serviceAccounts are Windows' own accounts: not people, and their names
// (SYSTEM) are words the log needs.
var serviceAccounts = []string{"system", "local service", "network service", "nt authority"}

// redactor replaces users with keyed pseudonyms. It learns the user names
// it meets in the outputs caafix reads (see accountREs) and the values of
// user members, and replaces them wherever they appear later. A nil
// redactor changes nothing.
type redactor struct {
	key   []byte
	names []string        // learned names, lower case
	known map[string]bool // the same, as a set
	re    *regexp.Regexp  // e-mail addresses, Entra accounts and the learned names
}

func newRedactor(key []byte) *redactor {
	r := &redactor{key: bytes.Clone(key), known: map[string]bool{}}
	r.compile()
	return r
}

func (r *redactor) compile() {
	alts := []string{emailPattern, entraPattern}
	for _, n := range r.names {
		alts = append(alts, `(?i:\b`+regexp.QuoteMeta(n)+`\b)`)
	}
	r.re = regexp.MustCompile(strings.Join(alts, "|"))
}

// token is the pseudonym of a user: the same user (ignoring case) always
// gets the same token under one key, so reviewers can still group by user.
func (r *redactor) token(user string) string {
	mac := hmac.New(sha256.New, r.key)
	mac.Write([]byte(strings.ToLower(user)))
	return "user-" + hex.EncodeToString(mac.Sum(nil))[:12]
}

// learn remembers a user name, and for DOMAIN\name the name alone too,
// unless it is a Windows service account, a computer account (name$), a
// pseudonym already (text redacted once, such as a bundle's audit lines)
// or too short to replace safely.
func (r *redactor) learn(name string) {
	// Valid UTF-8: the name becomes part of a regular expression.
	name = strings.ToLower(strings.ToValidUTF8(strings.TrimSpace(name), "\uFFFD"))
	if strings.Contains(name, "@") {
		return // the e-mail pattern finds it anywhere
	}
	cands := []string{name}
	if _, account, ok := strings.Cut(name, `\`); ok {
		cands = append(cands, account)
	}
	added := false
	for _, n := range cands {
		if len(n) < 3 || strings.HasSuffix(n, "$") || tokenRE.MatchString(n) || r.known[n] || strings.HasPrefix(n, `nt authority\`) || slices.Contains(serviceAccounts, n) {
			continue
		}
		r.known[n] = true
		r.names = append(r.names, n)
		added = true
	}
	if added {
		// Longest first: AzureAD\alex before alex.
		slices.SortStableFunc(r.names, func(a, b string) int { return len(b) - len(a) })
		r.compile()
	}
}

// text learns the user names in s, then replaces every e-mail address,
// Entra account and known user name in it with its token.
func (r *redactor) text(s string) string {
	if r == nil || s == "" {
		return s
	}
	for _, re := range accountREs {
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			r.learn(m[1])
		}
	}
	return r.re.ReplaceAllStringFunc(s, r.token)
}

// user redacts the whole value of a member named user.
func (r *redactor) user(v string) string {
	if v == "" {
		return v
	}
	r.learn(v)
	return r.token(v)
}

// walk redacts a decoded JSON value found under key: the whole value of a
// member named user, and user names in every other string and map key.
func (r *redactor) walk(key string, v any) any {
	switch v := v.(type) {
	case string:
		if key == "user" {
			return r.user(v)
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

// Redact returns s with user names and e-mail addresses replaced as in
// the audit log, for output beside it (the summary line); s unchanged when
// the trail does not redact.
func (t *Trail) Redact(s string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.red.text(s)
}

// RedactJSON redacts a JSON document as the trail redacts its events: the
// values of members named user whole, user names in other strings. It
// returns b unchanged when the trail does not redact.
func (t *Trail) RedactJSON(b []byte) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.red.json("", b)
}

// json redacts the JSON value b found under key, as walk does; b as it is
// for a nil redactor.
func (r *redactor) json(key string, b []byte) ([]byte, error) {
	if r == nil {
		return b, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return marshal(r.walk(key, tree))
}

// LoadRedactKey returns the redaction key in the file at path, creating
// it (32 random bytes, hex, mode 0600) when there is none. A key made per
// device groups a user within that device's logs only; configure one key
// for the fleet to group users across devices.
func LoadRedactKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key := bytes.TrimSpace(b)
		if len(key) < MinRedactKey {
			return nil, fmt.Errorf("redaction key %s: %d bytes, fewer than %d: delete it to have a new one made, or configure audit.redact_key", path, len(key), MinRedactKey)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the redaction key %s: %w", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := []byte(hex.EncodeToString(raw))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the redaction key %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadRedactKey(path) // made meanwhile by another process
	}
	if err != nil {
		return nil, fmt.Errorf("create the redaction key %s: %w", path, err)
	}
	_, err = f.Write(append(key, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write the redaction key %s: %w", path, err)
	}
	return key, nil
}
