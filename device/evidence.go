package device

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// Evidence is what tells the cause families of CAA50021 apart: the facts
// of [Gather] read for diagnosis, plus two read-only probes of their own
// (the sign-in endpoint and the broker plug-in's registration). Like
// [Facts], a value that could not be read is unknown and Problems says
// why.
type Evidence struct {
	Symptom   Symptom    `json:"symptom"`
	AADErrors []AADError `json:"aad_errors"` // codes in events 1098/1104 within the lookback
	Join      Join       `json:"join"`
	// PRT and PRTUpdateTime are SSO State's AzureAdPrt and
	// AzureAdPrtUpdateTime; the PRT is unknown in system context.
	PRT              Tri          `json:"prt"`
	PRTUpdateTime    time.Time    `json:"prt_update_time,omitzero"`
	DeviceAuthStatus string       `json:"device_auth_status"` // SUCCESS, "FAILED. …", "" when not printed
	TPMProtected     Tri          `json:"tpm_protected"`
	DeviceCert       CertValidity `json:"device_certificate"`
	DeviceCertValid  Tri          `json:"device_certificate_valid"`
	DiagnosticTests  []Field      `json:"diagnostic_tests"` // dsregcmd's own tests, e.g. KeySignTest PASSED
	// ClockSkewS is the local clock's lead in seconds, valid when
	// ClockKnown; ClockSource says what it was measured against.
	ClockSkewS  float64 `json:"clock_skew_s"`
	ClockKnown  bool    `json:"clock_known"`
	ClockSource string  `json:"clock_source"` // ClockW32tm, ClockSignInDate or ""
	SignIn      SignIn  `json:"sign_in"`
	// UserUPN is the signed-in user's UPN as dsregcmd names it, "" when
	// unknown.
	UserUPN string `json:"user_upn"`
	// OfficeCredentials are the Office, Microsoft account and OneDrive
	// targets in the vault of the account caafix runs as; nil when the
	// vault could not be read. StaleOfficeCredentials are the Office
	// targets cached for another account than UserUPN.
	OfficeCredentials      []string `json:"office_credentials"`
	StaleOfficeCredentials []string `json:"stale_office_credentials"`
	Managed                bool     `json:"managed"`
	ManagedKnown           bool     `json:"managed_known"`
	Antivirus              []string `json:"antivirus"` // third-party products only
	VPN                    []string `json:"vpn"`
	// BrokerPlugin is whether Microsoft.AAD.BrokerPlugin is registered for
	// the account caafix runs as; unknown in system context.
	BrokerPlugin       Tri      `json:"broker_plugin_registered"`
	BrokerPluginDetail string   `json:"broker_plugin_detail,omitempty"`
	Problems           []string `json:"problems"`
}

// Where the clock skew was measured.
const (
	ClockW32tm      = "w32tm"                 // an NTP sample (w32tm /stripchart)
	ClockSignInDate = "sign-in endpoint Date" // the HTTPS Date header, when UDP 123 is blocked
)

// officeDataPrefix starts the targets Office caches its own sign-ins under.
const officeDataPrefix = "MicrosoftOffice16_Data:"

// EvidenceOptions tune [GatherEvidence]. Zero values take the defaults.
type EvidenceOptions struct {
	Lookback time.Duration    // how far back AAD events count; default 24h
	Now      func() time.Time // the device's clock; default time.Now
}

