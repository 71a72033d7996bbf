package signing

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"aead.dev/minisign"
)

// A TrustStore holds the public keys whose signatures caafix accepts,
// and the X.509 certificates that anchor code-signing chains (see
// [TrustStore.AddCertificates]). The zero value and nil trust nothing.
type TrustStore struct {
	keys    map[uint64]minisign.PublicKey
	anchors []*x509.Certificate
}

// NewTrustStore builds a trust store from configuration values, each a
// minisign public key line ("RWQ…") or the path of a minisign .pub file.
func NewTrustStore(values []string) (*TrustStore, error) {
	t := &TrustStore{keys: map[uint64]minisign.PublicKey{}}
	for _, v := range values {
		key, err := ParsePublicKey(v)
		if err != nil {
			return nil, err
		}
		t.keys[key.ID()] = key
	}
	return t, nil
}

// Len returns the number of trusted keys.
func (t *TrustStore) Len() int {
	if t == nil {
		return 0
	}
	return len(t.keys)
}

func (t *TrustStore) lookup(id uint64) (minisign.PublicKey, bool) {
	if t == nil {
		return minisign.PublicKey{}, false
	}
	k, ok := t.keys[id]
	return k, ok
}

// ParsePublicKey reads one trust value: a minisign public key line, or
// the path of a file holding one (minisign's .pub format, with or without
// its comment line).
func ParsePublicKey(value string) (minisign.PublicKey, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return minisign.PublicKey{}, errors.New("empty: write a minisign public key (RWQ…) or the path of a .pub file")
	}
	var key minisign.PublicKey
	if looksLikeKey(v) {
		if err := key.UnmarshalText([]byte(v)); err != nil {
			return key, fmt.Errorf("%q is not a minisign public key: %v", v, err)
		}
		return key, nil
	}
	text, err := readLimited(v, 4<<10)
	if err != nil {
		return key, fmt.Errorf("%q is neither a minisign public key (RWQ…) nor a readable .pub file: %w", v, err)
	}
	if err := key.UnmarshalText([]byte(strings.TrimSpace(string(text)))); err != nil {
		return key, fmt.Errorf("%s is not a minisign public key file: %v", v, err)
	}
	return key, nil
}

// looksLikeKey tells a key line from a path: every Ed25519 minisign
// public key starts with "RW" and is the base64 of 42 bytes (algorithm,
// key id, key). Base64 may hold '/', so a slash alone does not make a path.
func looksLikeKey(v string) bool {
	if !strings.HasPrefix(v, "RW") {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == 42
}
