package devicesim

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

var (
	nameRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	hostnameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,14}$`)
	userRE     = regexp.MustCompile(`^[^@\s"\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)
	cultureRE  = regexp.MustCompile(`^[a-z]{2,3}-[a-z]{2,4}$`)
)

// minClockSkewFault is the skew above which a clock-skew fault makes sense:
// Entra ID tolerates five minutes.
const minClockSkewFault = 5 * time.Minute

// validate turns a decoded file into a Scenario with defaults applied,
// adding every problem it finds to p.
func validate(p *problems, raw *rawScenario, pos map[string]position) *Scenario {
	at := func(path string) position {
		for {
			if q, ok := pos[path]; ok {
				return q
			}
			i := strings.LastIndexAny(path, ".[")
			if i < 0 {
				return position{1, 1}
			}
			path = path[:i]
		}
	}
	sc := &Scenario{Name: raw.Name}
	switch {
	case raw.Name == "":
		p.add(at("name"), "name is missing: add a name such as cloud-wam-cache")
	case !nameRE.MatchString(raw.Name):
		p.add(at("name"), "name %q is not valid: use lower-case letters, digits and dashes", raw.Name)
	}
	if raw.Device == nil {
		p.add(at("device"), "device is missing: add a device section with at least hostname and join")
		raw.Device = &rawDevice{}
	}
	d := raw.Device
	dev := &sc.Device

	dev.Hostname = d.Hostname
	switch {
	case d.Hostname == "":
		p.add(at("device"), "device.hostname is missing: add one such as PC-0042")
	case !hostnameRE.MatchString(d.Hostname):
		p.add(at("device.hostname"), "hostname %q is not a Windows computer name: use up to 15 letters, digits and dashes", d.Hostname)
	}

	dev.DsregcmdStatus = d.DsregcmdStatus
	var textJoin Join
	if d.DsregcmdStatus != "" {
		j, ok := joinFromStatus(d.DsregcmdStatus)
		if !ok {
			p.add(at("device.dsregcmd_status"), "dsregcmd_status has no \"AzureAdJoined : YES|NO\" line: paste the whole output of dsregcmd /status")
		}
		textJoin = j
	}
	switch {
	case d.Join == "" && d.DsregcmdStatus == "":
		p.add(at("device"), "device.join is missing: add join (%s) or a verbatim dsregcmd_status", joinList())
	case d.Join == "":
		dev.Join = textJoin
	case !validJoin(Join(d.Join)):
		p.add(at("device.join"), "unknown join %q: use one of %s", d.Join, joinList())
	default:
		dev.Join = Join(d.Join)
		if textJoin != "" && textJoin != dev.Join {
			p.add(at("device.join"), "join is %s but dsregcmd_status shows a %s device: make them agree, or leave join out", dev.Join, textJoin)
		}
	}

	dev.Locale = orDefault(d.Locale, LocaleEnUS)
	if dev.Locale != LocaleEnUS && dev.Locale != LocaleDeDE {
		p.add(at("device.locale"), "unknown locale %q: use %s or %s", d.Locale, LocaleEnUS, LocaleDeDE)
	}
	dev.Managed = d.Managed
	dev.Compliant = d.Compliant == nil || *d.Compliant
	dev.Elevated = d.Elevated == nil || *d.Elevated

	dev.Context = Context(orDefault(d.Context, string(ContextUser)))
	if dev.Context != ContextUser && dev.Context != ContextSystem {
		p.add(at("device.context"), "unknown context %q: use user or system", d.Context)
	}
	dev.User = d.User
	switch {
	case d.User != "" && !userRE.MatchString(d.User):
		p.add(at("device.user"), "user %q is not an e-mail address: write the user's sign-in name, such as alex@contoso.com", d.User)
	case d.User == "" && dev.Context == ContextUser:
		p.add(at("device"), "context is user but no user is signed in: add device.user, or use context: system")
	}
	if dev.Context == ContextSystem && !dev.Elevated {
		p.add(at("device.elevated"), "context system always runs elevated: remove elevated: false")
	}

	var skewOK bool
	dev.ClockSkew, skewOK = parseSkew(p, d.ClockSkew, at("device.clock_skew"))
	dev.TimeService = orDefault(d.TimeService, ServiceRunning)
	if dev.TimeService != ServiceRunning && dev.TimeService != ServiceStopped {
		p.add(at("device.time_service"), "unknown time_service %q: use running or stopped", d.TimeService)
	}

	seen := map[string]bool{}
	for i, c := range d.Credentials {
		where := at(fmt.Sprintf("device.credentials[%d]", i))
		switch {
		case strings.TrimSpace(c) == "":
			p.add(where, "empty credential target: remove it")
		case strings.ContainsAny(c, "\r\n\t"):
			p.add(where, "credential target %q holds a control character: write it on one line", c)
		case seen[strings.ToLower(c)]:
			p.add(where, "credential target %q is listed twice: remove one", c)
		}
		seen[strings.ToLower(c)] = true
		dev.Credentials = append(dev.Credentials, c)
	}

	dev.Office = Office{Platform: "x64", Culture: "en-us"}
	if o := d.Office; o != nil {
		dev.Office.Installed = o.Installed
		dev.Office.Platform = orDefault(o.Platform, "x64")
		dev.Office.Culture = orDefault(o.Culture, "en-us")
		if p2 := dev.Office.Platform; p2 != "x64" && p2 != "x86" && p2 != "arm64" {
			p.add(at("device.office.platform"), "unknown office platform %q: use x64, x86 or arm64", p2)
		}
		if !cultureRE.MatchString(dev.Office.Culture) {
			p.add(at("device.office.culture"), "office culture %q is not a culture name: write it like en-us or de-de", dev.Office.Culture)
		}
	}

	for i, s := range d.Security {
		kind, name, ok := strings.Cut(s, ":")
		if !ok || (kind != "vpn" && kind != "av") || strings.TrimSpace(name) == "" {
			p.add(at(fmt.Sprintf("device.security[%d]", i)), "security entry %q is not valid: write vpn:NAME or av:NAME", s)
		}
		dev.Security = append(dev.Security, s)
	}

	dev.NTPBlocked = d.NTPBlocked

	sc.Faults = validateFaults(p, raw.Faults, dev, skewOK, at)
	return sc
}

