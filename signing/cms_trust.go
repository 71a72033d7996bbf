package signing

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// AddCertificates adds trusted anchors for X.509 signatures (RUNBOOK.p7s)
// to t: each value is inline PEM or the path of a certificate file (see
// [ParseCertificates]). Anchors are usually the root or issuing CA of an
// organisation's code-signing PKI; a chain that reaches any of them is
// trusted, so configure no broader CA than the one that issues code-signing
// certificates.
func (t *TrustStore) AddCertificates(values []string) error {
	for _, v := range values {
		certs, err := ParseCertificates(v)
		if err != nil {
			return err
		}
		t.anchors = append(t.anchors, certs...)
	}
	return nil
}

// Certificates returns the number of trusted X.509 anchors.
func (t *TrustStore) Certificates() int {
	if t == nil {
		return 0
	}
	return len(t.anchors)
}

// MaxCertificateFileSize is the largest certificate file accepted, in bytes.
const MaxCertificateFileSize = 1 << 20

// IsInlinePEM tells a trust.certificates value written inline from a path.
func IsInlinePEM(value string) bool { return strings.Contains(value, "-----BEGIN") }

// ParseCertificates reads one trust.certificates value: inline PEM, or the
// path of a file holding PEM certificates or one DER certificate (an AD CS
// ".cer" export in either encoding). Blocks other than CERTIFICATE, such
// as a private key pasted by mistake, are refused.
func ParseCertificates(value string) ([]*x509.Certificate, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil, errors.New("empty: write a PEM certificate or the path of a certificate file")
	}
	text := []byte(v)
	where := "the inline PEM"
	if !IsInlinePEM(v) {
		var err error
		if text, err = readLimited(v, MaxCertificateFileSize); err != nil {
			return nil, fmt.Errorf("%q is neither inline PEM nor a readable certificate file: %w", v, err)
		}
		if len(text) > MaxCertificateFileSize {
			return nil, fmt.Errorf("%s is over %d bytes: not a certificate file", v, MaxCertificateFileSize)
		}
		where = v
	}
	if !bytes.Contains(text, []byte("-----BEGIN")) {
		cert, err := x509.ParseCertificate(text)
		if err != nil {
			return nil, fmt.Errorf("%s is neither PEM nor a DER certificate: %v", where, err)
		}
		return []*x509.Certificate{cert}, nil
	}
	var certs []*x509.Certificate
	for rest := text; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%s holds a %s block: only CERTIFICATE blocks belong in trust.certificates (keep private keys off the devices)", where, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %v", where, len(certs)+1, err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s holds no PEM certificate", where)
	}
	return certs, nil
}
