package signing

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// MaxCMSSize is the largest .p7s accepted, in bytes: a signature with a
// certificate chain of a few certificates is a few kilobytes.
const MaxCMSSize = 256 << 10

// CMSSignatureFile returns the detached CMS (PKCS #7) signature's path for
// a runbook file.
func CMSSignatureFile(runbook string) string { return runbook + ".p7s" }

// A Certificate is the X.509 certificate that signed a runbook, as a
// verified CMS signature tells it.
type Certificate struct {
	// Names are shown with control and formatting characters replaced.
	Subject    string    // the subject's distinguished name
	CommonName string    // the subject's CN, "" when it has none
	Issuer     string    // the issuer's distinguished name
	SHA256     string    // the SHA-256 fingerprint of the certificate, lower-case hex
	NotAfter   time.Time // when the certificate expires; the runbook must be signed again before
	Chain      []string  // subjects from the signer to the trusted anchor
	// SigningTime is the signing-time attribute, when present: the
	// signer's own claim, shown to people, never used to check validity.
	SigningTime time.Time
}

// ID names the certificate in the audit log and in messages:
// "x509:CN=NAME sha256:" and the first 16 hex digits of its fingerprint.
func (c Certificate) ID() string {
	name := "CN=" + c.CommonName
	if c.CommonName == "" {
		name = c.Subject
	}
	return "x509:" + name + " sha256:" + c.SHA256[:16]
}

func describe(cert *x509.Certificate) Certificate {
	sum := sha256.Sum256(cert.Raw)
	return Certificate{
		Subject:    printable(cert.Subject.String()),
		CommonName: printable(cert.Subject.CommonName),
		Issuer:     printable(cert.Issuer.String()),
		SHA256:     hex.EncodeToString(sum[:]),
		NotAfter:   cert.NotAfter,
	}
}

// VerifyCMS checks that sig, a .p7s file (DER, or PEM as "openssl cms
// -outform PEM" writes it), is a detached CMS signature of exactly data by
// a certificate that chains to an anchor in trust, is valid now, and is
// for code signing. It parses nothing of data.
func VerifyCMS(data, sig []byte, trust *TrustStore) (Signer, error) {
	return verifyCMS(data, sig, trust, time.Now())
}

// Signed-data digests caafix accepts. SHA-1 and MD5 are refused: a chosen-
// prefix collision would let one signature cover two runbooks.
var cmsDigests = map[string]string{
	pkcs7.OIDDigestAlgorithmSHA256.String(): "SHA-256",
	pkcs7.OIDDigestAlgorithmSHA384.String(): "SHA-384",
	pkcs7.OIDDigestAlgorithmSHA512.String(): "SHA-512",
}

// verifyCMS is VerifyCMS at the time now. The order of the checks decides
// which one a refusal names: the signature's form, then whom it names
// (chain, validity, usage), then whether it covers data.
func verifyCMS(data, sig []byte, trust *TrustStore, now time.Time) (Signer, error) {
	fail := func(r Reason, cert *x509.Certificate, err error) (Signer, error) {
		e := &Error{Reason: r, CMS: true, Err: err}
		if cert != nil {
			e.Cert = describe(cert).ID()
		}
		return Signer{}, e
	}
	if len(sig) == 0 {
		return fail(Unsigned, nil, nil)
	}
	if len(sig) > MaxCMSSize {
		return fail(Malformed, nil, fmt.Errorf("it is %d bytes; a signature with its certificates is a few thousand", len(sig)))
	}
	p7, err := parseCMS(sig)
	if err != nil {
		return fail(Malformed, nil, err)
	}
	leaf := p7.GetOnlySigner()
	if leaf == nil {
		return fail(Malformed, nil, errors.New("the signer's certificate is not in it: sign with the certificate included (not openssl's -nocerts), identified by issuer and serial number (not openssl's -keyid)"))
	}
	si := p7.Signers[0]
	if _, ok := cmsDigests[si.DigestAlgorithm.Algorithm.String()]; !ok {
		return fail(WeakAlgorithm, leaf, fmt.Errorf("digest algorithm %s", digestName(si.DigestAlgorithm.Algorithm)))
	}
	chain, err := verifyChain(leaf, p7.Certificates, trust, now)
	if err != nil {
		return Signer{}, err
	}
	if len(si.AuthenticatedAttributes) > 0 {
		var ct asn1.ObjectIdentifier
		if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeContentType, &ct); err != nil || !ct.Equal(pkcs7.OIDData) {
			return fail(Malformed, leaf, errors.New("its signed content-type attribute is missing or is not data"))
		}
	}
	// With signed attributes pkcs7 checks the messageDigest attribute
	// against data and the signature over the attributes; without, the
	// signature over data. It checks no certificate: that was done above.
	p7.Content = data
	var early *pkcs7.SigningTimeNotValidError
	if err := p7.Verify(); errors.As(err, &early) {
		return fail(CertExpired, leaf, fmt.Errorf("its signing-time attribute, %s, lies outside the certificate's validity",
			early.SigningTime.UTC().Format(time.RFC3339)))
	} else if err != nil {
		return fail(BadSignature, leaf, err)
	}
	c := describe(leaf)
	for _, cert := range chain {
		c.Chain = append(c.Chain, printable(cert.Subject.String()))
	}
	var signed time.Time
	if p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signed) == nil {
		c.SigningTime = signed.UTC()
	}
	return Signer{Certificate: &c}, nil
}

