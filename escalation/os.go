package escalation

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ParseOS parses the output of scripts.OSVersion: Get-CimInstance
// Win32_OperatingSystem | Select-Object Caption, Version, BuildNumber |
// ConvertTo-Json -Compress, one JSON object.
func ParseOS(text string) (OS, error) {
	body := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
	if body == "" {
		return OS{}, fmt.Errorf("os version: no output")
	}
	var raw struct {
		Caption, Version, BuildNumber *string
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		return OS{}, fmt.Errorf("os version: expected a JSON object with Caption, Version and BuildNumber: %w", err)
	}
	var o OS
	if raw.Caption != nil {
		o.Caption = strings.TrimSpace(*raw.Caption)
	}
	if raw.Version != nil {
		o.Version = strings.TrimSpace(*raw.Version)
	}
	if raw.BuildNumber != nil {
		o.BuildNumber = strings.TrimSpace(*raw.BuildNumber)
	}
	if o == (OS{}) {
		return OS{}, fmt.Errorf("os version: no Caption, Version or BuildNumber in %q", clip(body, 80))
	}
	return o, nil
}

// clip cuts s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	if cut < 0 {
		cut = 0
	}
	return s[:cut] + "…"
}
