package devicesim

import (
	"fmt"
	"strconv"
	"strings"
)

// The cmdlets that read or change the device: services, CIM classes, the
// registry, network adapters and the event log.

func init() {
	register(&cmdletSpec{
		name:   "Get-Service",
		class:  "Microsoft.PowerShell.Commands.GetServiceCommand",
		params: []paramSpec{{name: "Name", aliases: []string{"ServiceName"}, position: 0}, {name: "DisplayName", position: -1}},
		run:    getService,
	}, "gsv")
	register(&cmdletSpec{
		name:   "Start-Service",
		class:  "Microsoft.PowerShell.Commands.StartServiceCommand",
		params: []paramSpec{{name: "Name", aliases: []string{"ServiceName"}, position: 0}, {name: "PassThru", position: -1, isSwitch: true}},
		run:    startService,
	}, "sasv")
	register(&cmdletSpec{
		name:  "Get-CimInstance",
		class: "Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand",
		params: []paramSpec{
			{name: "ClassName", aliases: []string{"Class"}, position: 0}, {name: "Namespace", position: -1},
			{name: "Filter", position: -1}, {name: "ComputerName", aliases: []string{"CN"}, position: -1},
		},
		run: getCimInstance,
	}, "gcim")
	register(&cmdletSpec{
		name:   "Get-ItemProperty",
		class:  "Microsoft.PowerShell.Commands.GetItemPropertyCommand",
		params: []paramSpec{{name: "Path", position: 0}, {name: "Name", position: 1}, {name: "LiteralPath", aliases: []string{"PSPath"}, position: -1}},
		run:    getItemProperty,
	}, "gp")
	register(&cmdletSpec{
		name:   "Get-NetAdapter",
		class:  "Get-NetAdapter", // a CDXML function: its error ids end in its name
		params: []paramSpec{{name: "Name", aliases: []string{"ifAlias", "InterfaceAlias"}, position: 0}, {name: "Physical", position: -1, isSwitch: true}},
		run:    getNetAdapter,
	})
	register(&cmdletSpec{
		name:  "Get-WinEvent",
		class: "Microsoft.PowerShell.Commands.GetWinEventCommand",
		params: []paramSpec{
			{name: "LogName", position: 0}, {name: "MaxEvents", position: -1}, {name: "Oldest", position: -1, isSwitch: true},
		},
		run: getWinEvent,
	})
}

// The simulated device has one service: the Windows Time service.
func w32timeService(st *state) *psObject {
	status := psEnum{"Running", 4}
	if st.Scenario.Device.TimeService == ServiceStopped {
		status = psEnum{"Stopped", 1}
	}
	return obj("System.ServiceProcess.ServiceController", "Status", status, "Name", "W32Time", "DisplayName", "Windows Time")
}

func serviceNotFound(c *cmdletCtx, name string) *errorRecord {
	return c.record("NoServiceFoundForGivenName", "ObjectNotFound",
		fmt.Sprintf("Cannot find any service with service name '%s'.", name), name, "String", "ServiceCommandException")
}

