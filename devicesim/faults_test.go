package devicesim

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	scheduleRestart = `shutdown /r /t '60' /c 'caafix restarts this PC to finish a repair.' /d p:4:1`
	resync          = "w32tm /resync /force"
	deleteOffice    = "cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex@contoso.com'"
	deleteMSA       = "cmdkey '/delete:MicrosoftAccount:user=alex@contoso.com'"
	registerBroker  = `Add-AppxPackage -Register "$env:windir\SystemApps\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\Appxmanifest.xml" -DisableDevelopmentMode -ForceApplicationShutdown` // Microsoft's documented form
	deleteStale     = "cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex.wilber@contoso.com'"
	repairEnUS      = `& (Join-Path $env:CommonProgramW6432 'Microsoft Shared\ClickToRun\OfficeClickToRun.exe') 'scenario=Repair' 'platform=x64' 'culture=en-us' 'RepairType=FullRepair' 'forceappshutdown=True' 'DisplayLevel=False'`
	repairDeDE      = `& (Join-Path $env:CommonProgramW6432 'Microsoft Shared\ClickToRun\OfficeClickToRun.exe') 'scenario=Repair' 'platform=x64' 'culture=de-de' 'RepairType=FullRepair' 'forceappshutdown=True' 'DisplayLevel=False'`
)

// everyLocalFix is every step caafix can take on a device, short of
// leaving Entra ID.
var everyLocalFix = []string{
	"Start-Service -Name w32time", resync, "dsregcmd /cleanupaccounts", deleteOffice, deleteMSA, repairEnUS,
}

// TestFaultClearing runs sessions of commands on a device and checks
// whether the fault is gone afterwards. Each inner slice is one Serve
// session, i.e. one caafix invocation.
func TestFaultClearing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		scenario string
		sessions [][]string
		fault    Fault
		cleared  bool
	}{
		{"wam-cache is cleared by cleanupaccounts as the elevated user", "wam-cache", [][]string{{"dsregcmd /cleanupaccounts"}}, FaultWAMCache, true},
		{"wam-cache stays when cleanupaccounts is not elevated", "not-elevated", [][]string{{"dsregcmd /cleanupaccounts"}}, FaultWAMCache, false},
		{"wam-cache stays when cleanupaccounts runs as SYSTEM", "system-no-user", [][]string{{"dsregcmd /cleanupaccounts"}}, FaultWAMCache, false},
		{"wam-cache on a hybrid device is cleared by cleanupaccounts", "hybrid-wam-cache", [][]string{{"dsregcmd /cleanupaccounts"}}, FaultWAMCache, true},
		{"office-creds stays while an Office target remains", "office-creds", [][]string{{deleteOffice}}, FaultOfficeCreds, false},
		{"office-creds is cleared when the last Office target is deleted", "office-creds", [][]string{{deleteOffice, deleteStale, deleteMSA}}, FaultOfficeCreds, true},
		{"office-creds on German Windows is cleared the same way", "office-creds-de", [][]string{{deleteOffice}, {deleteStale, deleteMSA}}, FaultOfficeCreds, true},
		{"office-creds stays when cmdkey runs as SYSTEM", "system-user", [][]string{{deleteOffice, deleteMSA}}, FaultOfficeCreds, false},
		{"office-creds stays when only other targets are deleted", "office-creds", [][]string{{"cmdkey /delete:git:https://example.org"}}, FaultOfficeCreds, false},
		{"broker-plugin is cleared by registering the plug-in as the user", "broker-plugin", [][]string{{registerBroker}}, FaultBrokerPlugin, true},
		{"broker-plugin stays when another manifest is registered", "broker-plugin", [][]string{{`Add-AppxPackage -Register 'C:\WINDOWS\SystemApps\Other\Appxmanifest.xml' -ErrorAction SilentlyContinue`}}, FaultBrokerPlugin, false},
		{"clock-skew is cleared by resync", "clock-skew", [][]string{{resync}}, FaultClockSkew, true},
		{"clock-skew stays while the time service is stopped", "clock-skew-stopped", [][]string{{resync}}, FaultClockSkew, false},
		{"clock-skew is cleared once the time service is started", "clock-skew-stopped", [][]string{{"Start-Service -Name w32time", resync}}, FaultClockSkew, true},
		{"clock-skew stays when resync is not elevated", "skew-not-elevated", [][]string{{resync}}, FaultClockSkew, false},
		{"transient stays until the device restarts", "transient", [][]string{{scheduleRestart, "dsregcmd /status"}}, FaultTransient, false},
		{"transient is cleared by a restart at the next invocation", "transient", [][]string{{scheduleRestart}, {"dsregcmd /status"}}, FaultTransient, true},
		{"an aborted restart does not clear transient", "transient", [][]string{{scheduleRestart}, {"shutdown /a", "dsregcmd /status"}}, FaultTransient, false},
		{"transient on a domain-only device is cleared by a restart", "domain-only", [][]string{{scheduleRestart}, {"whoami /user /fo csv /nh"}}, FaultTransient, true},
		{"join-broken is cleared by leaving Entra ID", "join-broken", [][]string{{"dsregcmd /leave"}}, FaultJoinBroken, true},
		{"office-install is cleared by the online repair", "office-install", [][]string{{repairEnUS}}, FaultOfficeInstall, true},
		{"office-install stays when the repair names another culture", "office-install", [][]string{{repairDeDE}}, FaultOfficeInstall, false},
		{"conditional-access survives every local fix and a restart", "conditional-access", [][]string{append([]string{scheduleRestart}, everyLocalFix...), {"dsregcmd /status"}}, FaultConditionalAccess, false},
		{"av-vpn survives every local fix and a restart", "av-vpn", [][]string{append([]string{scheduleRestart}, everyLocalFix...), {"dsregcmd /status"}}, FaultAVVPN, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, c.scenario)
			now := testNow
			for _, lines := range c.sessions {
				serveLines(t, dir, now, lines...)
				now = now.Add(5 * time.Minute)
			}
			if got := deviceState(t, dir).hasFault(c.fault); got == c.cleared {
				t.Errorf("fault %s present = %v, want %v", c.fault, got, !c.cleared)
			}
		})
	}
}

