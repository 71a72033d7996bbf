package devicesim

import (
	"fmt"
	"strings"
	"time"
)

// dsregcmd simulates dsregcmd.exe: /status, /?, /cleanupaccounts,
// /listaccounts and /leave. Layouts follow the fixtures in testdata (see
// testdata/SOURCES.md).
func dsregcmd(s *session, args []string) nativeResult {
	sw := switches(args)
	if len(sw) != 1 {
		return notSimulated("dsregcmd", args)
	}
	switch sw[0] {
	case "/status":
		return nativeResult{stdout: dsregStatus(s.st, s.now())}
	case "/?":
		return nativeResult{stdout: dsregHelp}
	case "/cleanupaccounts":
		return dsregCleanup(s)
	case "/listaccounts":
		return dsregList(s)
	case "/leave":
		return dsregLeave(s)
	}
	return notSimulated("dsregcmd", args)
}

// dsregHelp is `dsregcmd /?` of a build that has /cleanupaccounts
// (blog.codeinside.eu, 2024; fixture dsregcmd-help.txt).
var dsregHelp = crlf(
	"DSREGCMD switches",
	"                        /? : Displays the help message for DSREGCMD",
	"                   /status : Displays the device join status",
	"               /status_old : Displays the device join status in old format",
	"                     /join : Schedules and monitors the Autojoin task to Hybrid Join the device",
	"                    /leave : Performs Hybrid Unjoin",
	"                    /debug : Displays debug messages",
	"               /refreshprt : Refreshes PRT in the CloudAP cache",
	"          /refreshp2pcerts : Refreshes P2P certificates",
	"          /cleanupaccounts : Deletes all WAM accounts",
	"             /listaccounts : Lists all WAM accounts",
	"             /UpdateDevice : Update device attributes to Azure AD",
)

// eAccessDenied is E_ACCESSDENIED (0x80070005) as a process exit code.
const eAccessDenied = -2147024891

// dsregAccessDenied is dsregcmd's answer without elevation, after the
// first line the tool prints before it acts. No public capture of it was
// found: the wording is the simulator's; the code is Windows'
// E_ACCESSDENIED, which is also the exit code.
func dsregAccessDenied(first string) nativeResult {
	out := ""
	if first != "" {
		out = crlf(first, "")
	}
	return nativeResult{stdout: out + crlf("Error: 0x80070005 Access is denied."), code: eAccessDenied}
}

const cleanupIntro = "Call CleanupAccounts to remove WAM accounts from the current user profile."

// dsregCleanup removes the WAM accounts of the profile caafix runs in:
// the user's when it runs as the user, SYSTEM's (which holds none) when it
// runs as SYSTEM. Only the former clears the wam-cache fault.
func dsregCleanup(s *session) nativeResult {
	st := s.st
	if !st.Scenario.Device.Elevated {
		return dsregAccessDenied(cleanupIntro)
	}
	profile := st.profile()
	n := st.WAMAccounts[profile]
	lines := []string{cleanupIntro, "", "User accounts:"}
	lines = append(lines, wamAccountLines(st, profile, n, true)...)
	lines = append(lines, "Application accounts:", "Accounts found: 0.")
	if n > 0 {
		lines = append(lines, "", fmt.Sprintf("Default account: %s, user: %s.", wamHandle(st, profile), profile))
	}
	st.WAMAccounts[profile] = 0
	if profile != profileSystem {
		st.clearFault(FaultWAMCache, s.now())
	}
	s.dirty = true
	return nativeResult{stdout: crlf(lines...)}
}

func dsregList(s *session) nativeResult {
	st := s.st
	profile := st.profile()
	n := st.WAMAccounts[profile]
	lines := []string{"Call ListAccounts to list WAM accounts from the current user profile.", "", "User accounts:"}
	lines = append(lines, wamAccountLines(st, profile, n, false)...)
	lines = append(lines, "Application accounts:", "Accounts found: 0.")
	if n > 0 {
		lines = append(lines, "", fmt.Sprintf("Default account: %s, user: %s.", wamHandle(st, profile), profile))
	}
	return nativeResult{stdout: crlf(lines...)}
}

