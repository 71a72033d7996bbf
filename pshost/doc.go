// Package pshost runs PowerShell commands for caafix: one persistent
// powershell.exe session per run, driven through github.com/bhendo/go-powershell,
// or the simulated device that speaks the same protocol.
//
// The package owns the process (start, per-command timeout, kill), the
// result envelope that brings back each command's native exit code, and the
// one quoting function through which every value enters a command.
//
// # The sharp edges of go-powershell, and how they are covered
//
// go-powershell's Execute reads the child's pipes until it sees a random
// boundary line. It hangs forever when the child dies (its readers return
// without signalling), has no timeout, concatenates output 64 bytes at a
// time (quadratic), turns any stderr text into an error, and hard-codes
// powershell.exe. pshost keeps its Shell but hands it tapped pipes (see
// tap.go): the taps read the real pipes in large chunks, keep the output
// themselves up to [Options.MaxOutput], and pass on only the boundary line,
// so go-powershell never sees command output at all. When the child dies or
// is killed, the taps hand over the boundary at once, so Execute always
// returns and no goroutine is left behind. Standard error is captured the
// same way and returned as data.
//
// # Exit codes
//
// Every command is wrapped (see envelope.go) so that the line after its
// output carries $LASTEXITCODE and $? behind a per-command random nonce. A
// reply without that line is a protocol error: caafix does not guess.
//
// # Text encoding
//
// Windows PowerShell writes redirected output in the console's OEM code
// page, not UTF-8. The host asks for the code page once (chcp) and decodes
// every reply with it; a command whose text the code page cannot carry is
// refused before it is sent.
//
// # Limits
//
// A timeout kills the host; the session is over and the run ends with a
// host error (exit 7). On Windows the child runs in a job object that kills
// its whole process tree with it; elsewhere only the direct child is killed.
package pshost
