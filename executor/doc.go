// Package executor runs a runbook on a device: it starts the PowerShell
// host, gathers the facts once, lets the policy gate decide every step,
// detects the symptom, and then runs each allowed step — pre-check, action,
// post-check — until the symptom is gone. It decides the run's outcome and
// writes every decision and command to the audit trail.
//
// # Invariants
//
// An audit line is written before the action it describes; if it cannot be
// written, nothing more is sent to the device and the run ends with a host
// error. The trail is synced to disk before disruptive and dangerous steps.
// A healthy device gets no changing command at all. A dry run and a plan
// send only read-only commands. A host error ends the run at once: caafix
// does not guess what a half-finished command did.
//
// # Who runs a step
//
// A user step's commands run as the account caafix runs as, or, when that
// is SYSTEM and a user is signed in, in the user's session through a
// one-shot scheduled task (usersession.go); every command of that bridge
// goes through the same audited runner. A user step is never run as SYSTEM
// instead: the policy gate skips it when nobody is signed in.
//
// # Crash safety
//
// Before each step and each action, an in-flight record is on disk
// (inflight.go); a run that finds one reports the interrupted run, removes
// the user task it may have left, and re-checks before repeating: the
// facts afresh, every pre-check, and no symptom credit for events from
// before the interrupted action.
//
// # Escalation
//
// A run that ends in escalate or blocked, and every collect ([ModeCollect]),
// hands its record to package escalation while the host is still open: the
// raw dsregcmd and AAD event output the run read, the facts, the steps and
// the run's audit lines, after an escalation.bundle line. A bundle that
// cannot be written never changes the outcome.
package executor
