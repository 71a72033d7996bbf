package signing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"aead.dev/minisign"
)

// MaxSignatureSize is the largest .minisig accepted, in bytes: four lines
// of a few hundred characters, with room for a long trusted comment.
const MaxSignatureSize = 64 << 10

// A Signer is who signed a runbook, as a verified signature tells it.
type Signer struct {
	KeyID          string // as minisign prints it: 16 upper-case hex digits
	TrustedComment string // signed, for people to read; caafix requires nothing of it
	Prehashed      bool   // the "ED" algorithm; false for the legacy "Ed"
}

// SignatureFile returns the detached signature's path for a runbook file.
func SignatureFile(runbook string) string { return runbook + ".minisig" }

// KeyID formats a minisign key id the way minisign prints it.
func KeyID(id uint64) string { return fmt.Sprintf("%016X", id) }

// Verify checks that sig, the text of a .minisig file, is a signature of
// exactly data by a key in trust. It parses nothing of data. An empty sig
// is [Unsigned].
func Verify(data, sig []byte, trust *TrustStore) (Signer, error) {
	if len(sig) == 0 {
		return Signer{}, &Error{Reason: Unsigned}
	}
	if len(sig) > MaxSignatureSize {
		return Signer{}, &Error{Reason: Malformed, Err: fmt.Errorf("it is %d bytes; a signature is a few hundred", len(sig))}
	}
	var s minisign.Signature
	if err := s.UnmarshalText(sig); err != nil {
		return Signer{}, &Error{Reason: Malformed, Err: err}
	}
	id := KeyID(s.KeyID)
	key, ok := trust.lookup(s.KeyID)
	if !ok {
		return Signer{}, &Error{Reason: UnknownKey, KeyID: id}
	}
	// minisign.Verify hashes the message itself for a prehashed signature.
	if !minisign.Verify(key, data, sig) {
		return Signer{}, &Error{Reason: BadSignature, KeyID: id}
	}
	return Signer{KeyID: id, TrustedComment: s.TrustedComment, Prehashed: s.Algorithm == minisign.HashEdDSA}, nil
}

// VerifyFile verifies data, the bytes read from the runbook file, against
// the signature file next to it. Errors name the runbook.
func VerifyFile(runbook string, data []byte, trust *TrustStore) (Signer, error) {
	sig, err := readLimited(SignatureFile(runbook), MaxSignatureSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Signer{}, &Error{File: runbook, Reason: Unsigned}
	case err != nil:
		return Signer{}, &Error{File: runbook, Reason: Malformed, Err: err}
	case len(bytes.TrimSpace(sig)) == 0:
		return Signer{}, &Error{File: runbook, Reason: Malformed, Err: errors.New("the file is empty")}
	}
	signer, err := Verify(data, sig, trust)
	var se *Error
	if errors.As(err, &se) {
		se.File = runbook
	}
	return signer, err
}

// readLimited reads at most limit+1 bytes of path, so that an oversized
// file is refused without reading it all.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}
