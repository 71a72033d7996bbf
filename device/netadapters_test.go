package device

import (
	"reflect"
	"strings"
	"testing"
)

func TestActiveVPNs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want []string
	}{
		{"GlobalProtect and OpenVPN up, AnyConnect disabled, Hyper-V not a VPN", fixture(t, "netadapters.csv"),
			[]string{"PANGP Virtual Ethernet Adapter Secure", "TAP-Windows Adapter V9"}},
		{"no adapters", "", []string{}},
		{"WireGuard by name when the description is empty", "\"Name\",\"InterfaceDescription\",\"Status\"\n\"wg0\",\"WireGuard Tunnel\",\"Up\"\n\"corp-vpn\",\"\",\"Up\"\n",
			[]string{"WireGuard Tunnel", "corp-vpn"}},
		{"Zscaler and Fortinet", "\"Name\",\"InterfaceDescription\",\"Status\"\n\"Ethernet 5\",\"Zscaler Network Adapter 1.0.2.0\",\"Up\"\n\"Ethernet 6\",\"Fortinet SSL VPN Virtual Ethernet Adapter\",\"up\"\n",
			[]string{"Zscaler Network Adapter 1.0.2.0", "Fortinet SSL VPN Virtual Ethernet Adapter"}},
		{"a VPN that is not up", "\"Name\",\"InterfaceDescription\",\"Status\"\n\"Ethernet 5\",\"Zscaler Network Adapter 1.0.2.0\",\"Not Present\"\n", []string{}},
	}
	for _, c := range cases {
		for vname, text := range variants(c.text) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				as, err := ParseNetAdapters(text)
				if err != nil {
					t.Fatal(err)
				}
				if got := ActiveVPNs(as); !reflect.DeepEqual(got, c.want) {
					t.Errorf("got %q, want %q", got, c.want)
				}
			})
		}
	}
}

func TestParseNetAdaptersRejects(t *testing.T) {
	t.Parallel()
	_, err := ParseNetAdapters("\"Name\",\"Status\"\n\"Ethernet\",\"Up\"\n")
	if err == nil || !strings.Contains(err.Error(), `"InterfaceDescription"`) {
		t.Fatalf("err = %v, want one that names the expected columns", err)
	}
}

func FuzzParseNetAdapters(f *testing.F) {
	f.Add(fixture(f, "netadapters.csv"))
	f.Fuzz(func(t *testing.T, text string) {
		as, err := ParseNetAdapters(text)
		if err != nil {
			return
		}
		if v := ActiveVPNs(as); len(v) > len(as) {
			t.Fatal("more VPNs than adapters")
		}
	})
}
