package device

import (
	"errors"
	"regexp"
	"strings"
)

// dsregSwitch matches a switch line of dsregcmd /?: the switch
// right-aligned, " : ", its description.
var dsregSwitch = regexp.MustCompile(`^\s*(/[A-Za-z0-9_?]+)\s+:`)

// ParseDsregHelp returns the switches that dsregcmd /? lists, as printed
// (e.g. "/cleanupaccounts"). Text that lists none is an error.
func ParseDsregHelp(text string) ([]string, error) {
	var out []string
	for _, l := range lines(text) {
		if m := dsregSwitch.FindStringSubmatch(l); m != nil {
			out = append(out, m[1])
		}
	}
	if len(out) == 0 {
		return nil, errors.New(`not dsregcmd /? output: expected lines such as "/status : Displays the device join status"`)
	}
	return out, nil
}

// SupportsSwitch reports whether the dsregcmd /? text lists the switch
// (matched without regard to case, with or without its leading slash).
// Older Windows builds lack /cleanupaccounts, /listaccounts and /refreshprt.
func SupportsSwitch(help, sw string) bool {
	sw = "/" + strings.TrimPrefix(strings.TrimSpace(sw), "/")
	switches, err := ParseDsregHelp(help)
	if err != nil {
		return false
	}
	for _, s := range switches {
		if strings.EqualFold(s, sw) {
			return true
		}
	}
	return false
}
