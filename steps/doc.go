// Package steps is the step catalogue: one file per step type. Each type
// declares its risk, the account it must run as, whether it needs
// elevation, its default timeout and rollback note, and implements its
// pre-check, action and post-check as PowerShell commands from package
// scripts.
//
// # Invariants
//
// Pre-checks and post-checks only read. An action runs only after the
// policy gate allowed the step and its pre-check said it is needed; the
// executor, not the step, decides that. A command that fails is a step
// failure (the run goes on to the next step); only a host error (the
// PowerShell host died or timed out) ends the run. Steps never guess: when
// a fact they depend on is unknown they skip, with the reason.
package steps
