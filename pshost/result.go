package pshost

import (
	"context"
	"time"
)

// Result is what one command left behind: its standard output and standard
// error as text (CRLF turned into LF), the native exit code ($LASTEXITCODE),
// whether PowerShell considered the last statement successful ($?), and how
// long it took. Text on standard error is data, not failure: native tools
// such as w32tm write ordinary messages there.
type Result struct {
	Stdout   string
	Stderr   string
	ExitCode int
	OK       bool // PowerShell's $? after the command
	Duration time.Duration
	// Truncated is set when the output went over the host's limit and was cut.
	Truncated bool
}

// Runner runs one PowerShell command. [*Host] implements it; the executor
// wraps it so that every command is audited before it is sent.
type Runner interface {
	Run(ctx context.Context, script string) (Result, error)
}