// wamAccountLines lists a profile's WAM accounts as the fixtures
// dsregcmd-cleanupaccounts.txt and dsregcmd-listaccounts.txt show them.
func wamAccountLines(st *state, profile string, n int, removing bool) []string {
	if n == 0 {
		return []string{"Accounts found: 0.", ""}
	}
	dev := st.Scenario.Device
	tenant := tenantID(dev)
	id := "u:" + guid("wamaccount/"+profile) + "." + tenant
	authority := "https://login.microsoftonline.com/" + tenant
	var lines []string
	if removing {
		lines = append(lines,
			fmt.Sprintf("Removing account: %s, user: %s, authority: %s.", id, profile, authority),
			"Remove account result: 0x00000000.")
	} else {
		lines = append(lines, fmt.Sprintf("Account: %s, user: %s, authority: %s.", id, profile, authority))
	}
	return append(lines, "", fmt.Sprintf("Accounts found: %d.", n), "")
}

func wamHandle(st *state, profile string) string {
	return "{" + strings.ToUpper(guid("wamhandle/"+profile)) + "}"
}

// dsregLeave leaves Entra ID. On a cloud-only device that is the whole
// join (the user must rejoin through Settings, which also clears a broken
// join); on a hybrid device it is the hybrid unjoin, leaving the domain
// join. It prints nothing on success.
func dsregLeave(s *session) nativeResult {
	st := s.st
	if !st.Scenario.Device.Elevated {
		return dsregAccessDenied("")
	}
	switch st.Scenario.Device.Join {
	case JoinCloud:
		st.Scenario.Device.Join = JoinNone
		st.LeftEntra = true
		st.clearFault(FaultJoinBroken, s.now())
		s.dirty = true
	case JoinHybrid:
		st.Scenario.Device.Join = JoinDomain
		st.LeftEntra = true
		s.dirty = true
	}
	return nativeResult{}
}

// prtBreakers are the faults that cost the user the primary refresh token:
// a broken WAM account cache, a device Entra ID no longer accepts, a clock
// the token service refuses, and a sign-in service that cannot be reached
// or refuses the device. Stale Office credentials, a damaged Office, a
// missing broker plug-in (an app of the user's, not CloudAP, which holds
// the PRT) and transient token state leave it in place.
var prtBreakers = []Fault{FaultWAMCache, FaultJoinBroken, FaultClockSkew, FaultAVVPN, FaultConditionalAccess}

