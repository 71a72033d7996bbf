package signing

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/caafix/caafix/outcome"
)

// seedVectors adds the message and signature of every minisign test vector
// to a fuzz corpus.
func seedVectors(f *testing.F, add func(message, sig []byte)) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "vectors", "*.txt"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed vectors in testdata/vectors: %v", err)
	}
	for _, file := range files {
		v := readVector(f, file)
		add(v.message, v.sig)
	}
}

// FuzzVerify feeds arbitrary .minisig text (the signature-file parser) and
// messages to Verify. Whatever it gets, it must not panic, must refuse with
// a *Error of outcome trust, and must never accept: no key signed the fuzzed
// bytes except in the seeds, where the trusted key's vectors verify.
func FuzzVerify(f *testing.F) {
	trust, err := NewTrustStore([]string{readVector(f, filepath.Join("testdata", "vectors", "ok-prehashed.txt")).trust[0]})
	if err != nil {
		f.Fatal(err)
	}
	seedVectors(f, func(m, s []byte) { f.Add(m, s) })
	f.Add([]byte("x"), []byte("untrusted comment: \n\n\n"))
	f.Add([]byte("x"), []byte("untrusted comment: c\nRUQAAAAAAAAAAA==\ntrusted comment: \n\n"))
	f.Fuzz(func(t *testing.T, message, sig []byte) {
		signer, err := Verify(message, sig, trust)
		if err == nil {
			// Only a real signature by the trusted key gets here; then the
			// signer must name that key.
			if signer.KeyID != KeyID(firstKey(trust)) {
				t.Fatalf("accepted with signer %q", signer.KeyID)
			}
			return
		}
		var se *Error
		if !errors.As(err, &se) || outcome.Of(err) != outcome.Trust {
			t.Fatalf("Verify error %v (%T) is not a trust *Error", err, err)
		}
		if se.Error() == "" || se.UserHint() == "" {
			t.Fatalf("reason %s has no message or hint", se.Reason)
		}
	})
}

func firstKey(t *TrustStore) uint64 {
	for id := range t.keys {
		return id
	}
	return 0
}

// FuzzParseComment: the trusted-comment parser never panics, keeps the
// text, and shows it on one line without control or formatting characters.
func FuzzParseComment(f *testing.F) {
	seedVectors(f, func(_, sig []byte) {
		for _, line := range strings.Split(string(sig), "\n") {
			if c, ok := strings.CutPrefix(line, "trusted comment: "); ok {
				f.Add(c)
			}
		}
	})
	for _, s := range []string{
		"caafix runbook small version 3 signed 2026-11-28T12:00:00Z",
		"timestamp:1795867200\tfile:small.yaml\thashed",
		"timestamp:253402300799\tfile:x",
		"timestamp:-1",
		"caafix runbook a version 99999999999999999999 signed 2026-11-28T12:00:00Z",
		"ok\x1b[2J\u202e\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := ParseComment(s)
		if c.Text != s {
			t.Fatalf("Text %q, want %q", c.Text, s)
		}
		shown := c.String()
		if !utf8.ValidString(shown) {
			t.Fatalf("String() %q is not valid UTF-8", shown)
		}
		for _, r := range shown {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("String() %q holds %U", shown, r)
			}
		}
		if c.Version < 0 || (c.Version > 0) != (c.Name != "") {
			t.Fatalf("caafix fields half set: %+v", c)
		}
	})
}
