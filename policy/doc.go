// Package policy is the gate between a runbook and the device: for every
// step it decides allow, block or skip from the device's facts, the
// operator's consent and the configured rules, and names the rule and the
// reason behind each decision.
//
// # Invariants
//
// The built-in rules cannot be switched off, and configured rules can only
// deny more: a dangerous step never runs on a hybrid-joined or managed
// device, whatever the flags or the configuration say. Unknown state fails
// closed: an unreadable join state or MDM enrollment blocks every dangerous
// step. Evaluate is a pure function of its input; it runs nothing.
package policy
