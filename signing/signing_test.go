package signing

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGenerateSignVerify(t *testing.T) {
	t.Parallel()
	// Unencrypted: minisign's scrypt cost takes many seconds under -race;
	// the encrypted path is covered by tests/testdata/script/signing.txtar.
	pub, sec, err := GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	if IsEncrypted(sec) {
		t.Fatal("a key generated without a password is encrypted")
	}
	key, err := ParseSecretKey(sec, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pubFile := filepath.Join(dir, "caafix.pub")
	if err := os.WriteFile(pubFile, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	line := strings.Split(strings.TrimSpace(string(pub)), "\n")[1]
	for _, value := range []string{line, pubFile} {
		trust, err := NewTrustStore([]string{value})
		if err != nil {
			t.Fatalf("NewTrustStore(%q): %v", value, err)
		}
		msg := []byte(runbookText)
		comment := TrustedComment("small", 3, time.Now())
		sig, err := Sign(msg, key, comment)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := Verify(msg, sig, trust)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if signer.KeyID != key.KeyID() || signer.TrustedComment != comment || !signer.Prehashed {
			t.Errorf("signer = %+v, want key %s, comment %q, prehashed", signer, key.KeyID(), comment)
		}
	}
}

func TestSignRefusesMultiLineComment(t *testing.T) {
	t.Parallel()
	key, _ := testKey(t)
	if _, err := Sign([]byte("x"), key, "a\ntrusted comment: b"); err == nil {
		t.Fatal("a two-line trusted comment was accepted")
	}
}

func TestParsePublicKeyRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, value string }{
		{"empty value", " "},
		{"not base64", "RWQ!!!!"},
		{"missing file", filepath.Join(t.TempDir(), "none.pub")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ParsePublicKey(c.value); err == nil {
				t.Fatalf("ParsePublicKey(%q) accepted it", c.value)
			}
		})
	}
}

func TestVerifyFileUnsignedAndEmpty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rb := filepath.Join(dir, "small.yaml")
	cases := []struct {
		name string
		sig  *string // nil: no .minisig
		want Reason
	}{
		{"no signature file is unsigned", nil, Unsigned},
		{"empty signature file is malformed", new(string), Malformed},
	}
	for _, c := range cases {
		if c.sig != nil {
			if err := os.WriteFile(SignatureFile(rb), []byte(*c.sig), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := VerifyFile(rb, []byte(runbookText), nil)
		var se *Error
		if !errors.As(err, &se) || se.Reason != c.want || se.File != rb {
			t.Errorf("%s: VerifyFile = %v, want %s naming %s", c.name, err, c.want, rb)
		}
	}
}

// Base64 key lines may hold '/': such a line is still a key, not a path.
func TestKeyLineWithSlashIsAKey(t *testing.T) {
	t.Parallel()
	for i := 0; i < 500; i++ {
		pub, _, err := GenerateKey("")
		if err != nil {
			t.Fatal(err)
		}
		line := strings.TrimSpace(string(pub[strings.LastIndexByte(strings.TrimSpace(string(pub)), '\n')+1:]))
		if !strings.Contains(line, "/") {
			continue
		}
		if _, err := ParsePublicKey(line); err != nil {
			t.Fatalf("ParsePublicKey(%q): %v", line, err)
		}
		return
	}
	t.Skip("no key with a slash in 500 tries")
}

// A signature whose trusted comment was edited is refused, and the error
// says it is the comment, not the file, that changed; a changed file is
// reported as such.
func TestEditedTrustedCommentIsNamed(t *testing.T) {
	t.Parallel()
	key, trust := testKey(t)
	msg := []byte(runbookText)
	sig, err := Sign(msg, key, TrustedComment("small", 3, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(sig, []byte("version 3"), []byte("version 9"), 1)
	if bytes.Equal(edited, sig) {
		t.Fatal("the signature has no 'version 3' to edit")
	}
	_, err = Verify(msg, edited, trust)
	if err == nil || !strings.Contains(err.Error(), "its trusted comment was changed after signing") {
		t.Errorf("edited comment: %v, want it named", err)
	}
	_, err = Verify(append([]byte{}, append(msg, ' ')...), sig, trust)
	if err == nil || !strings.Contains(err.Error(), "the file was changed after signing") {
		t.Errorf("changed file: %v, want the file named", err)
	}
}

// testKey is an unencrypted key (minisign's scrypt cost takes seconds
// under -race) and a trust store that holds its public key.
func testKey(t *testing.T) (SecretKey, *TrustStore) {
	t.Helper()
	pub, sec, err := GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseSecretKey(sec, "")
	if err != nil {
		t.Fatal(err)
	}
	trust, err := NewTrustStore([]string{strings.Split(strings.TrimSpace(string(pub)), "\n")[1]})
	if err != nil {
		t.Fatal(err)
	}
	return key, trust
}
