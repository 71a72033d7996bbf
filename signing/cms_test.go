package signing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/outcome"
)

// x509Dir holds the test PKI and signatures; gen.sh there regenerates them.
var x509Dir = filepath.Join("testdata", "x509")

func x509File(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(x509Dir, name))
	if err != nil {
		t.Fatalf("%v (regenerate with bash signing/testdata/x509/gen.sh)", err)
	}
	return b
}

func x509Trust(t testing.TB, anchors ...string) *TrustStore {
	t.Helper()
	trust, err := NewTrustStore(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range anchors {
		if err := trust.AddCertificates([]string{filepath.Join(x509Dir, a)}); err != nil {
			t.Fatal(err)
		}
	}
	return trust
}

func TestVerifyCMS(t *testing.T) {
	t.Parallel()
	runbook := x509File(t, "runbook.yaml")
	oneByte := bytes.Clone(runbook)
	oneByte[len(oneByte)-2] ^= 0x01
	other := bytes.Replace(runbook, []byte("name: small"), []byte("name: other"), 1)
	minisig := readVector(t, filepath.Join("testdata", "vectors", "ok-prehashed.txt")).sig
	now := time.Now()
	cases := []struct {
		name    string
		sig     string // a file in testdata/x509, or literal text after "text:"
		message []byte
		anchors []string
		at      time.Time
		want    string // a reason, or "ok"
		signer  string // the signer's CN, for ok
	}{
		{"openssl DER signature with signed attributes verifies", "codesign.p7s", runbook, []string{"root.pem"}, now, "ok", "caafix test code signing"},
		{"signature without signed attributes verifies", "codesign-noattr.p7s", runbook, []string{"root.pem"}, now, "ok", "caafix test code signing"},
		{"SHA-512 digest verifies", "codesign-sha512.p7s", runbook, []string{"root.pem"}, now, "ok", "caafix test code signing"},
		{"PEM signature verifies", "codesign-pem.p7s", runbook, []string{"root.pem"}, now, "ok", "caafix test code signing"},
		{"ECDSA signature verifies", "codesign-ec.p7s", runbook, []string{"root.pem"}, now, "ok", "caafix test code signing EC"},
		{"issuing CA as the anchor verifies", "codesign.p7s", runbook, []string{"int.pem"}, now, "ok", "caafix test code signing"},
		{"pinned signer certificate verifies", "codesign.p7s", runbook, []string{"codesign.pem"}, now, "ok", "caafix test code signing"},
		{"missing intermediate with the issuing CA trusted verifies", "codesign-nochain.p7s", runbook, []string{"int.pem"}, now, "ok", "caafix test code signing"},
		{"one byte changed is a bad signature", "codesign.p7s", oneByte, []string{"root.pem"}, now, "bad-signature", ""},
		{"one byte changed without signed attributes is a bad signature", "codesign-noattr.p7s", oneByte, []string{"root.pem"}, now, "bad-signature", ""},
		{"one byte changed under ECDSA is a bad signature", "codesign-ec.p7s", oneByte, []string{"root.pem"}, now, "bad-signature", ""},
		{"signature of another runbook is a bad signature", "codesign.p7s", other, []string{"root.pem"}, now, "bad-signature", ""},
		{"serverAuth-only certificate may not sign code", "server.p7s", runbook, []string{"root.pem"}, now, "not-code-signing", ""},
		{"certificate without extended key usage may not sign code", "noeku.p7s", runbook, []string{"root.pem"}, now, "not-code-signing", ""},
		{"chain through a serverAuth-only CA may not sign code", "underserver.p7s", runbook, []string{"root.pem"}, now, "not-code-signing", ""},
		{"expired certificate is refused", "expired.p7s", runbook, []string{"root.pem"}, now, "expired-certificate", ""},
		{"valid certificate is refused after it expires", "codesign.p7s", runbook, []string{"root.pem"}, now.AddDate(101, 0, 0), "expired-certificate", ""},
		{"valid certificate is refused before it is valid", "codesign.p7s", runbook, []string{"root.pem"}, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), "expired-certificate", ""},
		{"signing time before the certificate's validity is refused", "future.p7s", runbook, []string{"root.pem"}, time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC), "expired-certificate", ""},
		{"other PKI's root is untrusted", "other.p7s", runbook, []string{"root.pem"}, now, "untrusted-certificate", ""},
		{"no trusted certificates trusts nothing", "codesign.p7s", runbook, nil, now, "untrusted-certificate", ""},
		{"missing intermediate with only the root trusted is untrusted", "codesign-nochain.p7s", runbook, []string{"root.pem"}, now, "untrusted-certificate", ""},
		{"trusting another root does not help", "codesign.p7s", runbook, []string{"other-root.pem"}, now, "untrusted-certificate", ""},
		{"SHA-1 digest is refused", "codesign-sha1.p7s", runbook, []string{"root.pem"}, now, "weak-algorithm", ""},
		{"signature without the signer's certificate is malformed", "codesign-nocerts.p7s", runbook, []string{"root.pem"}, now, "malformed", ""},
		{"attached signature is malformed", "codesign-attached.p7s", runbook, []string{"root.pem"}, now, "malformed", ""},
		{"a certificate is no signature", "codesign.pem", runbook, []string{"root.pem"}, now, "malformed", ""},
		{"a minisign signature is no CMS signature", "text:" + string(minisig), runbook, []string{"root.pem"}, now, "malformed", ""},
		{"garbage is malformed", "text:this is not a signature\n", runbook, []string{"root.pem"}, now, "malformed", ""},
		{"empty is unsigned", "text:", runbook, []string{"root.pem"}, now, "unsigned", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var sig []byte
			if text, ok := strings.CutPrefix(c.sig, "text:"); ok {
				sig = []byte(text)
			} else {
				sig = x509File(t, c.sig)
			}
			signer, err := verifyCMS(c.message, sig, x509Trust(t, c.anchors...), c.at)
			if c.want == "ok" {
				if err != nil {
					t.Fatalf("verifyCMS: %v", err)
				}
				if signer.Certificate == nil || signer.Certificate.CommonName != c.signer || signer.KeyID != "" {
					t.Fatalf("signer %+v, want certificate CN %q", signer, c.signer)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("verifyCMS = %v, want a *signing.Error %s", err, c.want)
			}
			if se.Reason.String() != c.want || !se.CMS {
				t.Errorf("reason %s (cms %v), want %s: %v", se.Reason, se.CMS, c.want, err)
			}
			if outcome.Of(err) != outcome.Trust || se.UserHint() == "" {
				t.Errorf("outcome %v, hint %q: want trust-error with a hint", outcome.Of(err), se.UserHint())
			}
		})
	}
}

