package signing

import (
	"bytes"
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

// FuzzVerifyCMS feeds arbitrary .p7s bytes (the CMS parse path: PEM, the
// pkcs7 parser, the certificate chain) and messages to verifyCMS. It must
// not panic, must refuse with a trust *Error, and accepts only the seeds'
// genuine signature of the seed runbook.
func FuzzVerifyCMS(f *testing.F) {
	trust := x509Trust(f, "root.pem")
	runbook := x509File(f, "runbook.yaml")
	files, err := filepath.Glob(filepath.Join(x509Dir, "*.p7s"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed signatures in %s: %v", x509Dir, err)
	}
	for _, file := range files {
		f.Add(runbook, x509File(f, filepath.Base(file)))
	}
	f.Add(runbook, []byte("-----BEGIN CMS-----\nMAA=\n-----END CMS-----\n"))
	f.Add([]byte{}, []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, message, sig []byte) {
		signer, err := VerifyCMS(message, sig, trust)
		if err == nil {
			if !bytes.Equal(message, runbook) || signer.Certificate == nil || !strings.HasPrefix(signer.Certificate.CommonName, "caafix test code signing") {
				t.Fatalf("accepted %q signed by %+v", message, signer.Certificate)
			}
			return
		}
		var se *Error
		if !errors.As(err, &se) || !se.CMS || outcome.Of(err) != outcome.Trust {
			t.Fatalf("VerifyCMS error %v (%T) is not a CMS trust *Error", err, err)
		}
		if se.Error() == "" || se.UserHint() == "" {
			t.Fatalf("reason %s has no message or hint", se.Reason)
		}
	})
}
