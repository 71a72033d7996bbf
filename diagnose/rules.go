package diagnose

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/caafix/caafix/device"
)

// Rule is one clue: when Match finds it in the evidence, it adds Weight
// to Family (see the package doc for how weights combine). Match returns
// the evidence in words.
type Rule struct {
	Name   string
	Family string
	Weight float64
	Match  func(ev *device.Evidence) (string, bool)
}

// MaxSkew is the clock skew beyond which Entra ID refuses tokens (its
// tolerance is five minutes), as w32tm.resync's default threshold.
const MaxSkew = 5 * time.Minute

// Rules is the rule table, documented in docs/diagnose.md. The weights
// say how strongly each clue alone points at its family: 0.9 for a clue
// only that cause produces, 0.5–0.8 for a clue it usually produces, 0.2–0.4
// for a clue that is common on healthy devices too.
var Rules = []Rule{
	{"aadsts53000", ConditionalAccess, 0.7, code(device.CodeNotCompliant)},
	{"caa20004", ConditionalAccess, 0.6, code(device.CodeCAPolicy)},
	{"aadsts53000-managed", ConditionalAccess, 0.5, func(ev *device.Evidence) (string, bool) {
		_, ok := aadError(ev, device.CodeNotCompliant)
		return "the device is MDM managed, so compliance is Intune's to judge", ok && ev.ManagedKnown && ev.Managed
	}},
	{"device-auth-failed", JoinBroken, 0.8, func(ev *device.Evidence) (string, bool) {
		return "dsregcmd: DeviceAuthStatus " + ev.DeviceAuthStatus, authFailed(ev)
	}},
	{"aadsts135011", JoinBroken, 0.8, code(device.CodeDisabled)},
	{"aadsts50155", JoinBroken, 0.6, code(device.CodeNotAuthed)},
	{"device-cert-expired", JoinBroken, 0.7, func(ev *device.Evidence) (string, bool) {
		c := ev.DeviceCert
		return fmt.Sprintf("the device certificate is valid only from %s to %s", c.From.Format(time.RFC3339), c.To.Format(time.RFC3339)),
			ev.DeviceCertValid == device.TriNo
	}},
	{"clock-skew", ClockSkew, 0.9, func(ev *device.Evidence) (string, bool) {
		skew := time.Duration(ev.ClockSkewS * float64(time.Second)).Round(time.Second)
		return fmt.Sprintf("the clock is off by %s, more than 5m (measured by %s)", skew, ev.ClockSource),
			ev.ClockKnown && math.Abs(ev.ClockSkewS) > MaxSkew.Seconds()
	}},
	{"caa20003", ClockSkew, 0.3, code(device.CodeInvalidGrant)},
	{"sign-in-unreachable", AVVPN, 0.6, func(ev *device.Evidence) (string, bool) {
		return "https://login.microsoftonline.com cannot be reached: " + ev.SignIn.Error, ev.SignIn.Reachable == device.TriNo
	}},
	{"caa70007", AVVPN, 0.5, code(device.CodeInterrupted)},
	{"third-party-av", AVVPN, 0.2, func(ev *device.Evidence) (string, bool) {
		return "third-party antivirus: " + strings.Join(ev.Antivirus, ", "), len(ev.Antivirus) > 0
	}},
	{"vpn-active", AVVPN, 0.2, func(ev *device.Evidence) (string, bool) {
		return "active VPN adapter: " + strings.Join(ev.VPN, ", "), len(ev.VPN) > 0
	}},
	{"stale-office-targets", OfficeCreds, 0.9, func(ev *device.Evidence) (string, bool) {
		return fmt.Sprintf("Office caches sign-ins of another account than %s: %s", ev.UserUPN, strings.Join(ev.StaleOfficeCredentials, ", ")),
			len(ev.StaleOfficeCredentials) > 0
	}},
	{"broker-plugin-missing", BrokerPlugin, 0.9, func(ev *device.Evidence) (string, bool) {
		return ev.BrokerPluginDetail, ev.BrokerPlugin == device.TriNo
	}},
	{"caa5001c", BrokerPlugin, 0.3, code(device.CodeBroker)},
	{"no-prt-device-ok", WAMCache, 0.5, func(ev *device.Evidence) (string, bool) {
		return "no primary refresh token (AzureAdPrt NO) on an Entra joined device whose DeviceAuthStatus is not FAILED and whose sign-in endpoint answers",
			joined(ev) && ev.PRT == device.TriNo && !authFailed(ev) && ev.SignIn.Reachable != device.TriNo
	}},
	{"caa50021-events", WAMCache, 0.4, func(ev *device.Evidence) (string, bool) {
		a, ok := aadError(ev, device.CodeCAA50021)
		return fmt.Sprintf("%d event(s) with 0xCAA50021 in Microsoft-Windows-AAD/Operational: %s, and no PRT shows the user's sign-in works", a.Events, a.Meaning),
			ok && ev.PRT != device.TriYes
	}},
}

func joined(ev *device.Evidence) bool {
	return ev.Join == device.JoinCloud || ev.Join == device.JoinHybrid
}

func authFailed(ev *device.Evidence) bool {
	return strings.HasPrefix(strings.ToUpper(ev.DeviceAuthStatus), "FAILED")
}

// code is a rule that matches when the AAD log shows the code.
func code(c string) func(*device.Evidence) (string, bool) {
	return func(ev *device.Evidence) (string, bool) {
		a, ok := aadError(ev, c)
		return fmt.Sprintf("%d event(s) with %s in Microsoft-Windows-AAD/Operational: %s", a.Events, c, a.Meaning), ok
	}
}

func aadError(ev *device.Evidence, c string) (device.AADError, bool) {
	for _, a := range ev.AADErrors {
		if a.Code == c {
			return a, true
		}
	}
	return device.AADError{}, false
}

// Cleared returns the families whose evidence was read and shows they are
// not the cause, each with the reason: a broken WAM cache costs the user
// the PRT, so a PRT present (read as the user on a joined device) clears
// wam-cache; stale Office credentials show as Office targets for another
// account, so a vault read with the user's UPN known and no such target
// clears office-creds. A device that cannot authenticate itself
// (DeviceAuthStatus FAILED) gets no PRT whatever the WAM cache holds, so
// clearing the cache only costs the user a sign-in: that clears wam-cache
// too, until the join is repaired.
func Cleared(ev *device.Evidence) map[string]string {
	out := map[string]string{}
	if ev == nil {
		return out
	}
	switch {
	case joined(ev) && ev.PRT == device.TriYes:
		out[WAMCache] = "the user holds a primary refresh token (AzureAdPrt YES): the WAM account cache works"
	case authFailed(ev):
		out[WAMCache] = "the device cannot authenticate (DeviceAuthStatus " + ev.DeviceAuthStatus + "): no account cache cleanup gets a token until its join is repaired"
	}
	if ev.OfficeCredentials != nil && ev.UserUPN != "" && len(ev.StaleOfficeCredentials) == 0 {
		out[OfficeCreds] = "no cached Office sign-in of another account than " + ev.UserUPN
	}
	return out
}