// A torn-off or truncated .p7s is refused as malformed, never accepted.
func TestVerifyCMSTruncated(t *testing.T) {
	t.Parallel()
	runbook, sig, trust := x509File(t, "runbook.yaml"), x509File(t, "codesign.p7s"), x509Trust(t, "root.pem")
	for n := 0; n < len(sig); n += 97 {
		if _, err := VerifyCMS(runbook, sig[:n], trust); err == nil {
			t.Fatalf("%d of %d bytes verified", n, len(sig))
		}
	}
}

func TestCertificateID(t *testing.T) {
	t.Parallel()
	signer, err := VerifyCMS(x509File(t, "runbook.yaml"), x509File(t, "codesign.p7s"), x509Trust(t, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(x509File(t, "codesign.pem"))
	sum := sha256.Sum256(block.Bytes)
	c := signer.Certificate
	if c.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("fingerprint %s, want %x", c.SHA256, sum)
	}
	if want := "x509:CN=caafix test code signing sha256:" + c.SHA256[:16]; signer.Name() != want || c.ID() != want {
		t.Errorf("Name() %q, ID() %q, want %q", signer.Name(), c.ID(), want)
	}
	if len(c.Chain) != 3 || !strings.Contains(c.Chain[2], "caafix test root") {
		t.Errorf("chain %q, want signer, issuing CA, root", c.Chain)
	}
	if c.SigningTime.IsZero() {
		t.Error("no signing time from openssl's signed attributes")
	}
}

// VerifyFile finds RUNBOOK.minisig, RUNBOOK.p7s or both; with both, both
// must verify.
func TestVerifyFileFormats(t *testing.T) {
	t.Parallel()
	runbook := x509File(t, "runbook.yaml")
	key, trust := testKey(t)
	minisig, err := Sign(runbook, key, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := trust.AddCertificates([]string{filepath.Join(x509Dir, "root.pem")}); err != nil {
		t.Fatal(err)
	}
	id := regexp.QuoteMeta(key.KeyID())
	x509ID := `x509:CN=caafix test code signing sha256:[0-9a-f]{16}`
	cases := []struct {
		name    string
		minisig []byte
		p7s     string
		want    string // the signer's Name, or the error, as a regexp
	}{
		{"minisign only", minisig, "", "^" + id + "$"},
		{"X.509 only", nil, "codesign.p7s", "^" + x509ID + "$"},
		{"both verify: both named", minisig, "codesign.p7s", "^" + id + " \\+ " + x509ID + "$"},
		{"both, X.509 not for code signing: refused", minisig, "server.p7s", `rb.yaml: signed by certificate x509:CN=caafix test web server sha256:[0-9a-f]{16}, which may not sign code`},
		{"both, minisign signature of another file: refused", []byte(readVectorSig(t)), "codesign.p7s", `rb.yaml: (bad signature|signed by key)`},
		{"neither: unsigned names both files", nil, "", `rb.yaml: not signed: no .*rb.yaml.minisig or .*rb.yaml.p7s next to it$`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rb := filepath.Join(t.TempDir(), "rb.yaml")
			if err := os.WriteFile(rb, runbook, 0o644); err != nil {
				t.Fatal(err)
			}
			if c.minisig != nil {
				if err := os.WriteFile(SignatureFile(rb), c.minisig, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if c.p7s != "" {
				if err := os.WriteFile(CMSSignatureFile(rb), x509File(t, c.p7s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			signer, err := VerifyFile(rb, runbook, trust)
			got := signer.Name()
			if err != nil {
				got = err.Error()
			}
			if !regexp.MustCompile(c.want).MatchString(got) {
				t.Errorf("got %q, want match %q", got, c.want)
			}
		})
	}
}

func readVectorSig(t *testing.T) string {
	return string(readVector(t, filepath.Join("testdata", "vectors", "ok-prehashed.txt")).sig)
}

func TestParseCertificates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	root, inter := x509File(t, "root.pem"), x509File(t, "int.pem")
	block, _ := pem.Decode(root)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name  string
		value string
		certs int
		err   string
	}{
		{"inline PEM", string(root), 1, ""},
		{"PEM file with two certificates", write("bundle.pem", append(bytes.Clone(root), inter...)), 2, ""},
		{"DER .cer file", write("root.cer", block.Bytes), 1, ""},
		{"a private key is refused", write("key.pem", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")), 0, "holds a PRIVATE KEY block"},
		{"a missing file", filepath.Join(dir, "nope.pem"), 0, "neither inline PEM nor a readable certificate file"},
		{"garbage file", write("junk.cer", []byte("junk")), 0, "neither PEM nor a DER certificate"},
		{"broken inline PEM", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0, "certificate 1"},
		{"empty", "  ", 0, "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			certs, err := ParseCertificates(c.value)
			if c.err == "" {
				if err != nil || len(certs) != c.certs {
					t.Fatalf("ParseCertificates: %d certificates, %v; want %d", len(certs), err, c.certs)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("ParseCertificates error %v, want %q", err, c.err)
			}
		})
	}
}
