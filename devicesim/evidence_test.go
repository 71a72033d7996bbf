package devicesim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/scripts"
)

// The evidence each fault leaves, read by caafix's own parsers from what
// the simulated device prints.
func TestEvidenceRendering(t *testing.T) {
	t.Parallel()
	t.Run("the sign-in endpoint's Date is the true time", func(t *testing.T) {
		t.Parallel()
		out, errOut := serveLines(t, newDevice(t, "clock-skew"), testNow, envelope(scripts.SignInProbe))
		si, err := device.ParseSignInProbe(beforeExit(out), errOut)
		if err != nil {
			t.Fatal(err)
		}
		if want := testNow.Add(-20 * time.Minute).Truncate(time.Second).UTC(); !si.Date.Equal(want) || si.Reachable != device.TriYes {
			t.Errorf("probe %+v, want reachable with Date %v", si, want)
		}
	})
	t.Run("av-vpn makes the sign-in endpoint unreachable", func(t *testing.T) {
		t.Parallel()
		out, errOut := serveLines(t, newDevice(t, "av-vpn"), testNow, envelope(scripts.SignInProbe))
		si, err := device.ParseSignInProbe(beforeExit(out), errOut)
		if err != nil {
			t.Fatal(err)
		}
		if si.Reachable != device.TriNo || si.Error != "Unable to connect to the remote server" {
			t.Errorf("probe %+v", si)
		}
	})
	t.Run("the broker plug-in is registered on a healthy device", func(t *testing.T) {
		t.Parallel()
		out, _ := serveLines(t, newDevice(t, "healthy"), testNow, scripts.BrokerPlugin)
		ps, err := device.ParseAppxPackages(out)
		if err != nil {
			t.Fatal(err)
		}
		if ok, detail := device.BrokerPluginRegistered(ps); !ok {
			t.Error(detail)
		}
	})
	t.Run("broker-plugin unregisters it until it is registered again", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "broker-plugin")
		out, _ := serveLines(t, dir, testNow, scripts.BrokerPlugin)
		if strings.TrimSpace(out) != "" {
			t.Errorf("Get-AppxPackage printed %q for a missing package", out)
		}
		serveLines(t, dir, testNow, scripts.RegisterBrokerPlugin)
		out, _ = serveLines(t, dir, testNow, scripts.BrokerPlugin)
		if !strings.Contains(out, "cw5n1h2txyewy") {
			t.Errorf("after registering: %q", out)
		}
	})
	t.Run("blocked NTP fails w32tm but not HTTPS", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		file := filepath.Join(dir, "ntp.yaml")
		if err := os.WriteFile(file, []byte("name: ntp\ndevice:\n  hostname: PC-0042\n  join: cloud\n  user: alex@contoso.com\n  clock_skew: 20m\n  ntp_blocked: true\nfaults: [clock-skew]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		sc, err := LoadScenario(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := initAt(dir, sc, testNow); err != nil {
			t.Fatal(err)
		}
		out, _ := serveLines(t, dir, testNow, scripts.ClockOffset)
		if _, err := device.ParseStripchart(out); err == nil {
			t.Errorf("w32tm measured through blocked NTP: %q", out)
		}
		out, errOut := serveLines(t, dir, testNow, envelope(scripts.SignInProbe))
		if si, err := device.ParseSignInProbe(beforeExit(out), errOut); err != nil || si.Date.IsZero() {
			t.Errorf("probe %+v, %v", si, err)
		}
	})
}

// beforeExit drops the envelope's exit line and boundary from stdout.
func beforeExit(out string) string {
	if i := strings.Index(out, "caafix-exit "); i >= 0 {
		return out[:i]
	}
	return out
}
