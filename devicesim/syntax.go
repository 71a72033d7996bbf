package devicesim

import (
	"errors"
	"strings"
)

// CheckSyntax parses one line of PowerShell by the rules the simulator
// uses (PowerShell's quoting, braces, statements and pipelines) and
// returns PowerShell's parser error text when the line would not run.
// Tests use it to show that every command caafix sends is valid.
func CheckSyntax(line string) error {
	if _, errs := parseLine(line); len(errs) > 0 {
		return errors.New(strings.TrimSpace(parserErrorRecord(line, errs).render()))
	}
	return nil
}
