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
	Malformed                      // the signature file is not a minisign signature
	UnknownKey                     // signed by a key not in the trust store
	BadSignature                   // the bytes or the trusted comment are not what was signed
)

var reasonNames = map[Reason]string{
	Unsigned:     "unsigned",
	Malformed:    "malformed",
	UnknownKey:   "unknown-key",
	BadSignature: "bad-signature",
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
	Err    error  // the cause, when there is one
}

func (e *Error) Error() string {
	var msg string
	switch e.Reason {
	case Unsigned:
		msg = "not signed: no " + sigName(e.File) + " next to it"
	case Malformed:
		msg = sigName(e.File) + " is not a minisign signature"
		if e.Err != nil {
			msg += fmt.Sprintf(": %v", e.Err)
		}
	case UnknownKey:
		msg = fmt.Sprintf("signed by key %s, which is not in the trust store", e.KeyID)
	case BadSignature:
		msg = fmt.Sprintf("bad signature from key %s: the file was changed after signing, or the signature belongs to another file", e.KeyID)
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
	switch e.Reason {
	case Unsigned:
		return "sign it with \"caafix runbook sign --secret-key KEY " + orRunbook(e.File) + "\" (or minisign -S), using a key in trust.public_keys"
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
