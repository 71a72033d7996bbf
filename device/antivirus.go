package device

import (
	"fmt"
	"strings"
)

// ParseAntiVirus parses the display names of the antivirus products that
// Security Center knows, one a line, dropping blank lines and repeats.
// Empty output is an empty list; Windows Server has no Security Center, so
// there "none" means "not known". Control characters are an error.
func ParseAntiVirus(text string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for n, l := range lines(text) {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		if hasControl(l) {
			return nil, fmt.Errorf("antivirus: line %d: %q is not a product name", n+1, clip(l, 80))
		}
		seen[l] = true
		out = append(out, l)
	}
	return out, nil
}
