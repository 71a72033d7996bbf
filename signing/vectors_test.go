package signing

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aead.dev/minisign"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/caafix/caafix/outcome"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors")

// A vector is one case: a header (expect:, trust:, signer:), the message
// and, unless the case is unsigned, the signature text.
type vector struct {
	expect, signer string
	trust          []string
	message, sig   []byte
}

const runbookText = `apiVersion: caafix/v1
kind: Runbook
name: small
version: 3
title: Just the WAM cache
steps:
  - id: wam
    uses: dsregcmd.cleanupaccounts
`

// makeVectors builds every case from two fresh keys; -update writes them.
func makeVectors(t *testing.T) map[string]vector {
	t.Helper()
	pub, priv, err := minisign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	otherPub, other, err := minisign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	key := SecretKey{priv}
	trust := []string{pub.String()}
	id := KeyID(pub.ID())
	msg := []byte(runbookText)
	comment := TrustedComment("small", 3, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
	ed, err := Sign(msg, key, comment)
	if err != nil {
		t.Fatal(err)
	}
	legacy := minisign.SignWithComments(priv, msg, comment, "signature from minisign secret key")
	// minisign's own default trusted comment, as "minisign -S" writes it.
	toolComment := "timestamp:1764331200\tfile:small.yaml\thashed"
	tool, err := Sign(msg, key, toolComment)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(msg, []byte("version: 3"), []byte("version: 4"), 1)
	oneByte := append([]byte(nil), msg...)
	oneByte[len(oneByte)-2] ^= 0x01
	otherFile := []byte(strings.Replace(runbookText, "small", "other", 1))
	otherSig, err := Sign(otherFile, key, comment)
	if err != nil {
		t.Fatal(err)
	}
	changedComment := bytes.Replace(ed, []byte("version 3"), []byte("version 9"), 1)
	untrusted, err := Sign(msg, SecretKey{other}, comment)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]vector{
		"ok-prehashed":                  {expect: "ok", signer: id, trust: trust, message: msg, sig: ed},
		"ok-legacy":                     {expect: "ok", signer: id, trust: trust, message: msg, sig: legacy},
		"ok-minisign-default-comment":   {expect: "ok", signer: id, trust: trust, message: msg, sig: tool},
		"ok-two-keys-trusted":           {expect: "ok", signer: id, trust: []string{otherPub.String(), pub.String()}, message: msg, sig: ed},
		"bad-signature-tampered":        {expect: "bad-signature", trust: trust, message: tampered, sig: ed},
		"bad-signature-one-byte":        {expect: "bad-signature", trust: trust, message: oneByte, sig: ed},
		"bad-signature-legacy-tampered": {expect: "bad-signature", trust: trust, message: tampered, sig: legacy},
		"bad-signature-other-file":      {expect: "bad-signature", trust: trust, message: msg, sig: otherSig},
		"bad-signature-trusted-comment": {expect: "bad-signature", trust: trust, message: msg, sig: changedComment},
		"unknown-key":                   {expect: "unknown-key", trust: trust, message: msg, sig: untrusted},
		"unknown-key-empty-trust":       {expect: "unknown-key", message: msg, sig: ed},
		"unsigned":                      {expect: "unsigned", trust: trust, message: msg},
		"malformed-garbage":             {expect: "malformed", trust: trust, message: msg, sig: []byte("this is not a signature\n")},
		"malformed-truncated":           {expect: "malformed", trust: trust, message: msg, sig: ed[:len(ed)/2]},
		"malformed-public-key":          {expect: "malformed", trust: trust, message: msg, sig: append([]byte("untrusted comment: minisign public key\n"+pub.String()+"\n"), '\n')},
	}
}

func writeVectors(t *testing.T, dir string, vs map[string]vector) {
	t.Helper()
	for name, v := range vs {
		var hdr strings.Builder
		hdr.WriteString("expect: " + v.expect + "\n")
		for _, k := range v.trust {
			hdr.WriteString("trust: " + k + "\n")
		}
		if v.signer != "" {
			hdr.WriteString("signer: " + v.signer + "\n")
		}
		a := &txtar.Archive{Comment: []byte(hdr.String()), Files: []txtar.File{{Name: "message", Data: v.message}}}
		if v.sig != nil {
			a.Files = append(a.Files, txtar.File{Name: "signature", Data: v.sig})
		}
		if err := os.WriteFile(filepath.Join(dir, name+".txt"), txtar.Format(a), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readVector(t testing.TB, path string) vector {
	t.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v vector
	for _, line := range strings.Split(strings.ReplaceAll(string(a.Comment), "\r\n", "\n"), "\n") {
		k, val, ok := strings.Cut(line, ": ")
		switch {
		case !ok:
		case k == "expect":
			v.expect = val
		case k == "trust":
			v.trust = append(v.trust, val)
		case k == "signer":
			v.signer = val
		}
	}
	for _, f := range a.Files {
		switch f.Name {
		case "message":
			v.message = f.Data
		case "signature":
			v.sig = f.Data
		}
	}
	if v.expect == "" {
		t.Fatalf("%s: no expect: header", path)
	}
	return v
}

func TestVectors(t *testing.T) {
	dir := filepath.Join("testdata", "vectors")
	if *update {
		old, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		for _, f := range old {
			os.Remove(f)
		}
		writeVectors(t, dir, makeVectors(t))
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no test vectors in testdata/vectors: run go test ./signing -run TestVectors -update")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			t.Parallel()
			v := readVector(t, file)
			trust, err := NewTrustStore(v.trust)
			if err != nil {
				t.Fatal(err)
			}
			signer, err := Verify(v.message, v.sig, trust)
			if v.expect == "ok" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if signer.KeyID != v.signer {
					t.Errorf("signer %q, want %q", signer.KeyID, v.signer)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("Verify = %v, want a *signing.Error %s", err, v.expect)
			}
			if se.Reason.String() != v.expect {
				t.Errorf("reason %s, want %s (%v)", se.Reason, v.expect, err)
			}
			if outcome.Of(err) != outcome.Trust {
				t.Errorf("outcome %v, want trust-error", outcome.Of(err))
			}
		})
	}
}