// prt reports whether the account dsregcmd runs as holds a primary
// refresh token: the device is joined, no fault has cost the user the
// token, and dsregcmd runs as the user (SYSTEM's session has no PRT, so
// dsregcmd as SYSTEM prints AzureAdPrt NO even on a healthy device).
func prt(st *state) bool {
	j := st.Scenario.Device.Join
	if j != JoinCloud && j != JoinHybrid || st.Scenario.Device.Context == ContextSystem {
		return false
	}
	for _, f := range prtBreakers {
		if st.hasFault(f) {
			return false
		}
	}
	return true
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// dsregStatus renders `dsregcmd /status`.
func dsregStatus(st *state, now time.Time) string {
	dev := st.Scenario.Device
	if dev.DsregcmdStatus != "" {
		text := strings.ReplaceAll(strings.ReplaceAll(dev.DsregcmdStatus, "\r\n", "\n"), "\n", "\r\n")
		if !strings.HasSuffix(text, "\r\n") {
			text += "\r\n"
		}
		text = setDsregField(text, "AzureAdPrt", yesNo(prt(st)))
		if st.LeftEntra {
			text = setDsregField(text, "AzureAdJoined", "NO")
		}
		return text
	}
	var secs []dsregSection
	joined := dev.Join == JoinCloud || dev.Join == JoinHybrid
	domain := dev.Join == JoinHybrid || dev.Join == JoinDomain

	devState := dsregSection{title: "Device State", fields: [][2]string{
		{"AzureAdJoined", yesNo(joined)},
		{"EnterpriseJoined", "NO"},
		{"DomainJoined", yesNo(domain)},
	}}
	if domain {
		devState.add("DomainName", netbiosDomain(dev))
	}
	if dev.Join == JoinRegistered {
		devState.add("Virtual Desktop", "NOT SET")
	}
	devState.add("Device Name", deviceFQDN(dev))
	secs = append(secs, devState)

	if joined {
		secs = append(secs, deviceDetails(st), tenantDetails(dev))
	}
	secs = append(secs, userState(st), ssoState(st, now))
	if dev.Join == JoinRegistered {
		secs = append(secs, workAccount(st))
	}
	secs = append(secs, diagnosticData(dev))
	var b strings.Builder
	for _, sec := range secs {
		b.WriteString(sec.render())
	}
	if dev.Join == JoinRegistered {
		// The registered capture goes on with the proxy and Windows Hello
		// sections and a closing line.
		for _, sec := range []dsregSection{
			{title: "IE Proxy Config for Current User", fields: [][2]string{
				{"Auto Detect Settings", "NO"}, {"Auto-Configuration URL", ""}, {"Proxy Server List", ""}, {"Proxy Bypass List", ""}}},
			{title: "WinHttp Default Proxy Config", fields: [][2]string{{"Access Type", "DIRECT"}}},
			{title: "Ngc Prerequisite Check", fields: [][2]string{
				{"IsDeviceJoined", "NO"}, {"IsUserAzureAD", "NO"}, {"PolicyEnabled", "NO"}, {"PostLogonEnabled", "YES"},
				{"DeviceEligible", "YES"}, {"SessionIsNotRemote", "YES"}, {"CertEnrollment", "none"}, {"PreReqResult", "WillNotProvision"}}},
		} {
			b.WriteString(sec.render())
		}
		b.WriteString("For more information, please visit https://www.microsoft.com/aadjerrors\r\n")
	}
	return b.String()
}

type dsregSection struct {
	title  string
	fields [][2]string
}

func (s *dsregSection) add(label, value string) { s.fields = append(s.fields, [2]string{label, value}) }

// render writes the section as dsregcmd does: a boxed title, a blank
// line, each field right-aligned to 26 columns, and a blank line.
func (s dsregSection) render() string {
	rule := "+" + strings.Repeat("-", 70) + "+"
	lines := []string{rule, fmt.Sprintf("| %-69s|", s.title), rule, ""}
	for _, f := range s.fields {
		line := fmt.Sprintf("%26s :", f[0])
		if f[1] != "" {
			line += " " + f[1]
		}
		lines = append(lines, line)
	}
	lines = append(lines, "")
	return crlf(lines...)
}

func certValidity(st *state, seed string) string {
	from := st.CreatedAt.UTC().Add(-400 * 24 * time.Hour).Truncate(time.Second)
	from = from.Add(time.Duration(digest(seed)[0]) * time.Minute)
	to := from.AddDate(10, 0, 0).Add(30 * time.Minute)
	const layout = "2006-01-02 15:04:05.000 UTC"
	return "[ " + from.Format(layout) + " -- " + to.Format(layout) + " ]"
}

func deviceDetails(st *state) dsregSection {
	dev := st.Scenario.Device
	status := "SUCCESS"
	if st.hasFault(FaultJoinBroken) {
		// Microsoft Learn, "Troubleshoot devices by using the dsregcmd
		// command": the status of a device disabled or deleted in Entra ID.
		status = "FAILED. Device is either disabled or deleted"
	}
	return dsregSection{title: "Device Details", fields: [][2]string{
		{"DeviceId", guid("device/" + dev.Hostname)},
		{"Thumbprint", hexID("thumbprint/"+dev.Hostname, 40)},
		{"DeviceCertificateValidity", certValidity(st, "device/"+dev.Hostname)},
		{"KeyContainerId", guid("keycontainer/" + dev.Hostname)},
		{"KeyProvider", "Microsoft Platform Crypto Provider"},
		{"TpmProtected", "YES"},
		{"DeviceAuthStatus", status},
	}}
}

func tenantDetails(dev Device) dsregSection {
	tid := tenantID(dev)
	mdm, tou, compliance := "", "", ""
	if dev.Managed {
		mdm = "https://enrollment.manage.microsoft.com/enrollmentserver/discovery.svc"
		tou = "https://portal.manage.microsoft.com/TermsofUse.aspx"
		compliance = "https://portal.manage.microsoft.com/?portalAction=Compliance"
	}
	return dsregSection{title: "Tenant Details", fields: [][2]string{
		{"TenantName", tenantName(dev)},
		{"TenantId", tid},
		{"Idp", "login.windows.net"},
		{"AuthCodeUrl", "https://login.microsoftonline.com/" + tid + "/oauth2/authorize"},
		{"AccessTokenUrl", "https://login.microsoftonline.com/" + tid + "/oauth2/token"},
		{"MdmUrl", mdm},
		{"MdmTouUrl", tou},
		{"MdmComplianceUrl", compliance},
		{"SettingsUrl", ""},
		{"JoinSrvVersion", "2.0"},
		{"JoinSrvUrl", "https://enterpriseregistration.windows.net/EnrollmentServer/device/"},
		{"JoinSrvId", "urn:ms-drs:enterpriseregistration.windows.net"},
		{"KeySrvVersion", "1.0"},
		{"KeySrvUrl", "https://enterpriseregistration.windows.net/EnrollmentServer/key/"},
		{"KeySrvId", "urn:ms-drs:enterpriseregistration.windows.net"},
	}}
}

func userState(st *state) dsregSection {
	dev := st.Scenario.Device
	asUser := dev.Context == ContextUser && dev.User != ""
	sec := dsregSection{title: "User State", fields: [][2]string{{"NgcSet", "NO"}, {"WorkplaceJoined", yesNo(dev.Join == JoinRegistered)}}}
	if dev.Join == JoinRegistered {
		sec.add("WorkAccountCount", "1")
	}
	sec.add("WamDefaultSet", yesNo(asUser && (dev.Join == JoinCloud || dev.Join == JoinHybrid)))
	return sec
}

func ssoState(st *state, now time.Time) dsregSection {
	dev := st.Scenario.Device
	sec := dsregSection{title: "SSO State"}
	authority := "https://login.microsoftonline.com/" + tenantID(dev)
	switch {
	case prt(st):
		update := now.UTC().Add(-47 * time.Minute).Truncate(time.Second)
		const layout = "2006-01-02 15:04:05.000 UTC"
		sec.add("AzureAdPrt", "YES")
		sec.add("AzureAdPrtUpdateTime", update.Format(layout))
		sec.add("AzureAdPrtExpiryTime", update.Add(14*24*time.Hour).Format(layout))
		sec.add("AzureAdPrtAuthority", authority)
	case dev.Join == JoinRegistered:
		// The registered capture prints NO for the empty authorities.
		sec.add("AzureAdPrt", "NO")
		sec.add("AzureAdPrtAuthority", "NO")
		sec.add("EnterprisePrt", "NO")
		sec.add("EnterprisePrtAuthority", "NO")
		return sec
	default:
		sec.add("AzureAdPrt", "NO")
		sec.add("AzureAdPrtAuthority", "")
	}
	sec.add("EnterprisePrt", "NO")
	sec.add("EnterprisePrtAuthority", "")
	if dev.Join == JoinHybrid || dev.Join == JoinDomain {
		sec.add("OnPremTgt", "YES")
		sec.add("CloudTgt", yesNo(prt(st)))
		sec.add("KerbTopLevelNames", ".windows.net,.windows.net:1433,.windows.net:3342,.azure.net,.azure.net:1433,.azure.net:3342")
	}
	return sec
}

func workAccount(st *state) dsregSection {
	dev := st.Scenario.Device
	return dsregSection{title: "Work Account 1", fields: [][2]string{
		{"WorkplaceDeviceId", guid("workplace/" + dev.Hostname)},
		{"WorkplaceThumbprint", hexID("workplacethumb/"+dev.Hostname, 40)},
		{"DeviceCertificateValidity", certValidity(st, "workplace/"+dev.Hostname)},
		{"KeyContainerId", guid("workplacekey/" + dev.Hostname)},
		{"KeyProvider", "Microsoft Platform Crypto Provider"},
		{"TpmProtected", "YES"},
		{"WorkplaceTenantId", tenantID(dev)},
		{"WorkplaceTenantName", tenantName(dev)},
		{"WorkplaceMdmUrl", ""},
		{"WorkplaceSettingsUrl", ""},
		{"NgcSet", "NO"},
	}}
}

func diagnosticData(dev Device) dsregSection {
	account := `NT AUTHORITY\SYSTEM`
	if dev.Context == ContextUser {
		account = accountName(dev) + ", " + dev.User
	}
	keySign := "PASSED"
	if !dev.Elevated {
		keySign = "MUST Run elevated to test."
	}
	return dsregSection{title: "Diagnostic Data", fields: [][2]string{
		{"AadRecoveryEnabled", "NO"},
		{"Executing Account Name", account},
		{"KeySignTest", keySign},
	}}
}
