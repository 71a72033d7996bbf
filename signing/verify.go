package signing

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"aead.dev/minisign"
	"golang.org/x/crypto/blake2b"
)

// MaxSignatureSize is the largest .minisig accepted, in bytes: four lines
// of a few hundred characters, with room for a long trusted comment.
const MaxSignatureSize = 64 << 10

// A Signer is who signed a runbook, as a verified signature tells it:
// a minisign key (KeyID set), an X.509 certificate (Certificate set), or
// both when the runbook carries both kinds of signature.
type Signer struct {
	KeyID          string // as minisign prints it: 16 upper-case hex digits
	TrustedComment string // signed, for people to read; caafix requires nothing of it
	Prehashed      bool   // the "ED" algorithm; false for the legacy "Ed"

	Certificate *Certificate // the X.509 signer of RUNBOOK.p7s, when there is one
}

// Name is the signer as the audit log's signer field records it: the
// minisign key id, the certificate's [Certificate.ID], or both joined by
// " + ".
func (s Signer) Name() string {
	var names []string
	if s.KeyID != "" {
		names = append(names, s.KeyID)
	}
	if s.Certificate != nil {
		names = append(names, s.Certificate.ID())
	}
	return strings.Join(names, " + ")
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
		return Signer{}, &Error{Reason: BadSignature, KeyID: id, CommentOnly: bytesSigned(key, data, &s)}
	}
	return Signer{KeyID: id, TrustedComment: s.TrustedComment, Prehashed: s.Algorithm == minisign.HashEdDSA}, nil
}

// VerifyFile verifies data, the bytes read from the runbook file, against
// the signature files next to it: RUNBOOK.minisig with [Verify],
// RUNBOOK.p7s with [VerifyCMS]. When both exist both must verify: a file
// that claims two signers and fails one of them is refused, whichever
// trust the device holds. Neither is [Unsigned]. Errors name the runbook.
func VerifyFile(runbook string, data []byte, trust *TrustStore) (Signer, error) {
	minisig, err := readSignature(runbook, SignatureFile(runbook), MaxSignatureSize, false)
	if err != nil {
		return Signer{}, err
	}
	p7s, err := readSignature(runbook, CMSSignatureFile(runbook), MaxCMSSize, true)
	if err != nil {
		return Signer{}, err
	}
	if minisig == nil && p7s == nil {
		return Signer{}, &Error{File: runbook, Reason: Unsigned}
	}
	var signer Signer
	if minisig != nil {
		if signer, err = Verify(data, minisig, trust); err != nil {
			return Signer{}, nameFile(err, runbook)
		}
	}
	if p7s != nil {
		x, err := VerifyCMS(data, p7s, trust)
		if err != nil {
			return Signer{}, nameFile(err, runbook)
		}
		signer.Certificate = x.Certificate
	}
	return signer, nil
}

// readSignature reads a signature file; nil, nil when there is none.
func readSignature(runbook, path string, limit int64, cms bool) ([]byte, error) {
	sig, err := readLimited(path, limit)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, &Error{File: runbook, Reason: Malformed, CMS: cms, Err: err}
	case len(bytes.TrimSpace(sig)) == 0:
		return nil, &Error{File: runbook, Reason: Malformed, CMS: cms, Err: errors.New("the file is empty")}
	}
	return sig, nil
}

func nameFile(err error, runbook string) error {
	var se *Error
	if errors.As(err, &se) {
		se.File = runbook
	}
	return err
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

// bytesSigned reports whether s's signature over the bytes alone holds,
// once [minisign.Verify] refused s: then only the trusted comment was
// changed after signing, and the error can say so.
func bytesSigned(key minisign.PublicKey, data []byte, s *minisign.Signature) bool {
	// String is base64 of "Ed", the 8-byte key id and the key.
	raw, err := base64.StdEncoding.DecodeString(key.String())
	if err != nil || len(raw) != 2+8+ed25519.PublicKeySize {
		return false
	}
	msg := data
	if s.Algorithm == minisign.HashEdDSA {
		h := blake2b.Sum512(data)
		msg = h[:]
	}
	return ed25519.Verify(ed25519.PublicKey(raw[10:]), msg, s.Signature[:])
}
