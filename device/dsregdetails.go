package device

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// dsregTime is how dsregcmd prints a time: "2019-01-24 19:15:33.000 UTC".
const dsregTime = "2006-01-02 15:04:05.000 MST"

// PRTUpdateTime returns SSO State's AzureAdPrtUpdateTime, the zero time
// when it is not printed (no PRT) or cannot be read.
func (st *DsregStatus) PRTUpdateTime() time.Time {
	v, _ := st.Get("SSO State", "AzureAdPrtUpdateTime")
	t, err := time.Parse(dsregTime, v)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// TPMProtected returns Device Details' TpmProtected: whether the device
// key is in the TPM.
func (st *DsregStatus) TPMProtected() Tri { return st.tri("Device Details", "TpmProtected") }

// CertValidity is the validity window of the device certificate, as
// DeviceCertificateValidity prints it: "[ FROM -- TO ]".
type CertValidity struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Known reports whether the window was read.
func (c CertValidity) Known() bool { return !c.From.IsZero() && !c.To.IsZero() }

// ValidAt reports whether t falls inside the window: TriUnknown when the
// window was not read.
func (c CertValidity) ValidAt(t time.Time) Tri {
	switch {
	case !c.Known():
		return TriUnknown
	case t.Before(c.From) || t.After(c.To):
		return TriNo
	}
	return TriYes
}

var certWindow = regexp.MustCompile(`^\[\s*(.+?)\s+--\s+(.+?)\s*\]$`)

// DeviceCertificate returns Device Details' DeviceCertificateValidity
// (Entra joined devices) or, on a registered device, the first work
// account's; an error when it is not printed or cannot be read.
func (st *DsregStatus) DeviceCertificate() (CertValidity, error) {
	v, ok := st.Get("Device Details", "DeviceCertificateValidity")
	if !ok {
		for _, s := range st.sections {
			if strings.HasPrefix(strings.ToLower(s.name), "work account") {
				v, ok = st.Get(s.name, "DeviceCertificateValidity")
				break
			}
		}
	}
	if !ok {
		return CertValidity{}, fmt.Errorf("dsregcmd /status prints no DeviceCertificateValidity")
	}
	m := certWindow.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return CertValidity{}, fmt.Errorf("DeviceCertificateValidity %q: expected \"[ FROM -- TO ]\"", clip(v, 80))
	}
	from, err1 := time.Parse(dsregTime, m[1])
	to, err2 := time.Parse(dsregTime, m[2])
	if err1 != nil || err2 != nil {
		return CertValidity{}, fmt.Errorf("DeviceCertificateValidity %q: expected times such as 2019-01-24 19:15:33.000 UTC", clip(v, 80))
	}
	return CertValidity{From: from.UTC(), To: to.UTC()}, nil
}

// DiagnosticTests returns the results of dsregcmd's own tests: every
// field of the Diagnostic Data section (and of the pre-join and post-join
// test sections dsregcmd prints on failures) whose label ends in "Test",
// such as KeySignTest : PASSED or DRS Discovery Test : FAIL [0x801c0021].
func (st *DsregStatus) DiagnosticTests() []Field {
	out := []Field{}
	for _, s := range st.sections {
		name := strings.ToLower(s.name)
		if !strings.Contains(name, "diagnostic") && !strings.Contains(name, "test") {
			continue
		}
		for _, f := range s.fields {
			if strings.HasSuffix(strings.ToLower(f.Label), "test") {
				out = append(out, f)
			}
		}
	}
	return out
}

// FailedTests returns the diagnostic tests whose result says FAIL.
func FailedTests(tests []Field) []Field {
	out := []Field{}
	for _, f := range tests {
		if strings.HasPrefix(strings.ToUpper(f.Value), "FAIL") {
			out = append(out, f)
		}
	}
	return out
}

// ExecutingUPN returns the user principal name in Diagnostic Data's
// Executing Account Name ("AzureAD\john, john@contoso.com"), "" when it
// names none (SYSTEM, or an older build).
func (st *DsregStatus) ExecutingUPN() string {
	_, upn, ok := strings.Cut(st.ExecutingAccount(), ",")
	upn = strings.TrimSpace(upn)
	if !ok || !strings.Contains(upn, "@") {
		return ""
	}
	return upn
}
