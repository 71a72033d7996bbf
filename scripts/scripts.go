package scripts

import (
	"strconv"

	"github.com/caafix/caafix/pshost"
)

// Read-only commands that gather device facts.
const (
	Hostname    = `hostname`
	DsregStatus = `dsregcmd /status`
	DsregHelp   = `dsregcmd /?`
	CmdkeyList  = `cmdkey /list`
	// ClockOffset asks a time server for one sample. It works while the
	// Windows Time service is stopped, so the skew can be measured before
	// the service is touched.
	ClockOffset     = `w32tm /stripchart /computer:time.windows.com /dataonly /samples:1`
	TimeService     = `Get-Service -Name w32time | Select-Object -ExpandProperty Status`
	WhoamiUser      = `whoami /user /fo csv /nh`
	WhoamiGroups    = `whoami /groups /fo csv /nh`
	InteractiveUser = `Get-CimInstance -ClassName Win32_ComputerSystem | Select-Object -ExpandProperty UserName`
	Enrollments     = `Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Enrollments\*' -ErrorAction SilentlyContinue | Select-Object PSChildName, ProviderID | ConvertTo-Csv -NoTypeInformation`
	OfficeC2R       = `Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration' -ErrorAction SilentlyContinue | Select-Object Platform, ClientCulture | ConvertTo-Csv -NoTypeInformation`
	AntiVirus       = `Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct -ErrorAction SilentlyContinue | Select-Object -ExpandProperty displayName`
	NetAdapters     = `Get-NetAdapter | Select-Object Name, InterfaceDescription, Status | ConvertTo-Csv -NoTypeInformation`
	LastBoot        = `Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object LastBootUpTime | ConvertTo-Json -Compress`
	// OSVersion is read for the escalation bundle only.
	OSVersion = `Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object Caption, Version, BuildNumber | ConvertTo-Json -Compress`
	// SignInProbe asks the Entra ID sign-in endpoint for its headers: it
	// shows whether the endpoint is reachable, and its Date header is the
	// time source when UDP 123 is blocked. -UseBasicParsing: Windows
	// PowerShell 5.1 otherwise needs Internet Explorer's engine, which
	// fails for SYSTEM and before IE's first run.
	SignInProbe = `Invoke-WebRequest -Uri 'https://login.microsoftonline.com/' -UseBasicParsing -Method Head -TimeoutSec 15 | Select-Object -ExpandProperty Headers | ConvertTo-Json -Compress`
	// BrokerPlugin lists the Web Account Manager's Entra ID plug-in as
	// registered for the account caafix runs as; nothing when it is not.
	BrokerPlugin = `Get-AppxPackage -Name 'Microsoft.AAD.BrokerPlugin' | Select-Object Name, PackageFullName, Status | ConvertTo-Csv -NoTypeInformation`
	AADEvents    = `Get-WinEvent -LogName 'Microsoft-Windows-AAD/Operational' -MaxEvents 100 -ErrorAction SilentlyContinue | Select-Object Id, TimeCreated, Message | ConvertTo-Json -Compress`
)

// Actions of the step catalogue.
const (
	StartTimeService = `Start-Service -Name w32time`
	Resync           = `w32tm /resync /force`
	CleanupAccounts  = `dsregcmd /cleanupaccounts`
	Leave            = `dsregcmd /leave`
	AbortRestart     = `shutdown /a`
	// RegisterBrokerPlugin registers the broker plug-in again for the user
	// who runs it, from the copy Windows keeps in SystemApps: Microsoft's
	// fix when security software removed the plug-in ("Troubleshoot
	// Microsoft Entra joined devices", "Microsoft 365 apps sign-in":
	// Add-AppxPackage -Register … -DisableDevelopmentMode
	// -ForceApplicationShutdown). -ForceApplicationShutdown closes the
	// plug-in's processes that hold the package.
	// The path is built with Join-Path rather than an expandable string:
	// every command caafix sends keeps its values in single quotes.
	RegisterBrokerPlugin = `Add-AppxPackage -Register (Join-Path $env:windir 'SystemApps\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\Appxmanifest.xml') -DisableDevelopmentMode -ForceApplicationShutdown`
)

// DeleteCredential removes one generic credential from the current user's
// Credential Manager vault. The whole switch is one quoted argument, so a
// target with spaces ("OneDrive Cached Credential") stays one argument.
func DeleteCredential(target string) string {
	return pshost.Build(`cmdkey %v`, "/delete:"+target)
}

// ScheduleRestart schedules a full restart (not the recovery menu: never /o)
// after delay seconds, with a comment users see and the planned
// "application: maintenance" reason code.
func ScheduleRestart(delaySeconds int, comment string) string {
	return pshost.Build(`shutdown /r /t %v /c %v /d p:4:1`, strconv.Itoa(delaySeconds), comment)
}

// OfficeRepair starts a Click-to-Run online repair for the installed
// platform and culture, closing Office apps without asking.
func OfficeRepair(platform, culture string) string {
	return pshost.Build(`& (Join-Path $env:CommonProgramW6432 'Microsoft Shared\ClickToRun\OfficeClickToRun.exe') 'scenario=Repair' %v %v 'RepairType=FullRepair' 'forceappshutdown=True' 'DisplayLevel=False'`,
		"platform="+platform, "culture="+culture)
}
