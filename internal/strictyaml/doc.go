// Package strictyaml reads YAML for caafix's own formats (runbooks,
// scenarios, configuration) as a syntax tree with positions, so that
// decoders can reject unknown keys and report every problem with its line
// and column, and joins those problems into one error, one per line
// ([JoinErrors]).
//
// # Limits on untrusted input
//
// [Parse] refuses anchors, aliases and merge keys outright: caafix's
// formats do not need them, and an alias bomb must not exhaust memory.
// Before the YAML parser builds a tree it refuses data over [MaxSize] and,
// from the token stream, YAML nested or long beyond the caller's [Limits]:
// the parser's cost grows with the square of nesting. These bound the
// parser's time and memory; they do not make its output trustworthy.
package strictyaml
