package device

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// msDate is how Windows PowerShell 5.1's ConvertTo-Json writes a DateTime:
// "\/Date(1732800000000)\/", milliseconds since 1970 UTC, sometimes with a
// "+0100" zone that does not change the instant.
var msDate = regexp.MustCompile(`^/Date\((-?\d{1,15})(?:[+-]\d{4})?\)/$`)

// parseJSONTime reads a DateTime from ConvertTo-Json: the "\/Date(ms)\/"
// string of Windows PowerShell 5.1, an RFC 3339 string (PowerShell 7), or
// the object 5.1 writes for a DateTime carrying extra properties
// ({"value":"\/Date(ms)\/","DateTime":"…"}).
func parseJSONTime(raw json.RawMessage) (time.Time, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var wrapped struct {
			Value *string `json:"value"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil || wrapped.Value == nil {
			return time.Time{}, fmt.Errorf("expected a date string, got %s", clip(string(raw), 60))
		}
		s = *wrapped.Value
	}
	if m := msDate.FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("date %q out of range", s)
		}
		return inRange(time.UnixMilli(ms).UTC(), s)
	}
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
		return inRange(t, s)
	}
	return time.Time{}, fmt.Errorf(`expected a date such as "\/Date(1732800000000)\/" or RFC 3339, got %q`, clip(s, 60))
}

// ParseLastBoot parses Win32_OperatingSystem's LastBootUpTime as
// ConvertTo-Json prints it: {"LastBootUpTime":"\/Date(1732800000000)\/"}.
func ParseLastBoot(text string) (time.Time, error) {
	var v struct {
		LastBootUpTime json.RawMessage
	}
	body := strings.TrimSpace(normalize(text))
	if body == "" {
		return time.Time{}, fmt.Errorf("last boot: empty output")
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return time.Time{}, fmt.Errorf(`last boot: expected JSON such as {"LastBootUpTime":"\/Date(1732800000000)\/"}: %w`, err)
	}
	if v.LastBootUpTime == nil {
		return time.Time{}, fmt.Errorf("last boot: no LastBootUpTime in %s", clip(body, 80))
	}
	t, err := parseJSONTime(v.LastBootUpTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("last boot: %w", err)
	}
	return t, nil
}

// inRange rejects times that Windows cannot hold (before 1601) or that
// encoding/json cannot write back (after 9999).
func inRange(t time.Time, s string) (time.Time, error) {
	if y := t.Year(); y < 1601 || y > 9999 {
		return time.Time{}, fmt.Errorf("date %q out of range", s)
	}
	return t, nil
}
