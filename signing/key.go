package signing

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"aead.dev/minisign"
)

// GenerateKey makes a new Ed25519 key pair in minisign's own formats:
// the public key file (.pub) and the secret key file (.key). A non-empty
// password encrypts the secret key the way minisign does (scrypt with
// libsodium's "sensitive" cost, which takes seconds on purpose); an empty
// one leaves it unencrypted, which callers must ask for explicitly.
func GenerateKey(password string) (publicKey, secretKey []byte, err error) {
	pub, priv, err := minisign.GenerateKey(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	publicKey, err = pub.MarshalText()
	if err != nil {
		return nil, nil, fmt.Errorf("encode public key: %w", err)
	}
	if password == "" {
		secretKey, err = priv.MarshalText()
	} else {
		secretKey, err = minisign.EncryptKey(password, priv)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("encode secret key: %w", err)
	}
	return append(publicKey, '\n'), append(secretKey, '\n'), nil
}

// A SecretKey signs runbooks.
type SecretKey struct{ key minisign.PrivateKey }

// KeyID returns the key's id as minisign prints it.
func (k SecretKey) KeyID() string { return KeyID(k.key.ID()) }

// ErrPasswordNeeded is returned by [ParseSecretKey] for an encrypted key
// without a password.
var ErrPasswordNeeded = errors.New("the secret key is encrypted: a password is needed")

// IsEncrypted reports whether a secret key file is password-protected.
func IsEncrypted(secretKey []byte) bool { return minisign.IsEncrypted(secretKey) }

// ParseSecretKey reads a minisign secret key file, decrypting it with
// password when it is encrypted.
func ParseSecretKey(text []byte, password string) (SecretKey, error) {
	if minisign.IsEncrypted(text) {
		if password == "" {
			return SecretKey{}, ErrPasswordNeeded
		}
		k, err := minisign.DecryptKey(password, text)
		if err != nil {
			return SecretKey{}, fmt.Errorf("decrypt the secret key (wrong password?): %w", err)
		}
		return SecretKey{k}, nil
	}
	var k minisign.PrivateKey
	if err := k.UnmarshalText(text); err != nil {
		return SecretKey{}, fmt.Errorf("not a minisign secret key: %w", err)
	}
	return SecretKey{k}, nil
}

// TrustedComment is caafix's trusted comment for a runbook signature. It
// is for people; verification requires nothing of it.
func TrustedComment(name string, version int, signed time.Time) string {
	return fmt.Sprintf("caafix runbook %s version %d signed %s", name, version, signed.UTC().Format(time.RFC3339))
}

// checkComment refuses line breaks, which would change the signature
// file's lines.
func checkComment(c string) error {
	if strings.ContainsAny(c, "\r\n") {
		return errors.New("a trusted comment must be one line")
	}
	return nil
}