func getService(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	names := args.strs("Name")
	if len(names) == 0 {
		return []any{w32timeService(c.st())}, nil
	}
	var out []any
	for _, n := range names {
		if strings.EqualFold(n, "w32time") {
			out = append(out, w32timeService(c.st()))
			continue
		}
		if err := c.writeError(serviceNotFound(c, n)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// startService starts the Windows Time service. Without elevation the
// service control manager refuses: the error is Start-Service's own
// (Microsoft Learn's PowerShell 101 shows its Stop-Service twin), and
// non-terminating.
func startService(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	var out []any
	for _, n := range args.strs("Name") {
		if !strings.EqualFold(n, "w32time") {
			if err := c.writeError(serviceNotFound(c, n)); err != nil {
				return nil, err
			}
			continue
		}
		st := c.st()
		if !st.Scenario.Device.Elevated {
			rec := c.record("CouldNotStartService", "OpenError",
				"Service 'Windows Time (W32Time)' cannot be started due to the following error: Cannot open W32Time service on computer '.'.",
				"System.ServiceProcess.ServiceController", "ServiceController", "ServiceCommandException")
			if err := c.writeError(rec); err != nil {
				return nil, err
			}
			continue
		}
		if st.Scenario.Device.TimeService != ServiceRunning {
			st.Scenario.Device.TimeService = ServiceRunning
			c.changed()
		}
		if args.flag("PassThru") {
			out = append(out, w32timeService(st))
		}
	}
	return out, nil
}

func getCimInstance(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	class, _ := args.str("ClassName")
	ns, ok := args.str("Namespace")
	if !ok {
		ns = "root/cimv2"
	}
	ns = strings.ToLower(strings.ReplaceAll(ns, `\`, "/"))
	st := c.st()
	dev := st.Scenario.Device
	typ := "Microsoft.Management.Infrastructure.CimInstance#" + ns + "/" + class
	switch {
	case ns == "root/cimv2" && strings.EqualFold(class, "Win32_ComputerSystem"):
		var user any
		if dev.User != "" {
			user = accountName(dev)
		}
		domain := "WORKGROUP"
		if dev.Join == JoinHybrid || dev.Join == JoinDomain {
			_, domain = userParts(dev.User)
		}
		return []any{obj(typ, "Name", strings.ToUpper(dev.Hostname), "PrimaryOwnerName", "", "Domain", domain,
			"TotalPhysicalMemory", int64(17179869184), "Model", "Latitude 7440", "Manufacturer", "Dell Inc.",
			"UserName", user, "PartOfDomain", domain != "WORKGROUP")}, nil
	case ns == "root/cimv2" && strings.EqualFold(class, "Win32_OperatingSystem"):
		return []any{obj(typ, "SystemDirectory", `C:\WINDOWS\system32`, "Organization", "", "BuildNumber", "22631",
			"RegisteredUser", "", "SerialNumber", "00330-80000-00000-AA000", "Version", "10.0.22631",
			"Caption", "Microsoft Windows 11 Enterprise", "CSName", strings.ToUpper(dev.Hostname),
			"LastBootUpTime", st.BootTime.In(c.in.s.now().Location()), "LocalDateTime", c.in.s.now())}, nil
	case ns == "root/securitycenter2" && strings.EqualFold(class, "AntiVirusProduct"):
		var out []any
		out = append(out, obj(typ, "displayName", "Windows Defender", "instanceGuid", "{D68DDC3A-831F-4fae-9E44-DA132C1ACF46}",
			"pathToSignedProductExe", "windowsdefender://", "productState", int64(397568)))
		for _, s := range dev.Security {
			if kind, name, _ := strings.Cut(s, ":"); kind == "av" {
				out = append(out, obj(typ, "displayName", name, "instanceGuid", "{"+strings.ToUpper(guid("av/"+name))+"}",
					"pathToSignedProductExe", `C:\Program Files\`+name+`\`+strings.ReplaceAll(name, " ", "")+".exe", "productState", int64(266240)))
			}
		}
		return out, nil
	case ns != "root/cimv2" && ns != "root/securitycenter2" && ns != "root/standardcimv2":
		rec := c.record("HRESULT 0x8004100e", "MetadataError", "Invalid namespace ", strings.ReplaceAll(ns, "/", `\`), "String", "CimException")
		return nil, c.writeError(rec)
	}
	rec := c.record("HRESULT 0x80041010", "MetadataError", "Invalid class ", strings.ReplaceAll(ns, "/", `\`)+":"+class, "String", "CimException")
	return nil, c.writeError(rec)
}

// registry is the part of HKLM the simulator models: MDM enrollments and
// the Click-to-Run configuration.
func registry(st *state) map[string][]psProp {
	dev := st.Scenario.Device
	keys := map[string][]psProp{
		`SOFTWARE\Microsoft\Enrollments\FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF`: {{"EnrollmentType", int64(0)}},
	}
	if dev.Managed {
		id := strings.ToUpper(guid("enrollment/" + dev.Hostname))
		keys[`SOFTWARE\Microsoft\Enrollments\`+id] = []psProp{
			{"EnrollmentState", int64(1)}, {"EnrollmentType", int64(6)}, {"ProviderID", "MS DM Server"},
			{"UPN", dev.User}, {"AADTenantID", tenantID(dev)},
		}
	}
	if dev.Office.Installed {
		keys[`SOFTWARE\Microsoft\Office\ClickToRun\Configuration`] = []psProp{
			{"Platform", dev.Office.Platform}, {"ClientCulture", dev.Office.Culture},
			{"VersionToReport", "16.0.17531.20152"}, {"ProductReleaseIds", "O365ProPlusRetail"},
			{"CDNBaseUrl", "http://officecdn.microsoft.com/pr/492350f6-3a01-4f97-b9c0-c7c6ddf67d60"},
		}
	}
	return keys
}

func registryObject(key string, values []psProp) *psObject {
	parent, child := key, key
	if i := strings.LastIndex(key, `\`); i >= 0 {
		parent, child = key[:i], key[i+1:]
	}
	o := &psObject{typeName: "System.Management.Automation.PSCustomObject", props: append([]psProp{}, values...)}
	o.props = append(o.props,
		psProp{"PSPath", `Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\` + key},
		psProp{"PSParentPath", `Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\` + parent},
		psProp{"PSChildName", child},
		psProp{"PSDrive", "HKLM"},
		psProp{"PSProvider", `Microsoft.PowerShell.Core\Registry`})
	return o
}

func getItemProperty(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	paths := args.strs("Path")
	if len(paths) == 0 {
		paths = args.strs("LiteralPath")
	}
	keys := registry(c.st())
	var out []any
	for _, p := range paths {
		key, ok := hklmKey(p)
		if !ok {
			rec := c.record("PathNotFound", "ObjectNotFound", fmt.Sprintf("Cannot find path '%s' because it does not exist.", p), p, "String", "ItemNotFoundException")
			if err := c.writeError(rec); err != nil {
				return nil, err
			}
			continue
		}
		if parent, isWild := strings.CutSuffix(key, `\*`); isWild {
			names := sortedRegistryKeys(keys, parent)
			for _, k := range names {
				out = append(out, registryObject(k, keys[k]))
			}
			continue
		}
		found := false
		for k, v := range keys {
			if strings.EqualFold(k, key) {
				out = append(out, registryObject(k, v))
				found = true
			}
		}
		if !found {
			rec := c.record("PathNotFound", "ObjectNotFound", fmt.Sprintf("Cannot find path '%s' because it does not exist.", p), p, "String", "ItemNotFoundException")
			if err := c.writeError(rec); err != nil {
				return nil, err
			}
		}
	}
	if name, ok := args.str("Name"); ok {
		var filtered []any
		for _, o := range out {
			po := o.(*psObject)
			v, has := po.get(name)
			if !has {
				continue
			}
			f := &psObject{typeName: po.typeName, props: []psProp{{propertyName(po, name), v}}}
			for _, p := range po.props {
				if strings.HasPrefix(p.name, "PS") {
					f.props = append(f.props, p)
				}
			}
			filtered = append(filtered, f)
		}
		out = filtered
	}
	return out, nil
}

// hklmKey turns HKLM:\SOFTWARE\… into SOFTWARE\….
func hklmKey(p string) (string, bool) {
	for _, prefix := range []string{`HKLM:\`, `HKLM:/`, `Registry::HKEY_LOCAL_MACHINE\`, `Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\`} {
		if len(p) >= len(prefix) && strings.EqualFold(p[:len(prefix)], prefix) {
			return strings.ReplaceAll(p[len(prefix):], "/", `\`), true
		}
	}
	return "", false
}

// sortedRegistryKeys lists the subkeys of parent as the registry
// enumerates them: in case-insensitive order.
func sortedRegistryKeys(keys map[string][]psProp, parent string) []string {
	var out []string
	for k := range keys {
		i := strings.LastIndex(k, `\`)
		if i >= 0 && strings.EqualFold(k[:i], parent) {
			out = append(out, k)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && strings.ToLower(out[j]) < strings.ToLower(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// getNetAdapter lists a wired adapter and one virtual adapter per VPN in
// the scenario's security products.
func getNetAdapter(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	typ := "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetAdapter"
	dev := c.st().Scenario.Device
	all := []any{obj(typ, "Name", "Ethernet", "InterfaceDescription", "Intel(R) Ethernet Connection (13) I219-LM",
		"ifIndex", int64(12), "Status", "Up", "MacAddress", macAddress(dev.Hostname), "LinkSpeed", "1 Gbps")}
	for i, s := range dev.Security {
		kind, name, _ := strings.Cut(s, ":")
		if kind != "vpn" {
			continue
		}
		desc := name + " Virtual Ethernet Adapter"
		if !strings.Contains(strings.ToLower(name), "vpn") {
			desc = name + " VPN Virtual Ethernet Adapter"
		}
		all = append(all, obj(typ, "Name", name, "InterfaceDescription", desc, "ifIndex", int64(20+i), "Status", "Up",
			"MacAddress", macAddress(name), "LinkSpeed", "100 Gbps"))
	}
	names := args.strs("Name")
	if len(names) == 0 {
		return all, nil
	}
	var out []any
	for _, a := range all {
		n, _ := a.(*psObject).get("Name")
		for _, want := range names {
			if strings.EqualFold(toStr(n), want) {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

func macAddress(seed string) string {
	h := hexID("mac/"+seed, 12)
	parts := make([]string, 6)
	for i := range parts {
		parts[i] = h[2*i : 2*i+2]
	}
	return strings.Join(parts, "-")
}

const aadLog = "Microsoft-Windows-AAD/Operational"

// getWinEvent reads the AAD operational log, newest first.
func getWinEvent(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	logs := args.strs("LogName")
	if len(logs) != 1 || !strings.EqualFold(logs[0], aadLog) {
		name := strings.Join(logs, ", ")
		rec := c.record("NoMatchingLogsFound", "ObjectNotFound",
			fmt.Sprintf("There is not an event log on the localhost computer that matches \"%s\".", name), "", "", "Exception")
		return nil, c.writeError(rec)
	}
	events := queryEvents(c.st(), c.in.s.now())
	c.changed()
	if s, ok := args.str("MaxEvents"); ok {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(events) {
			events = events[:n]
		}
	}
	if len(events) == 0 {
		rec := c.record("NoMatchingEventsFound", "ObjectNotFound",
			"No events were found that match the specified selection criteria.", "", "", "Exception")
		return nil, c.writeError(rec)
	}
	loc := c.in.s.now().Location()
	var out []any
	for _, e := range events {
		out = append(out, obj("System.Diagnostics.Eventing.Reader.EventLogRecord",
			"Id", int64(e.ID), "TimeCreated", e.Time.In(loc), "Message", e.Message,
			"LevelDisplayName", "Error", "ProviderName", "Microsoft-Windows-AAD", "LogName", aadLog))
	}
	return out, nil
}
