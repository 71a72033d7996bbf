// Package escalation writes the escalation bundle: the folder (or zip)
// that hands a CAA50021 case to IT when no local fix is left, complete
// enough that the engineer need not ask back. It decides what the bundle
// holds and how it is named, bounded, scrubbed and written; it does not
// gather anything itself (the executor hands it a [Case]) and decides
// nothing about the device.
//
// # Contents
//
// ESCALATION.md says, for a person: the error code, the affected app when
// the AAD events name it, when the symptom started, the device, its join
// and management state, the user, every step with its decision and
// result, why caafix stopped (the "When to stop" rules, see [StopRules]),
// and where the admin should look, with portal paths. Beside it:
// facts.json, dsregcmd-status.txt (raw), aad-events.txt (the recent AAD
// events as gathered) and audit-lines.jsonl (this run's audit lines).
//
// # Secrets
//
// Nothing caafix reads is meant to hold a secret (dsregcmd never prints a
// token), but text from the device is not ours to trust: every file goes
// through [scrub.Text], which masks token-shaped values (JWTs, bearer tokens,
// passwords in URLs, secret query parameters, long base64 runs) before it
// is written. Credential targets may appear; their values are never read.
// With [Options.RedactUsers], user names and e-mail addresses become the
// same keyed pseudonyms as in a redacted audit log. A scrubbed or redacted
// audit line no longer matches its hash; ESCALATION.md says how many were
// changed, and the log on the device stays the reference.
//
// # Writing
//
// [Write] builds every file in memory, each bounded ([MaxBundle] in all),
// then writes the folder under a temporary name and renames it, or writes
// the zip to a temporary file and renames it: a reader never sees half a
// bundle. Names are the run id and the time of writing, legal on Windows.
package escalation
