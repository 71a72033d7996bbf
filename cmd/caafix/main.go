// Command caafix fixes the Microsoft 365 sign-in error CAA50021 on Windows
// by running signed, declarative runbooks through a PowerShell host, behind
// a policy gate, with a JSON audit trail. This package is the command line
// only: flags, help text and the mapping of errors to exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
