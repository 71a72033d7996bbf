package devicesim

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// The cmdlets of the evidence caafix gathers for diagnosis and of the
// broker plug-in fix: Invoke-WebRequest against the sign-in endpoint, and
// Get-AppxPackage and Add-AppxPackage for Microsoft.AAD.BrokerPlugin.

func init() {
	register(&cmdletSpec{
		name:  "Invoke-WebRequest",
		class: "Microsoft.PowerShell.Commands.InvokeWebRequestCommand",
		params: []paramSpec{
			{name: "Uri", position: 0}, {name: "UseBasicParsing", position: -1, isSwitch: true},
			{name: "Method", position: -1}, {name: "TimeoutSec", position: -1}, {name: "MaximumRedirection", position: -1},
		},
		run: invokeWebRequest,
	}, "iwr", "curl", "wget")
	register(&cmdletSpec{
		name:   "Get-AppxPackage",
		class:  "Microsoft.Windows.Appx.PackageManager.Commands.GetAppxPackageCommand",
		params: []paramSpec{{name: "Name", position: 0}, {name: "Publisher", position: 1}, {name: "AllUsers", position: -1, isSwitch: true}},
		run:    getAppxPackage,
	})
	register(&cmdletSpec{
		name:  "Add-AppxPackage",
		class: "Microsoft.Windows.Appx.PackageManager.Commands.AddAppxPackageCommand",
		params: []paramSpec{
			{name: "Path", aliases: []string{"PSPath"}, position: 0}, {name: "Register", position: -1, isSwitch: true},
			{name: "DisableDevelopmentMode", position: -1, isSwitch: true}, {name: "ForceApplicationShutdown", position: -1, isSwitch: true},
		},
		run: addAppxPackage,
	})
}

// signInHost is the only web server in the simulator's world.
const signInHost = "login.microsoftonline.com"

// invokeWebRequest answers a request to the sign-in endpoint with its
// headers (a Dictionary[string,string] in Windows PowerShell 5.1's
// BasicHtmlWebResponseObject), the Date header on the true time: the
// device's clock is clock_skew ahead of it. With a VPN or security
// product in the way (av-vpn) the connection fails with Windows
// PowerShell 5.1's terminating WebException: "Unable to connect to the
// remote server", InvalidOperation on System.Net.HttpWebRequest, error id
// WebCmdletWebResponseException (public captures of the error view).
func invokeWebRequest(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	uri, _ := args.str("Uri")
	host := strings.ToLower(uri)
	host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
	host, _, _ = strings.Cut(host, "/")
	st := c.st()
	if host != signInHost || st.hasFault(FaultAVVPN) {
		msg := "Unable to connect to the remote server"
		if host != signInHost {
			msg = "The remote name could not be resolved: '" + host + "'"
		}
		return nil, c.record("WebCmdletWebResponseException", "InvalidOperation", msg,
			"System.Net.HttpWebRequest", "HttpWebRequest", "WebException")
	}
	date := c.in.s.now().Add(-st.Scenario.Device.ClockSkew).UTC().Format(time.RFC1123)
	date = strings.Replace(date, "UTC", "GMT", 1)
	headers := obj("System.Collections.Generic.Dictionary`2[[System.String],[System.String]]",
		"Pragma", "no-cache",
		"Strict-Transport-Security", "max-age=31536000; includeSubDomains",
		"X-Content-Type-Options", "nosniff",
		"x-ms-request-id", guid("request/"+date),
		"x-ms-ests-server", "2.1.19283.4 - NEULR1 ProdSlices",
		"X-XSS-Protection", "0",
		"Cache-Control", "no-store, no-cache",
		"Content-Type", "text/html; charset=utf-8",
		"Date", date,
		"Content-Length", "0")
	return []any{obj("Microsoft.PowerShell.Commands.BasicHtmlWebResponseObject",
		"StatusCode", int64(200), "StatusDescription", "OK", "Content", "", "Headers", headers,
		"RawContentLength", int64(0))}, nil
}

const (
	brokerPluginName     = "Microsoft.AAD.BrokerPlugin"
	brokerPluginFamily   = "Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy"
	brokerPluginFullName = "Microsoft.AAD.BrokerPlugin_1000.22621.1.0_neutral_neutral_cw5n1h2txyewy"
)

// brokerPluginManifest is where Windows keeps the plug-in's manifest.
var brokerPluginManifest = `C:\WINDOWS\SystemApps\` + brokerPluginFamily + `\Appxmanifest.xml`

// brokerRegistered reports whether the plug-in is registered for the
// profile caafix acts on: the broker-plugin fault unregistered it for the
// signed-in user; SYSTEM's registration is never touched.
func brokerRegistered(st *state) bool {
	return !st.hasFault(FaultBrokerPlugin) || st.profile() == profileSystem
}

// getAppxPackage lists the packages registered for the current user that
// match -Name (wildcards allowed); the simulator knows only the broker
// plug-in. A name that matches nothing prints nothing, without an error.
func getAppxPackage(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	st := c.st()
	if !brokerRegistered(st) {
		return nil, nil
	}
	names := args.strs("Name")
	match := len(names) == 0
	for _, n := range names {
		ok, _ := path.Match(strings.ToLower(n), strings.ToLower(brokerPluginName))
		match = match || ok
	}
	if !match {
		return nil, nil
	}
	return []any{obj("Microsoft.Windows.Appx.PackageManager.Commands.AppxPackage",
		"Name", brokerPluginName, "Publisher", "CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US",
		"Architecture", psEnum{"Neutral", 11}, "ResourceId", "neutral", "Version", "1000.22621.1.0",
		"PackageFullName", brokerPluginFullName, "InstallLocation", `C:\Windows\SystemApps\`+brokerPluginFamily,
		"IsFramework", false, "PackageFamilyName", brokerPluginFamily, "PublisherId", "cw5n1h2txyewy",
		"IsResourcePackage", false, "IsBundle", false, "IsDevelopmentMode", false, "NonRemovable", true,
		"IsPartiallyStaged", false, "SignatureKind", psEnum{"System", 4}, "Status", psEnum{"Ok", 0})}, nil
}

// addAppxPackage registers the broker plug-in from its manifest for the
// account that runs it; as the signed-in user that clears the
// broker-plugin fault. It prints nothing on success. A path that does not
// exist is the cmdlet's ItemNotFoundException; another manifest is not
// simulated.
func addAppxPackage(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	p, _ := args.str("Path")
	if !strings.EqualFold(p, brokerPluginManifest) || !args.flag("Register") {
		rec := c.record("PathNotFound", "ObjectNotFound", fmt.Sprintf("Cannot find path '%s' because it does not exist.", p), p, "String", "ItemNotFoundException")
		return nil, c.writeError(rec)
	}
	st := c.st()
	if st.profile() != profileSystem {
		st.clearFault(FaultBrokerPlugin, c.in.s.now())
		c.changed()
	}
	return nil, nil
}
