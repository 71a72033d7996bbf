// Package audit owns caafix's audit trail: the one place where every
// decision and every command sent to the device is recorded, for the
// security and audit reviewers who read the logs of many devices. It
// decides the line format (schema 1, see docs/audit.md), encodes events
// with zerolog, stamps them with the run's identity ([Trail.SetRun]),
// chains each line to the one before by a SHA-256 hash, rotates files
// (through lumberjack, see [Rotation]), copies lines to sinks such as the
// Windows Event Log ([Sink]), and
// checks logs ([Verify], [VerifyFiles], [VerifyHead]), reads them ([Scan])
// and summarises a fleet's logs ([Summarize]) with bounded memory. It does not decide what is worth
// recording: the executor does, through [Event].
//
// # A line before the action
//
// Callers write the line that describes an action before they take it,
// and [Trail.Write] returns only once the line is handed to the operating
// system in a single write (no buffer in caafix can lose it). Before a
// disruptive step, [Trail.Sync] forces it to disk, through a handle of its
// own since lumberjack has none to offer; a file is synced before it is
// rotated, too. A write or sync that
// fails returns a [*WriteError] (a host error) and the trail refuses every
// later write: a run never goes on unrecorded.
//
// # The hash chain
//
// Every line is one JSON object whose members come in a fixed order:
// schema, time, event, run_id, seq, the run's stamps, the event's fields,
// the extra fields sorted by key, prev and, last, hash. seq counts lines
// in a log (1, 2, … across runs and rotated files); prev is the hash of
// the line before (empty on the very first line); hash is the lower-case
// hex SHA-256 of the line's object without its hash member, that is of
// the line's bytes up to `,"hash":"` followed by `}`. [Open] continues the
// chain of the lines already in a file, or of its newest rotated backup.
//
// # What the chain cannot see
//
// Anyone who can write the file can recompute every hash: the chain has no
// key. Editing, deleting, inserting or reordering lines breaks it, but
// cutting lines from the end, or rewriting the whole file consistently,
// leaves a valid chain. Only a head recorded elsewhere closes that gap: the
// run's summary line carries [Trail.Head], RMM tools keep it, and
// [VerifyHead] fails when the log does not reach it. Likewise, a rotated
// backup that was pruned or deleted leaves the next file continuing a chain
// whose start is gone ([VerifyOptions.AllowContinuation]).
//
// # Secrets and users
//
// The trail writes what it is given: callers must never put a secret in an
// event. Credential targets may appear, their values never. With
// [Options.RedactUsers], user names and e-mail addresses become keyed
// pseudonyms that still group by user. Names that are not addresses are
// found by their form (AzureAD\name) or learned from the outputs caafix
// reads (cmdkey, whoami, dsregcmd, the signed-in user) and replaced from
// then on; a name the log mentions before any of those is not known yet.
//
// # Sinks
//
// The file is the record. A sink gets each line after the file has it;
// one that fails is reported in the file (sink.error) and dropped, and
// the run goes on.
package audit
