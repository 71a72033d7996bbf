package device

import (
	"sort"
	"time"
)

// AADError is one error code found in the AAD log's token errors (events
// 1098 and 1104), with how often and when it was last seen.
type AADError struct {
	Code    string    `json:"code"`    // "0xCAA20004", "AADSTS53000"
	Meaning string    `json:"meaning"` // what the code means, "" for a code caafix does not know
	Events  int       `json:"events"`  // how many events mention it
	Last    time.Time `json:"last"`    // the newest of them
}

// Codes caafix tells the cause families apart by. The meanings are
// Microsoft's: the WAM error codes from "Troubleshoot Microsoft Entra
// joined devices" and the CAA error pages, the AADSTS codes from
// "Microsoft Entra authentication and authorization error codes".
const (
	CodeCAA50021     = "0xCAA50021" // the symptom
	CodeInvalidGrant = "0xCAA20003"
	CodeCAPolicy     = "0xCAA20004"
	CodeInterrupted  = "0xCAA70007"
	CodeBroker       = "0xCAA5001C"
	CodeNotCompliant = "AADSTS53000"
	CodeNotAuthed    = "AADSTS50155"
	CodeDisabled     = "AADSTS135011"
)

var codeMeanings = map[string]string{
	CodeCAA50021:     "the Web Account Manager gave up after repeated failed token requests",
	CodeInvalidGrant: "invalid grant: the token request was refused; check the clock",
	CodeCAPolicy:     "a Conditional Access policy refused the token request",
	CodeInterrupted:  "the connection to the sign-in service was interrupted (network, proxy or security software)",
	CodeBroker:       "the token broker operation failed",
	CodeNotCompliant: "the device is not in the required state: compliant (Conditional Access)",
	CodeNotAuthed:    "device authentication failed",
	CodeDisabled:     "the device is disabled in Entra ID",
}

// CodeMeaning returns what a known code means, "" for others.
func CodeMeaning(code string) string { return codeMeanings[code] }

// AADErrors collects the error codes of the token-error events (1098 and
// 1104) newer than since, most frequent first (then by code).
func AADErrors(events []Event, since time.Time) []AADError {
	by := map[string]*AADError{}
	for _, e := range events {
		if (e.ID != eventError && e.ID != eventWarn) || e.Time.Before(since) {
			continue
		}
		for _, c := range ErrorCodes(e.Message) {
			a := by[c]
			if a == nil {
				a = &AADError{Code: c, Meaning: codeMeanings[c]}
				by[c] = a
			}
			a.Events++
			if e.Time.After(a.Last) {
				a.Last = e.Time
			}
		}
	}
	out := make([]AADError, 0, len(by))
	for _, a := range by {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Events != out[j].Events {
			return out[i].Events > out[j].Events
		}
		return out[i].Code < out[j].Code
	})
	return out
}