// parseCMS reads a detached signed-data message with exactly one signer.
func parseCMS(sig []byte) (*pkcs7.PKCS7, error) {
	der := sig
	if t := bytes.TrimSpace(sig); bytes.HasPrefix(t, []byte("-----BEGIN")) {
		block, rest := pem.Decode(t)
		if block == nil || (block.Type != "CMS" && block.Type != "PKCS7") || len(bytes.TrimSpace(rest)) > 0 {
			return nil, errors.New("it is PEM but not one CMS or PKCS7 block")
		}
		der = block.Bytes
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("not CMS signed data: %v", err)
	}
	switch {
	case len(p7.Signers) != 1:
		return nil, fmt.Errorf("it holds %d signers; caafix accepts exactly one", len(p7.Signers))
	case len(p7.Content) > 0:
		return nil, errors.New("it carries the runbook inside (attached); sign detached: openssl cms -sign without -nodetach, or SignedCms with detached set to true")
	}
	return p7, nil
}

// verifyChain checks that leaf chains to a trusted anchor through the
// certificates of the message, that every certificate of the chain is
// valid at now, and that the leaf and the chain permit code signing.
// crypto/x509 treats a certificate without extended key usage as good for
// any use; caafix requires codeSigning on the signer explicitly.
func verifyChain(leaf *x509.Certificate, bag []*x509.Certificate, trust *TrustStore, now time.Time) ([]*x509.Certificate, error) {
	fail := func(r Reason, err error) error {
		return &Error{Reason: r, CMS: true, Cert: describe(leaf).ID(), Err: err}
	}
	if trust == nil || len(trust.anchors) == 0 {
		return nil, fail(Untrusted, errors.New("trust.certificates is empty"))
	}
	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	for _, a := range trust.anchors {
		roots.AddCert(a)
	}
	for _, c := range bag {
		if c != leaf {
			intermediates.AddCert(c)
		}
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	})
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	switch {
	case err == nil:
	case errors.As(err, &unknown):
		return nil, fail(Untrusted, fmt.Errorf("no certificate in trust.certificates issued it or a CA in the .p7s above it (its issuer is %s)", printable(leaf.Issuer.String())))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return nil, fail(CertExpired, fmt.Errorf("%s is valid from %s to %s, and now is %s",
			printable(invalid.Cert.Subject.String()), invalid.Cert.NotBefore.UTC().Format(time.RFC3339),
			invalid.Cert.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage:
		if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageCodeSigning) {
			return nil, fail(NotCodeSigning, fmt.Errorf("its extended key usage is %s, not codeSigning", usages(leaf)))
		}
		return nil, fail(NotCodeSigning, errors.New("an issuing CA of its chain restricts extended key usage to purposes without codeSigning"))
	default:
		return nil, fail(Untrusted, err)
	}
	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageCodeSigning) {
		return nil, fail(NotCodeSigning, fmt.Errorf("its extended key usage is %s, not codeSigning", usages(leaf)))
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, fail(NotCodeSigning, errors.New("its key usage does not include digitalSignature"))
	}
	return chains[0], nil
}

var usageNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "any",
	x509.ExtKeyUsageServerAuth:      "serverAuth",
	x509.ExtKeyUsageClientAuth:      "clientAuth",
	x509.ExtKeyUsageCodeSigning:     "codeSigning",
	x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageTimeStamping:    "timeStamping",
	x509.ExtKeyUsageOCSPSigning:     "OCSPSigning",
}

// usages lists a certificate's extended key usages for a message.
func usages(c *x509.Certificate) string {
	var names []string
	for _, u := range c.ExtKeyUsage {
		if n, ok := usageNames[u]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("usage(%d)", int(u)))
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	if len(names) == 0 {
		return "not set (which would allow any use)"
	}
	return strings.Join(names, ", ")
}

func digestName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA1):
		return "SHA-1"
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}):
		return "MD5"
	}
	return oid.String()
}
