// Package signing decides whether a runbook file may run: it verifies a
// detached minisign signature (RUNBOOK.minisig, Ed25519) or a detached
// CMS signature by an X.509 code-signing certificate (RUNBOOK.p7s) over
// the file's exact bytes against the configured trust store, and it makes
// keys and signatures in minisign's own formats, so that caafix and the
// minisign tool can use each other's keys and signatures.
//
// # Invariants
//
// [Verify] sees the raw bytes before any parser does: nothing of an
// unsigned or tampered runbook is interpreted. Both minisign algorithms
// verify: the prehashed "ED" (BLAKE2b-512, minisign's default) and the
// legacy "Ed". Every failure is an [*Error] whose outcome is
// [outcome.Trust] (exit 3) and whose [Reason] says which check failed.
//
// The trusted comment is signed, shown and audited, but never required:
// the signature over the bytes, which name the runbook and its version, is
// the check. A signature made for another file fails it.
//
// An X.509 signature ([VerifyCMS]) is trusted only when its signer's
// certificate chains to a configured anchor ([TrustStore.AddCertificates])
// through the certificates in the .p7s, every certificate of the chain is
// valid at the time of the run (a CMS signing time is the signer's claim,
// not a trusted timestamp), and the signer's certificate names the
// codeSigning extended key usage, which its issuing CAs permit. The pkcs7
// library only parses and checks the signature over the bytes; the chain,
// validity and usage checks are crypto/x509's, made here. When a runbook
// has both signature files, [VerifyFile] requires both to verify.
//
// # Limits
//
// Not built yet (issue 3): rollback counters, expiry, ACL checks on the
// trust files. A key or anchor removed from the trust store is revoked;
// there is no other revocation (no CRL or OCSP for certificates).
package signing
