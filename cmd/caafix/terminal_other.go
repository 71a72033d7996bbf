//go:build !linux && !windows

package main

import (
	"errors"
	"os"
)

// isTerminal reports false: on this system caafix does not prompt, and
// CAAFIX_KEY_PASSWORD gives the password.
func isTerminal(*os.File) bool { return false }

func echoOff(*os.File) (func(), error) {
	return nil, errors.New("no password prompt on this system")
}
