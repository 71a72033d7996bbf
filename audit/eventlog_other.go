//go:build !windows

package audit

import "github.com/caafix/caafix/outcome"

func errNoEventLog() error {
	return outcome.Errorf(outcome.Usage, "the Windows Event Log exists only on Windows").
		WithHint("on this system the audit log file is the record; leave audit.eventlog off")
}

// openEventLog fails: there is no Event Log here. A trail asked for one
// says so in the file and goes on.
func openEventLog() (Sink, error) { return nil, errNoEventLog() }

// InstallEventLog fails with a usage error: there is no Event Log here.
func InstallEventLog() (bool, error) { return false, errNoEventLog() }

// RemoveEventLog fails with a usage error: there is no Event Log here.
func RemoveEventLog() (bool, error) { return false, errNoEventLog() }
