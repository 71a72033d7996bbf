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
// # Escalation
//
// A run that ends in escalate or blocked, and every collect ([ModeCollect]),
// hands its record to package escalation while the host is still open: the
// raw dsregcmd and AAD event output the run read, the facts, the steps and
// the run's audit lines, after an escalation.bundle line. A bundle that
// cannot be written never changes the outcome.
package executor
