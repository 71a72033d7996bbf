package signing

import (
	"bytes"
	"io"

	"aead.dev/minisign"
)

// Sign returns the text of a .minisig file: a prehashed ("ED") signature
// of exactly data by key, as minisign makes by default, carrying
// trustedComment.
func Sign(data []byte, key SecretKey, trustedComment string) ([]byte, error) {
	if err := checkComment(trustedComment); err != nil {
		return nil, err
	}
	r := minisign.NewReader(bytes.NewReader(data))
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	return r.SignWithComments(key.key, trustedComment, "signature from caafix secret key "+key.KeyID()), nil
}
