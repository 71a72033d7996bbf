// Package runbooks is the runbook model: the v1 YAML format, its strict
// loader and validation, and the runbooks shipped inside the binary
// (library/*.yaml).
//
// # Invariants
//
// Loading never runs anything and imports no execution or logging code.
// Decoding is strict: an unknown key anywhere is an error that names the key
// and its line. Validation reports every problem of a file at once, each as
// a [*LoadError] with file, line and column, and every such error is a usage
// error: nothing has touched the device yet. Files over 1 MiB and YAML
// anchors, aliases and merge keys are refused before decoding, so a hostile
// file cannot exhaust memory. Per-type parameters are checked against
// [Types], which the step implementations must match (steps' tests check
// that they do).
package runbooks
