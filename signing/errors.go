package signing

import (
	"fmt"

	"github.com/caafix/caafix/outcome"
)

// Reason is which signature check failed.
type Reason int

// The reasons, as the test vectors' "expect:" header names them.
const (
	Unsigned     Reason = iota + 1 // no signature at all
	Malformed                      // the signature file cannot be read as a signature
	UnknownKey                     // signed by a key not in the trust store
	BadSignature                   // the bytes or the trusted comment are not what was signed

	// X.509 (RUNBOOK.p7s) only; see cms.go.
	Untrusted      // the certificate does not chain to trust.certificates
	CertExpired    // a certificate of the chain is not valid now
	NotCodeSigning // the certificate, or its chain, does not permit code signing
	WeakAlgorithm  // a digest caafix refuses, such as SHA-1
)

var reasonNames = map[Reason]string{
	Unsigned:     "unsigned",
	Malformed:    "malformed",
	UnknownKey:   "unknown-key",
	BadSignature: "bad-signature",

	Untrusted:      "untrusted-certificate",
	CertExpired:    "expired-certificate",
	NotCodeSigning: "not-code-signing",
	WeakAlgorithm:  "weak-algorithm",
}

// String returns the reason's stable name, such as "bad-signature".
func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// An Error is a failed signature check. Nothing has run yet, so its
// outcome is always a trust failure (exit 3).
type Error struct {
	File   string // the runbook, when known
	Reason Reason
	KeyID  string // the key id the signature names, when it could be read
	Cert   string // X.509: the signing certificate, as [Certificate.ID] names it
	CMS    bool   // the failure is in RUNBOOK.p7s, not RUNBOOK.minisig
	Err    error  // the cause, when there is one
	// CommentOnly, for BadSignature: the bytes are as signed, only the
	// trusted comment was changed.
	CommentOnly bool
}

func (e *Error) Error() string {
	if e.CMS {
		return e.cmsError()
	}
	var msg string
	switch e.Reason {
	case Unsigned:
		msg = "not signed: no " + sigName(e.File) + " or " + cmsSigName(e.File) + " next to it"
	case Malformed:
		msg = sigName(e.File) + " is not a minisign signature"
		if e.Err != nil {
			msg += fmt.Sprintf(": %v", e.Err)
		}
	case UnknownKey:
		msg = fmt.Sprintf("signed by key %s, which is not in the trust store", e.KeyID)
	case BadSignature:
		msg = fmt.Sprintf("bad signature from key %s: the file was changed after signing, or the signature belongs to another file", e.KeyID)
		if e.CommentOnly {
			msg = fmt.Sprintf("bad signature from key %s: its trusted comment was changed after signing (the file's bytes are as signed)", e.KeyID)
		}
	default:
		msg = "signature check failed"
	}
	if e.File != "" {
		return e.File + ": " + msg
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Outcome reports a trust failure: exit 3.
func (e *Error) Outcome() outcome.Kind { return outcome.Trust }

// UserHint says what to do about it.
func (e *Error) UserHint() string {
	if e.CMS {
		return e.cmsHint()
	}
	switch e.Reason {
	case Unsigned:
		return "sign it with \"caafix runbook sign --secret-key KEY " + orRunbook(e.File) + "\" (or minisign -S), using a key in trust.public_keys, or with a code-signing certificate (RUNBOOK.p7s, see docs/signing-x509.md)"
	case Malformed:
		return "sign the runbook again; the .minisig must be the file minisign or caafix wrote, unchanged"
	case UnknownKey:
		return fmt.Sprintf("if you trust key %s, add its public key to trust.public_keys in the configuration; otherwise re-sign with a trusted key", e.KeyID)
	case BadSignature:
		return "do not run it: get the runbook and its .minisig again from their author, or re-sign the reviewed file"
	}
	return ""
}

func sigName(file string) string {
	if file == "" {
		return "the signature"
	}
	return SignatureFile(file)
}

func orRunbook(file string) string {
	if file == "" {
		return "RUNBOOK"
	}
	return file
}
