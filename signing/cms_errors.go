package signing

import "fmt"

// cmsError is the message of a failed RUNBOOK.p7s check.
func (e *Error) cmsError() string {
	sig := cmsSigName(e.File)
	var msg string
	switch e.Reason {
	case Unsigned:
		msg = sig + " is empty"
	case Malformed:
		msg = sig + " is not a detached CMS signature"
	case Untrusted:
		msg = fmt.Sprintf("signed by certificate %s, which does not chain to a certificate in trust.certificates", e.Cert)
	case CertExpired:
		msg = fmt.Sprintf("signed by certificate %s, whose chain is expired or not yet valid", e.Cert)
	case NotCodeSigning:
		msg = fmt.Sprintf("signed by certificate %s, which may not sign code", e.Cert)
	case WeakAlgorithm:
		msg = fmt.Sprintf("signed by certificate %s with a digest caafix refuses", e.Cert)
	case BadSignature:
		msg = fmt.Sprintf("bad signature from certificate %s: the file was changed after signing, or the signature belongs to another file", e.Cert)
	default:
		msg = "signature check failed"
	}
	// A bad signature's cause (pkcs7's digest dump) is kept for Unwrap
	// but not shown: it spans lines and says no more than the message.
	if e.Err != nil && e.Reason != BadSignature {
		msg += fmt.Sprintf(": %v", e.Err)
	}
	if e.File != "" {
		return e.File + ": " + msg
	}
	return msg
}

// cmsHint says what to do about a failed RUNBOOK.p7s check.
func (e *Error) cmsHint() string {
	switch e.Reason {
	case Unsigned, Malformed:
		return "sign the runbook again (openssl cms -sign -binary -outform DER, or SignedCms with detached content; see docs/signing-x509.md); the .p7s must be the file it wrote, unchanged"
	case Untrusted:
		return "if you trust the CA that issued it, add the root (or issuing CA) certificate to trust.certificates in the configuration; otherwise re-sign with a certificate of your code-signing PKI"
	case CertExpired:
		return "renew the code-signing certificate and sign again: caafix checks the chain at the time of the run, because a signature without a trusted timestamp cannot prove when it was made"
	case NotCodeSigning:
		return "sign with a certificate whose extended key usage includes Code Signing (1.3.6.1.5.5.7.3.3), such as one from AD CS's Code Signing template, issued by CAs that allow it"
	case WeakAlgorithm:
		return "sign again with SHA-256: openssl cms -sign -md sha256, or set the CmsSigner's DigestAlgorithm to 2.16.840.1.101.3.4.2.1"
	case BadSignature:
		return "do not run it: get the runbook and its .p7s again from their author, or re-sign the reviewed file"
	}
	return ""
}

func cmsSigName(file string) string {
	if file == "" {
		return "the signature"
	}
	return CMSSignatureFile(file)
}