// GatherEvidence adds to facts (from [Gather], which it does not repeat)
// the sign-in endpoint probe and the broker plug-in query, each sent once
// through r, and derives the evidence. It changes nothing. A Runner error
// is returned; unreadable output makes its part unknown.
func GatherEvidence(ctx context.Context, r pshost.Runner, f *Facts, opts ...EvidenceOptions) (*Evidence, error) {
	var o EvidenceOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Lookback <= 0 {
		o.Lookback = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ev := &Evidence{
		Symptom: f.Symptom, Join: f.Join, PRT: f.PRT, DeviceAuthStatus: f.DeviceAuthStatus,
		TPMProtected: TriUnknown, DeviceCertValid: TriUnknown, DiagnosticTests: []Field{},
		ClockSkewS: f.ClockSkewS, ClockKnown: f.ClockKnown, Managed: f.Managed, ManagedKnown: f.ManagedKnown,
		Antivirus: ThirdPartyAV(f.Antivirus), VPN: f.VPN, BrokerPlugin: TriUnknown,
		Problems: append([]string{}, f.Problems...),
	}
	if ev.ClockKnown {
		ev.ClockSource = ClockW32tm
	}
	now := o.Now()
	ev.AADErrors = AADErrors(f.Events, now.Add(-o.Lookback))
	if st := f.Dsreg; st != nil {
		if f.PRT == TriYes {
			ev.PRTUpdateTime = st.PRTUpdateTime()
		}
		ev.TPMProtected = st.TPMProtected()
		ev.DiagnosticTests = st.DiagnosticTests()
		if st.Join() == JoinCloud || st.Join() == JoinHybrid || st.Join() == JoinRegistered {
			if c, err := st.DeviceCertificate(); err == nil {
				ev.DeviceCert, ev.DeviceCertValid = c, c.ValidAt(now)
			} else {
				ev.problem("device_certificate", err)
			}
		}
		if !st.RanAsSystem() {
			ev.UserUPN = st.ExecutingUPN()
		}
	}
	if f.Credentials != nil {
		ev.OfficeCredentials = []string{}
		ev.StaleOfficeCredentials = []string{}
		for _, c := range f.Credentials {
			if !isOfficeTarget(c) {
				continue
			}
			ev.OfficeCredentials = append(ev.OfficeCredentials, c)
			if ev.UserUPN != "" && staleFor(c, ev.UserUPN) {
				ev.StaleOfficeCredentials = append(ev.StaleOfficeCredentials, c)
			}
		}
	}

	res, err := r.Run(ctx, scripts.SignInProbe)
	if err != nil {
		return nil, fmt.Errorf("gather evidence: %s: %w", scripts.SignInProbe, err)
	}
	si, perr := ParseSignInProbe(res.Stdout, res.Stderr)
	ev.SignIn = si
	if perr != nil {
		ev.problem("sign_in", perr)
	}
	if !ev.ClockKnown && !si.Date.IsZero() {
		// UDP 123 blocked, HTTPS open: the Date header has a resolution of
		// a second, plenty against a threshold of minutes.
		ev.ClockSkewS, ev.ClockKnown, ev.ClockSource = math.Round(now.Sub(si.Date).Seconds()), true, ClockSignInDate
	}

	if f.Context != ContextUser {
		ev.problem("broker_plugin", fmt.Errorf("caafix does not run as the user (context %s): Get-AppxPackage would list another account's packages", f.Context))
		return ev, nil
	}
	res, err = r.Run(ctx, scripts.BrokerPlugin)
	if err != nil {
		return nil, fmt.Errorf("gather evidence: %s: %w", scripts.BrokerPlugin, err)
	}
	ps, perr := ParseAppxPackages(res.Stdout)
	if perr == nil && len(ps) == 0 && !res.OK {
		perr = fmt.Errorf("Get-AppxPackage failed: %s", firstLine(res.Stderr))
	}
	if perr != nil {
		ev.problem("broker_plugin", perr)
		return ev, nil
	}
	ok, detail := BrokerPluginRegistered(ps)
	ev.BrokerPlugin, ev.BrokerPluginDetail = TriNo, detail
	if ok {
		ev.BrokerPlugin = TriYes
	}
	return ev, nil
}

func (ev *Evidence) problem(what string, err error) {
	ev.Problems = append(ev.Problems, what+": "+err.Error())
}

// officeTargets are the prefixes credentials.remove may delete: Office's,
// the Microsoft account's and OneDrive's cached sign-ins.
var officeTargets = []string{officeDataPrefix, "MicrosoftAccount:", "OneDrive Cached Credential"}

func isOfficeTarget(name string) bool {
	for _, p := range officeTargets {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// staleFor reports whether an Office target caches a sign-in of another
// work account than upn: MicrosoftOffice16_Data:SSPI:old@contoso.com
// after a UPN change or an account switch. Microsoft account targets are
// personal accounts and never stale by this rule.
func staleFor(target, upn string) bool {
	rest, ok := strings.CutPrefix(target, officeDataPrefix)
	if !ok {
		return false
	}
	account := rest[strings.LastIndexByte(rest, ':')+1:]
	return strings.Contains(account, "@") && !strings.EqualFold(account, upn)
}

// builtInAV are Microsoft's own antivirus products, which Security Center
// lists next to third-party ones.
var builtInAV = []string{"windows defender", "microsoft defender"}

// ThirdPartyAV drops Microsoft's own antivirus from a product list.
func ThirdPartyAV(products []string) []string {
	if products == nil {
		return nil
	}
	out := []string{}
	for _, p := range products {
		builtin := false
		for _, b := range builtInAV {
			builtin = builtin || strings.HasPrefix(strings.ToLower(p), b)
		}
		if !builtin {
			out = append(out, p)
		}
	}
	return out
}
