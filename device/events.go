package device

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Event is one entry of the Microsoft-Windows-AAD/Operational log.
type Event struct {
	ID      int       `json:"id"`
	Time    time.Time `json:"time"`
	Message string    `json:"message"`
}

type rawEvent struct {
	ID          *int            `json:"Id"`
	TimeCreated json.RawMessage `json:"TimeCreated"`
	Message     *string         `json:"Message"`
}

// ParseAADEvents parses Get-WinEvent … | Select-Object Id, TimeCreated,
// Message | ConvertTo-Json -Compress. Windows PowerShell 5.1 prints one
// object for one event, an array for several, and nothing for none; an
// empty output is an empty list. A null Message (no message resource) is
// an empty message.
func ParseAADEvents(text string) ([]Event, error) {
	body := strings.TrimSpace(normalize(text))
	if body == "" {
		return []Event{}, nil
	}
	var raws []rawEvent
	switch body[0] {
	case '[':
		if err := json.Unmarshal([]byte(body), &raws); err != nil {
			return nil, fmt.Errorf("aad events: expected a JSON array of events: %w", err)
		}
	case '{':
		var r rawEvent
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, fmt.Errorf("aad events: expected a JSON event object: %w", err)
		}
		raws = []rawEvent{r}
	default:
		return nil, fmt.Errorf("aad events: expected JSON (an object or an array), got %q", clip(body, 60))
	}
	out := make([]Event, 0, len(raws))
	for i, r := range raws {
		if r.ID == nil {
			return nil, fmt.Errorf("aad events: event %d: no Id", i+1)
		}
		if r.TimeCreated == nil {
			return nil, fmt.Errorf("aad events: event %d: no TimeCreated", i+1)
		}
		t, err := parseJSONTime(r.TimeCreated)
		if err != nil {
			return nil, fmt.Errorf("aad events: event %d: TimeCreated: %w", i+1, err)
		}
		e := Event{ID: *r.ID, Time: t}
		if r.Message != nil {
			e.Message = *r.Message
		}
		out = append(out, e)
	}
	return out, nil
}

var (
	codeHex     = regexp.MustCompile(`(?i)\b0x([0-9a-f]{8})\b`)
	codeCAA     = regexp.MustCompile(`(?i)\b(CAA[0-9a-f]{5})\b`)
	codeDecimal = regexp.MustCompile(`(?i)\b(?:error|code|status|result)\s*[:=]?\s*(-?\d{6,11})\b`)
	codeAADSTS  = regexp.MustCompile(`(?i)\bAADSTS(\d+)\b`)
)

// ErrorCodes returns the error codes in an event message, each once, in the
// order they first appear: HRESULTs as "0x" and eight upper-case hex digits
// ("0xCAA50021", also found as bare "CAA50021" and as decimal "Error:
// 2147943712" = "0x80070520"), and Entra ID codes as "AADSTS50126".
func ErrorCodes(message string) []string {
	type hit struct {
		at   int
		code string
	}
	var hits []hit
	for _, m := range codeHex.FindAllStringSubmatchIndex(message, -1) {
		hits = append(hits, hit{m[0], "0x" + strings.ToUpper(message[m[2]:m[3]])})
	}
	for _, m := range codeCAA.FindAllStringSubmatchIndex(message, -1) {
		hits = append(hits, hit{m[0], "0x" + strings.ToUpper(message[m[2]:m[3]])})
	}
	for _, m := range codeDecimal.FindAllStringSubmatchIndex(message, -1) {
		if code, ok := decimalHRESULT(message[m[2]:m[3]]); ok {
			hits = append(hits, hit{m[2], code})
		}
	}
	for _, m := range codeAADSTS.FindAllStringSubmatchIndex(message, -1) {
		hits = append(hits, hit{m[0], "AADSTS" + message[m[2]:m[3]]})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	out := []string{}
	seen := map[string]bool{}
	for _, h := range hits {
		if !seen[h.code] {
			seen[h.code] = true
			out = append(out, h.code)
		}
	}
	return out
}

// decimalHRESULT converts a decimal error number to hex when it is a
// failure HRESULT: 2147483648–4294967295, or its negative int32 form.
func decimalHRESULT(s string) (string, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "", false
	}
	if n < 0 && n >= -1<<31 {
		n += 1 << 32
	}
	if n < 1<<31 || n >= 1<<32 {
		return "", false
	}
	return fmt.Sprintf("0x%08X", n), true
}

// HasCode reports whether the message mentions the code, given in any of
// the forms [ErrorCodes] finds ("CAA50021", "0xcaa50021", "AADSTS50126").
func HasCode(message, code string) bool {
	want := ErrorCodes(code)
	if len(want) != 1 {
		return false
	}
	for _, c := range ErrorCodes(message) {
		if c == want[0] {
			return true
		}
	}
	return false
}
