package device

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// SignIn is what a request to the Entra ID sign-in endpoint showed.
type SignIn struct {
	// Reachable is whether the endpoint answered at all: TriNo when the
	// connection failed (no route, DNS, timeout, TLS interception),
	// TriYes when it answered, even with an HTTP error status.
	Reachable Tri    `json:"reachable"`
	Error     string `json:"error,omitempty"` // the request's error, when it failed
	// Date is the endpoint's Date header: the time source when UDP 123 is
	// blocked. Zero when it did not answer or sent none.
	Date time.Time `json:"date,omitzero"`
}

// answered matches Windows PowerShell 5.1's WebException messages for a
// server that answered with an error status ("The remote server returned
// an error: (405) Method Not Allowed."): the endpoint is reachable.
var answered = regexp.MustCompile(`(?i)returned an error: \(\d{3}\)`)

// ParseSignInProbe reads the answer of scripts.SignInProbe: on success the
// response headers as ConvertTo-Json prints a Dictionary[string,string]
// ({"Date":"Sat, 28 Nov 2026 17:50:10 GMT",…}); on failure nothing on
// stdout and Invoke-WebRequest's error message on stderr ("Unable to
// connect to the remote server", "The operation has timed out", "The
// underlying connection was closed: …"). Output that is neither is an
// error.
func ParseSignInProbe(stdout, stderr string) (SignIn, error) {
	body := strings.TrimSpace(normalize(stdout))
	if body == "" {
		msg := firstLine(stderr)
		if msg == "" {
			return SignIn{Reachable: TriUnknown}, fmt.Errorf("sign-in probe: no headers and no error")
		}
		msg = strings.TrimPrefix(msg, "Invoke-WebRequest : ")
		if answered.MatchString(msg) {
			return SignIn{Reachable: TriYes, Error: msg}, nil
		}
		return SignIn{Reachable: TriNo, Error: msg}, nil
	}
	var headers map[string]any
	if err := json.Unmarshal([]byte(body), &headers); err != nil {
		return SignIn{Reachable: TriUnknown}, fmt.Errorf("sign-in probe: expected the response headers as a JSON object, got %q", clip(body, 60))
	}
	s := SignIn{Reachable: TriYes}
	for k, v := range headers {
		if !strings.EqualFold(k, "Date") {
			continue
		}
		text, _ := v.(string)
		t, err := http.ParseTime(text)
		if err != nil {
			return s, fmt.Errorf("sign-in probe: Date header %q is not an HTTP date", clip(text, 60))
		}
		s.Date = t.UTC()
	}
	return s, nil
}
