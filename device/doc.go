// Package device decides what caafix knows about the Windows device before
// anything acts on it: how it is joined (cloud, hybrid, registered, domain,
// none or unknown), whether it is MDM managed, whether caafix runs elevated
// and as SYSTEM or a user, who is signed in, whether the user has a primary
// refresh token, how far the clock is off, which cached credentials exist,
// how Office is installed, which antivirus and VPN are active, and whether
// the CAA50021 symptom is present. It owns the parsers of the Windows tools
// behind those facts (dsregcmd, cmdkey, w32tm, whoami and a few PowerShell
// queries), [Gather], which runs the read-only commands of package scripts
// once each through a [pshost.Runner], and [CheckSymptom]. It changes
// nothing on the device.
//
// # Labels: what is localized and what is not
//
// dsregcmd prints English labels on every system (captures from Italian and
// Chinese Windows show them), so [ParseDsregStatus] keys on section and
// label names. cmdkey and w32tm are localized (Target/Ziel, decimal commas,
// translated messages), so [ParseCmdkeyList] reads the structure of the
// output and never its words, [ParseStripchart] accepts a decimal comma,
// and [ParseResync] trusts only the English success text. whoami is read by
// SID, never by account or group name; PowerShell property names and enum
// values are not localized.
//
// # Fail closed
//
// A fact that cannot be read is unknown, never guessed: [JoinUnknown],
// [Facts.ManagedKnown] and [Facts.ClockKnown] false, [Facts.Elevated]
// false, [TriUnknown], a nil list, and a line in [Facts.Problems] saying
// why. A parse failure only makes its fact unknown; an error of the Runner
// (the host died or timed out) stops [Gather] and [CheckSymptom] and is
// returned. An unreadable AAD event log makes the symptom present, so a fix
// is never verified on evidence that could not be read.
//
// # Whose state
//
// dsregcmd's User State and SSO State describe the account that ran it.
// Run as SYSTEM (RMM tools, scheduled tasks) they are SYSTEM's, so the PRT
// is unknown in system context (and when neither whoami nor dsregcmd's
// Executing Account Name says whose it is) and the symptom rests on the
// event log. [CheckSymptom] runs no whoami: it knows a status is SYSTEM's
// only from [DsregStatus.RanAsSystem]. cmdkey likewise lists the vault of
// the account caafix runs as.
package device
