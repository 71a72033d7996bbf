// Package scripts holds the PowerShell text that caafix sends to a device:
// the read-only commands that gather facts and the actions of the step
// catalogue. Keeping them in one place lets reviewers read every command
// caafix can send, and lets tests check that the simulated device
// understands each of them.
//
// # Invariants
//
// Every command is one line (go-powershell feeds powershell.exe through
// "-Command -", which runs stdin line by line). Values are placed only
// through [pshost.Build], which quotes them with [pshost.Quote]. Commands use
// native tools and cmdlets that work under Constrained Language Mode: no
// Add-Type, no .NET method calls beyond what the host envelope needs.
package scripts
