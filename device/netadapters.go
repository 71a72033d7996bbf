package device

import (
	"regexp"
	"strings"
)

// NetAdapter is one network adapter from Get-NetAdapter.
type NetAdapter struct {
	Name        string // e.g. "Ethernet 3"
	Description string // the driver's InterfaceDescription, e.g. "PANGP Virtual Ethernet Adapter"
	Status      string // Up, Disconnected, Disabled, Not Present
}

// ParseNetAdapters parses Get-NetAdapter as ConvertTo-Csv prints it
// ("Name","InterfaceDescription","Status").
func ParseNetAdapters(text string) ([]NetAdapter, error) {
	t, err := readTable("network adapters", text, "Name", "InterfaceDescription", "Status")
	if err != nil {
		return nil, err
	}
	out := []NetAdapter{}
	for i := range t.rows {
		out = append(out, NetAdapter{Name: t.get(i, "Name"), Description: t.get(i, "InterfaceDescription"), Status: t.get(i, "Status")})
	}
	return out, nil
}

// vpnAdapter matches the names and descriptions of VPN clients' virtual
// adapters.
var vpnAdapter = regexp.MustCompile(`(?i)vpn|anyconnect|globalprotect|pangp|wireguard|wintun|tap-windows|openvpn|fortinet|forticlient|zscaler|juniper|pulse secure|ivanti|check ?point|sonicwall|netextender|nordlynx|tailscale|zerotier|cloudflare warp`)

// ActiveVPNs returns the adapters that are up and look like a VPN client's,
// by description (or name when the description is empty).
func ActiveVPNs(as []NetAdapter) []string {
	out := []string{}
	for _, a := range as {
		if !strings.EqualFold(a.Status, "Up") {
			continue
		}
		if vpnAdapter.MatchString(a.Description) || vpnAdapter.MatchString(a.Name) {
			label := a.Description
			if label == "" {
				label = a.Name
			}
			out = append(out, label)
		}
	}
	return out
}