// validateFaults checks the faults against the device; skewOK is false
// when clock_skew was unreadable, which was reported already.
func validateFaults(p *problems, names []string, dev *Device, skewOK bool, at func(string) position) []Fault {
	var out []Fault
	seen := map[Fault]bool{}
	for i, n := range names {
		where := at(fmt.Sprintf("faults[%d]", i))
		f := Fault(n)
		if !validFault(f) {
			p.add(where, "unknown fault %q: use one of %s", n, faultList())
			continue
		}
		if seen[f] {
			p.add(where, "fault %s is listed twice: remove one", f)
			continue
		}
		seen[f] = true
		out = append(out, f)
		switch f {
		case FaultClockSkew:
			if skewOK && dev.ClockSkew.Abs() <= minClockSkewFault {
				p.add(where, "fault clock-skew needs |clock_skew| over 5m, but clock_skew is %s: set device.clock_skew to e.g. 20m", dev.ClockSkew)
			}
		case FaultJoinBroken:
			if dev.Join != JoinCloud && dev.Join != "" {
				p.add(where, "fault join-broken is only modelled on cloud-only devices, but join is %s: use join: cloud", dev.Join)
			}
		case FaultOfficeInstall:
			if !dev.Office.Installed {
				p.add(where, "fault office-install needs Office: set device.office.installed: true")
			}
		case FaultOfficeCreds:
			if !hasOfficeTarget(dev.Credentials) {
				p.add(where, "fault office-creds needs an Office target in device.credentials: add e.g. MicrosoftOffice16_Data:SSPI:%s", orDefault(dev.User, "alex@contoso.com"))
			}
		case FaultBrokerPlugin:
			if dev.User == "" {
				p.add(where, "fault broker-plugin is the signed-in user's: add device.user")
			}
		case FaultAVVPN:
			if len(dev.Security) == 0 {
				p.add(where, "fault av-vpn needs the product that causes it: add e.g. vpn:ExampleVPN to device.security")
			}
		}
	}
	return out
}

// parseSkew reads clock_skew: a Go duration such as 20m or -7m, or 0.
func parseSkew(p *problems, v any, where position) (time.Duration, bool) {
	switch s := v.(type) {
	case nil:
		return 0, true
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			p.add(where, "clock_skew %q is not a duration: write it like 20m, -7m or 90s", s)
			return 0, false
		}
		return d, true
	case uint64:
		if s == 0 {
			return 0, true
		}
	case int64:
		if s == 0 {
			return 0, true
		}
	case int:
		if s == 0 {
			return 0, true
		}
	}
	p.add(where, "clock_skew %v has no unit: write it like 20m, -7m or 90s", v)
	return 0, false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func validJoin(j Join) bool {
	switch j {
	case JoinCloud, JoinHybrid, JoinRegistered, JoinDomain, JoinNone:
		return true
	}
	return false
}

func joinList() string { return "cloud, hybrid, registered, domain, none" }

func validFault(f Fault) bool {
	for _, g := range Faults() {
		if g == f {
			return true
		}
	}
	return false
}

func faultList() string {
	names := make([]string, 0, len(Faults()))
	for _, f := range Faults() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// officePrefixes are the credential targets the credentials.remove step
// may delete, and whose presence keeps the office-creds fault alive.
var officePrefixes = []string{"MicrosoftOffice16_Data:", "MicrosoftAccount:", "OneDrive Cached Credential"}

func isOfficeTarget(target string) bool {
	for _, pre := range officePrefixes {
		if len(target) >= len(pre) && strings.EqualFold(target[:len(pre)], pre) {
			return true
		}
	}
	return false
}

func hasOfficeTarget(targets []string) bool {
	for _, t := range targets {
		if isOfficeTarget(t) {
			return true
		}
	}
	return false
}
