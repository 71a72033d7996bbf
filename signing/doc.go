// Package signing decides whether a runbook file may run: it verifies a
// detached minisign signature (RUNBOOK.minisig, Ed25519) over the file's
// exact bytes against the configured trust store, and it makes keys and
// signatures in minisign's own formats, so that caafix and the minisign
// tool can use each other's keys and signatures.
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
// # Limits
//
// Not built yet (issue 3): rollback counters, expiry, ACL checks on the
// trust files, X.509 signatures. A key removed from the trust store is
// revoked; there is no other revocation.
package signing
