// Package devicesim is the simulated Windows device that caafix is built
// and tested against, since no development machine has Windows or
// PowerShell. It owns the scenario format (a device and the hidden faults
// behind its CAA50021 symptom, see [LoadScenario] and the built-in
// scenarios from [BuiltinNames]), the fault model (what each command does
// to the device and which commands clear which fault), the device state
// that lives on in a state directory across invocations ([Init],
// [Commands]), and a fake powershell.exe that speaks go-powershell's
// stdin/stdout protocol ([Serve], started by [NewStarter] as a child
// process or by [NewInProcessStarter] in a goroutine). It decides what a
// Windows device would print and how it would change; it never decides
// what caafix should do.
//
// # The protocol
//
// Serve reads one line at a time and answers as Windows PowerShell 5.1
// started with -NoLogo -NoProfile -NonInteractive -NoExit -Command -:
// every line it writes ends in CRLF; a line it cannot parse (an
// unterminated string, a missing brace) runs nothing, not even
// go-powershell's boundary echoes, and prints the ParserError block to
// stderr; an unknown command is a CommandNotFoundException that the host's
// try/catch envelope catches, or that prints PowerShell's error view when
// uncaught. Native programs set $LASTEXITCODE and write straight to the
// process's stdout and stderr; cmdlet errors are non-terminating, set $?
// to False (even when silenced with -ErrorAction SilentlyContinue, as in
// Windows PowerShell) and print the error view unless silenced. `exit`
// and the end of stdin end Serve.
//
// The interpreter understands the PowerShell caafix sends (scripts.go and
// pshost's envelope): quoting with ' and the Unicode single quotes
// U+2018–U+201B (doubled to escape), double-quoted strings with backtick
// escapes and variables, statements, pipelines, assignments,
// try/catch/finally, [Console]::Error.WriteLine, Write-Output/echo, `&`
// with a parenthesized path, `exit N`, and the cmdlets Get-Service,
// Start-Service, Get-CimInstance, Get-ItemProperty, Get-NetAdapter,
// Get-WinEvent, Invoke-WebRequest, Get-AppxPackage, Add-AppxPackage,
// Select-Object, ConvertTo-Csv, ConvertTo-Json, Join-Path, Out-Null, the
// ScheduledTasks cmdlets, Start-Process, New-Item, Set-Content, Get-Content
// and Remove-Item, with PowerShell's parameter binding (prefixes,
// positions, switches).
// Valid PowerShell beyond that (if, foreach, operators other than +) is a
// terminating error naming devicesim, so that a test that trips on it
// says what to teach the simulator instead of failing obscurely.
//
// # Faults and what clears them
//
// transient: a restart (`shutdown /r`, taking effect when a later Serve
// receives its first command other than `shutdown /a`). wam-cache:
// `dsregcmd /cleanupaccounts`, elevated, in the user's context (as SYSTEM
// it acts on SYSTEM's empty profile). office-creds: deleting the last
// MicrosoftOffice16_Data:, MicrosoftAccount: or OneDrive Cached Credential
// target from the user's vault (cmdkey as SYSTEM sees SYSTEM's vault).
// clock-skew: `w32tm /resync /force`, elevated, with the Windows Time
// service running. join-broken: `dsregcmd /leave` on a cloud-only device.
// office-install: the Click-to-Run online repair, elevated, with the
// installed platform and culture. broker-plugin: registering
// Microsoft.AAD.BrokerPlugin again with Add-AppxPackage -Register, as the
// user. conditional-access and av-vpn: nothing local. While any fault
// remains the device shows the symptom: a fresh event 1098 (0xCAA50021)
// in the AAD log at every query, and, for the faults that cost the user
// the PRT (wam-cache, join-broken, clock-skew, av-vpn,
// conditional-access), AzureAdPrt NO in `dsregcmd /status`; once healthy,
// only the events from before the last fault was cleared remain.
//
// # State
//
// The device lives in STATEDIR/devicesim/device.json, replaced atomically
// after every command that changes it and re-read for every line, and
// every received line is appended to commands.jsonl before it runs. Init
// keeps an existing device: a second invocation sees the device as the
// first left it, restart included. The simulated clock is the host's
// clock; clock_skew is only what a time server reports.
//
// # Files and scheduled tasks
//
// The device's file system holds only what Set-Content wrote, in
// STATEDIR/devicesim/files.json; folders exist for the usual Windows paths
// and the state dir. schtasks.exe registers (/Create /XML … /F), deletes
// (/Delete /F) and prints (/Query /XML) tasks kept in
// STATEDIR/devicesim/tasks/FOLDER/NAME.xml, and checks a task file as Task
// Scheduler reads it: UTF-16 with its byte-order mark, well formed, a Task
// root in the task namespace, Actions with a Command. It does not run the
// tasks it holds; [TaskRegistered] tells tests what is registered.
//
// # Fidelity
//
// Outputs follow the real Windows captures in testdata/fixtures and the
// formats listed in testdata/SOURCES.md, which also lists the few texts no
// public capture was found for (the simulator's wording is then its own,
// and the code says so). `w32tm /stripchart` prints the fixture's format
// only with /dataonly, as real Windows does; without it, the offset chart.
//
// # What the model does not simulate
//
// It is not a PowerShell: no language beyond the subset above, no
// continuation lines (PowerShell would wait for the rest of an incomplete
// line; the simulator reports the parse error at once), no console line
// wrapping of long messages. No real time passes: a scheduled restart
// fires at the next session, not after its delay; w32tm does not wait
// between samples. Localization covers cmdkey and number formats only;
// dsregcmd and w32tm sentences are English in every locale. The PRT is a
// device-wide flag (real Windows shows it per user session, so SYSTEM may
// see NO). Scheduled tasks run at once when started and permissions set
// with icacls are recorded, not enforced (cmdlets_scheduledtasks.go,
// cmdlets_files.go). Rejoining Entra ID after `dsregcmd /leave`,
// Conditional Access and third-party
// products are not modelled beyond their symptoms. Services other than
// W32Time, registry keys other than MDM enrollments and Click-to-Run, and
// event logs other than Microsoft-Windows-AAD/Operational do not exist.
package devicesim
