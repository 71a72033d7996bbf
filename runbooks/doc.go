// Package runbooks is the runbook model: the v1 YAML format ([Runbook],
// [Step]), its strict loader ([Parse], [Load]), the catalogue of step types
// and their parameters ([Types]) that validation checks against, and the
// runbooks shipped inside the binary ([Embedded], [List]; the files in
// library/). It decides whether a runbook is well-formed; whether a step
// may run on this device is package policy's decision, and what a step
// does is package steps'.
//
// # Invariants
//
// Loading never runs anything: the package imports no execution or logging
// code, and every error it returns is a usage error (exit 2), because
// nothing has touched the device yet.
//
// Decoding is strict. An unknown key anywhere is an error naming the key
// and its line, with a "did you mean" hint when a known key is close.
// Parameters are checked against the step type's [ParamSpec] list, so a
// step implementation receives only values of the declared Go types, read
// with [Step.Duration], [Step.String], [Step.Int], [Step.Bool] and
// [Step.Strings].
//
// Validation reports every problem of a file at once: the error is a
// *multierror.Error of [*LoadError], each with file:line:col, sorted by
// position and printed one per line, as "caafix runbook lint" shows them.
//
// # Limits on untrusted input
//
// A runbook may come from anywhere an RMM tool can put a file, and it may
// be parsed before its signature has been checked. Files over [MaxSize]
// (1 MiB), UTF-16 and other non-UTF-8 text, YAML anchors, aliases and merge
// keys, nesting deeper than 64 levels and more than 10,000 YAML tokens are
// refused before the YAML parser builds a tree: the parser's cost grows
// with the square of nesting, and an alias bomb must not exhaust memory.
// Within those limits a hostile file costs at most about a second of CPU
// and a few hundred MB of short-lived memory to reject.
//
// credentials.remove may only name the [OfficePrefixes]: the loader, not
// only the step, refuses anything else, so a runbook cannot widen what
// the step deletes.
package runbooks
