// Package audit writes caafix's audit trail: one JSON object a line
// (encoded with zerolog), each stamped with the run's identity and chained
// to the line before it by a SHA-256 hash, and verifies such trails.
//
// # Invariants
//
// A line is written and flushed to the file before the action it describes;
// [Trail.Sync] forces it to disk before disruptive steps. A write that fails
// makes the trail refuse every later write, so a run never goes on blind.
//
// # The hash chain
//
// Every line carries seq (1, 2, … across runs in one file), prev (the hash
// of the line before it; empty for the first line of a file) and, as its
// last field, hash: the hex SHA-256 of the line's bytes up to but not
// including `,"hash":"…"}`. A new run continues the chain of the lines
// already in the file. Editing, deleting or reordering lines breaks the
// chain; truncating the end does not, which is why the run's summary line
// carries the chain head for [VerifyHead].
package audit
