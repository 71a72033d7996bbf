package device

import (
	"fmt"
	"strings"
)

// ParseServiceStatus reads the Status that Get-Service prints for the
// Windows Time service (a .NET enum name, never localized) and returns
// TimeServiceRunning or TimeServiceStopped; a pending or paused state is
// TimeServiceUnknown. Empty or other text is an error.
func ParseServiceStatus(text string) (string, error) {
	s := strings.TrimSpace(normalize(text))
	switch strings.ToLower(s) {
	case "running":
		return TimeServiceRunning, nil
	case "stopped":
		return TimeServiceStopped, nil
	case "startpending", "stoppending", "continuepending", "pausepending", "paused":
		return TimeServiceUnknown, nil
	case "":
		return TimeServiceUnknown, fmt.Errorf("service status: empty output (is the w32time service installed?)")
	}
	return TimeServiceUnknown, fmt.Errorf("service status: expected Running or Stopped, got %q", clip(s, 80))
}
