package steps

import (
	"errors"
	"strings"

	"github.com/caafix/caafix/pshost"
)

func splitLines(s string) []string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return lines
}

func joinReasons(r []string) string {
	if len(r) == 0 {
		return "no detail"
	}
	return strings.Join(r, "; ")
}

func isHostError(err error) bool {
	var he *pshost.HostError
	return errors.As(err, &he)
}