// TestSymptomFollowsFaults checks the symptom caafix detects: a PRT and
// fresh 0xCAA50021 events while any fault remains, none once healthy.
func TestSymptomFollowsFaults(t *testing.T) {
	t.Parallel()
	const events = `Get-WinEvent -LogName 'Microsoft-Windows-AAD/Operational' -MaxEvents 100 -ErrorAction SilentlyContinue | Select-Object Id, TimeCreated, Message | ConvertTo-Json -Compress`
	newest := func(t *testing.T, json string) string {
		t.Helper()
		_, rest, ok := strings.Cut(json, `"TimeCreated":"`)
		if !ok {
			return ""
		}
		ts, _, _ := strings.Cut(rest, `"`)
		return ts
	}
	date := func(tm time.Time) string { return `\/Date(` + strconv.FormatInt(tm.UnixMilli(), 10) + `)\/` }

	t.Run("every query while faulted finds a fresh event", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "wam-cache")
		t1, t2 := testNow, testNow.Add(time.Minute)
		out1, _ := serveLines(t, dir, t1, events)
		out2, _ := serveLines(t, dir, t2, events)
		if got := newest(t, out1); got != date(t1) {
			t.Errorf("first query's newest event at %s, want %s", got, date(t1))
		}
		if got := newest(t, out2); got != date(t2) {
			t.Errorf("second query's newest event at %s, want %s", got, date(t2))
		}
		if n1, n2 := strings.Count(out1, `"Id":1098`), strings.Count(out2, `"Id":1098`); n2 != n1+1 {
			t.Errorf("events %d then %d, want one more", n1, n2)
		}
	})
	t.Run("once healthy only events from before the fix remain", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "wam-cache")
		serveLines(t, dir, testNow, events)
		fixedAt := testNow.Add(time.Minute)
		serveLines(t, dir, fixedAt, "dsregcmd /cleanupaccounts")
		out, _ := serveLines(t, dir, testNow.Add(time.Hour), events)
		if got := newest(t, out); got != date(testNow) {
			t.Errorf("newest event at %s, want the last one before the fix, %s", got, date(testNow))
		}
		status, _ := serveLines(t, dir, testNow.Add(time.Hour), "dsregcmd /status")
		if f := dsregFields(status); f["AzureAdPrt"] != "YES" {
			t.Errorf("AzureAdPrt = %s after the fix, want YES", f["AzureAdPrt"])
		}
	})
	t.Run("a healthy device has no events and $? is False", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "healthy")
		out, errs := serveLines(t, dir, testNow, envelope(events))
		if got := exitLine(t, out); got != "0 False" {
			t.Errorf("exit line %q, want \"0 False\"", got)
		}
		if strings.Contains(out, "1098") || strings.Contains(errs, "No events") {
			t.Errorf("healthy device printed events or an unsilenced error: %q %q", out, errs)
		}
	})
	t.Run("conditional access adds the AADSTS53000 description", func(t *testing.T) {
		t.Parallel()
		out, _ := serveLines(t, newDevice(t, "conditional-access"), testNow, events)
		if !strings.Contains(out, "AADSTS53000") {
			t.Errorf("no AADSTS53000 in %q", out)
		}
	})
}
