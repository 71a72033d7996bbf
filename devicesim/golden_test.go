package devicesim

import (
	"testing"
)

// TestRenderings runs each command once on a fresh device and compares
// what the simulated Windows prints with the golden file of the case.
func TestRenderings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		scenario string
		line     string
	}{
		{"dsregcmd-status-cloud-faulted", "wam-cache", "dsregcmd /status"},
		{"dsregcmd-status-cloud-healthy", "healthy", "dsregcmd /status"},
		{"dsregcmd-status-cloud-managed", "managed-wam-cache", "dsregcmd /status"},
		{"dsregcmd-status-cloud-join-broken", "join-broken", "dsregcmd /status"},
		{"dsregcmd-status-cloud-not-elevated", "not-elevated", "dsregcmd /status"},
		{"dsregcmd-status-cloud-as-system", "system-user", "dsregcmd /status"},
		{"dsregcmd-status-hybrid-healthy", "hybrid-healthy", "dsregcmd /status"},
		{"dsregcmd-status-hybrid-faulted", "hybrid-wam-cache", "dsregcmd /status"},
		{"dsregcmd-status-registered", "registered-wam-cache", "dsregcmd /status"},
		{"dsregcmd-status-domain", "domain-only", "dsregcmd /status"},
		{"dsregcmd-status-verbatim", "verbatim-hybrid", "dsregcmd /status"},
		{"dsregcmd-help", "healthy", "dsregcmd /?"},
		{"dsregcmd-cleanupaccounts-user", "wam-cache", "dsregcmd /cleanupaccounts"},
		{"dsregcmd-cleanupaccounts-system", "system-no-user", "dsregcmd /cleanupaccounts"},
		{"dsregcmd-cleanupaccounts-not-elevated", "not-elevated", "dsregcmd /cleanupaccounts"},
		{"dsregcmd-listaccounts", "wam-cache", "dsregcmd /listaccounts"},
		{"dsregcmd-leave-not-elevated", "not-elevated", "dsregcmd /leave"},
		{"cmdkey-list-en", "healthy", "cmdkey /list"},
		{"cmdkey-list-de", "office-creds-de", "cmdkey /list"},
		{"cmdkey-list-system", "system-user", "cmdkey /list"},
		{"cmdkey-delete-found", "office-creds", "cmdkey '/delete:MicrosoftAccount:user=alex@contoso.com'"},
		{"cmdkey-delete-missing", "office-creds", "cmdkey '/delete:OneDrive Cached Credential'"},
		{"cmdkey-delete-missing-de", "office-creds-de", "cmdkey '/delete:OneDrive Cached Credential'"},
		{"w32tm-stripchart-chart", "clock-skew", "w32tm /stripchart /computer:time.windows.com /samples:1"},
		{"w32tm-stripchart-healthy-chart", "healthy", "w32tm /stripchart /computer:time.windows.com /samples:2"},
		{"w32tm-stripchart-dataonly", "clock-skew", "w32tm /stripchart /computer:time.windows.com /dataonly /samples:1"},
		{"w32tm-stripchart-dataonly-de", "office-creds-de", "w32tm /stripchart /computer:time.windows.com /dataonly /samples:1"},
		{"w32tm-stripchart-behind", "clock-skew-stopped", "w32tm /stripchart /computer:time.windows.com /dataonly /samples:1"},
		{"w32tm-stripchart-error", "av-vpn", "w32tm /stripchart /computer:time.windows.com /dataonly /samples:1"},
		{"w32tm-resync-ok", "clock-skew", "w32tm /resync /force"},
		{"w32tm-resync-service-stopped", "clock-skew-stopped", "w32tm /resync /force"},
		{"w32tm-resync-not-elevated", "not-elevated", "w32tm /resync /force"},
		{"w32tm-resync-no-data", "av-vpn", "w32tm /resync /force"},
		{"get-service-running", "healthy", "Get-Service -Name w32time | Select-Object -ExpandProperty Status"},
		{"get-service-stopped", "clock-skew-stopped", "Get-Service -Name w32time | Select-Object -ExpandProperty Status"},
		{"get-service-table", "healthy", "Get-Service w32time"},
		{"start-service-not-elevated", "not-elevated", "Start-Service -Name w32time"},
		{"whoami-user-cloud", "healthy", "whoami /user /fo csv /nh"},
		{"whoami-user-hybrid", "hybrid-healthy", "whoami /user /fo csv /nh"},
		{"whoami-user-system", "system-user", "whoami /user /fo csv /nh"},
		{"whoami-groups-elevated", "healthy", "whoami /groups /fo csv /nh"},
		{"whoami-groups-not-elevated", "not-elevated", "whoami /groups /fo csv /nh"},
		{"whoami-groups-system", "system-user", "whoami /groups /fo csv /nh"},
		{"interactive-user-cloud", "healthy", "Get-CimInstance -ClassName Win32_ComputerSystem | Select-Object -ExpandProperty UserName"},
		{"interactive-user-hybrid", "hybrid-healthy", "Get-CimInstance -ClassName Win32_ComputerSystem | Select-Object -ExpandProperty UserName"},
		{"interactive-user-nobody", "system-no-user", "Get-CimInstance -ClassName Win32_ComputerSystem | Select-Object -ExpandProperty UserName"},
		{"enrollments-managed", "managed-wam-cache", `Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Enrollments\*' -ErrorAction SilentlyContinue | Select-Object PSChildName, ProviderID | ConvertTo-Csv -NoTypeInformation`},
		{"enrollments-unmanaged", "healthy", `Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Enrollments\*' -ErrorAction SilentlyContinue | Select-Object PSChildName, ProviderID | ConvertTo-Csv -NoTypeInformation`},
		{"office-c2r", "office-creds-de", `Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration' -ErrorAction SilentlyContinue | Select-Object Platform, ClientCulture | ConvertTo-Csv -NoTypeInformation`},
		{"office-c2r-not-installed", "no-office", envelope(`Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration' -ErrorAction SilentlyContinue | Select-Object Platform, ClientCulture | ConvertTo-Csv -NoTypeInformation`)},
		{"office-c2r-not-installed-loud", "no-office", `Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration'`},
		{"antivirus", "av-vpn", `Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct -ErrorAction SilentlyContinue | Select-Object -ExpandProperty displayName`},
		{"net-adapters-vpn", "av-vpn", `Get-NetAdapter | Select-Object Name, InterfaceDescription, Status | ConvertTo-Csv -NoTypeInformation`},
		{"net-adapters", "healthy", `Get-NetAdapter | Select-Object Name, InterfaceDescription, Status | ConvertTo-Csv -NoTypeInformation`},
		{"last-boot", "healthy", `Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object LastBootUpTime | ConvertTo-Json -Compress`},
		{"last-boot-pretty", "healthy", `Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object LastBootUpTime | ConvertTo-Json`},
		{"aad-events-faulted", "wam-cache", `Get-WinEvent -LogName 'Microsoft-Windows-AAD/Operational' -MaxEvents 100 -ErrorAction SilentlyContinue | Select-Object Id, TimeCreated, Message | ConvertTo-Json -Compress`},
		{"aad-events-conditional-access", "conditional-access", `Get-WinEvent -LogName 'Microsoft-Windows-AAD/Operational' -MaxEvents 1 -ErrorAction SilentlyContinue | Select-Object Id, TimeCreated, Message | ConvertTo-Json -Compress`},
		{"aad-events-healthy", "healthy", envelope(`Get-WinEvent -LogName 'Microsoft-Windows-AAD/Operational' -MaxEvents 100 -ErrorAction SilentlyContinue | Select-Object Id, TimeCreated, Message | ConvertTo-Json -Compress`)},
		{"shutdown-schedule", "transient", envelope(`shutdown /r /t '60' /c 'caafix restarts this PC to finish a repair.' /d p:4:1`)},
		{"shutdown-not-elevated", "not-elevated", envelope(`shutdown /r /t '60' /c 'caafix' /d p:4:1`)},
		{"shutdown-abort-nothing", "transient", envelope("shutdown /a")},
		{"office-repair-not-installed", "no-office", envelope(`& (Join-Path $env:CommonProgramW6432 'Microsoft Shared\ClickToRun\OfficeClickToRun.exe') 'scenario=Repair' 'platform=x64' 'culture=en-us' 'RepairType=FullRepair' 'forceappshutdown=True' 'DisplayLevel=False'`)},
		{"office-repair-not-installed-loud", "no-office", `& (Join-Path $env:CommonProgramW6432 'Microsoft Shared\ClickToRun\OfficeClickToRun.exe') 'scenario=Repair'`},
		{"envelope-dsregcmd-help", "healthy", envelope("dsregcmd /?")},
		{"envelope-unknown-command", "healthy", envelope("Repair-Everything -Now")},
		{"envelope-start-service-not-elevated", "not-elevated", envelope("Start-Service -Name w32time")},
		{"envelope-cmdkey-delete-missing", "office-creds", envelope("cmdkey '/delete:OneDrive Cached Credential'")},
		{"envelope-unsupported-statement", "healthy", envelope("if ($true) { dsregcmd /status }")},
		{"envelope-error-action-stop", "healthy", envelope("Get-Service -Name nosuch -ErrorAction Stop")},
		{"unknown-command", "healthy", "Repair-Everything -Now"},
		{"unknown-parameter", "healthy", "Get-Service -Bogus w32time"},
		{"missing-argument", "healthy", "Get-Service -Name"},
		{"unknown-service", "healthy", "Get-Service -Name nosuch; echo 'next statement runs'"},
		{"unknown-class", "healthy", "Get-CimInstance -ClassName Win32_Nothing"},
		{"unknown-log", "healthy", "Get-WinEvent -LogName Nothing"},
		{"unknown-type", "healthy", "[Nothing]::Error.WriteLine('x')"},
		{"method-not-found", "healthy", "'abc'.Frobnicate()"},
		{"parse-unterminated-single", "healthy", "cmdkey '/delete:abc; echo '$gorilla000000000000000000000001$'; [Console]::Error.WriteLine('$gorilla000000000000000000000002$')"},
		{"parse-unterminated-double", "healthy", `Write-Output "abc`},
		{"parse-missing-brace", "healthy", "try { dsregcmd /status"},
		{"parse-missing-paren", "healthy", "Write-Output ('abc'"},
		{"parse-try-without-catch", "healthy", "try { dsregcmd /status }"},
		{"parse-unexpected-brace", "healthy", "dsregcmd /status }"},
		{"parse-empty-pipe", "healthy", "Get-Service | | Select-Object Status"},
		{"parse-long-line", "healthy", envelope("cmdkey '/delete:abc")},
		{"not-simulated-arguments", "healthy", "w32tm /query /status"},
		{"write-output-unicode-quotes", "healthy", "Write-Output \u2018it\u2019\u2019s\u2019 'a''b' \"x`ty\" \"say \"\"hi\"\"\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, c.scenario)
			out, errs := serveLines(t, dir, testNow, c.line)
			golden(t, c.name+".txt", "-- stdout --\n"+out+"-- stderr --\n"+errs)
		})
	}
}
