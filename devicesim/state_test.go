package devicesim

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestInitKeepsAnExistingDevice(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "wam-cache")
	other, err := LoadScenario("healthy")
	if err != nil {
		t.Fatal(err)
	}
	if err := Init(dir, other); err != nil {
		t.Fatal(err)
	}
	if got := deviceState(t, dir).Scenario.Name; got != "wam-cache" {
		t.Errorf("device after a second Init is %q, want the first one, wam-cache", got)
	}
}

func TestInitRefusesNoScenario(t *testing.T) {
	t.Parallel()
	if err := Init(t.TempDir(), nil); err == nil {
		t.Error("Init without a scenario succeeded")
	}
}

func TestServeNeedsADevice(t *testing.T) {
	t.Parallel()
	var out, errs bytes.Buffer
	err := Serve(strings.NewReader("dsregcmd /status\r\n"), &out, &errs, t.TempDir())
	if err == nil || !strings.Contains(errs.String(), "no simulated device") {
		t.Errorf("Serve without a device: err %v, stderr %q", err, errs.String())
	}
}

func TestCommandsRecordsEveryLineInOrder(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "healthy")
	if got, err := Commands(dir); err != nil || len(got) != 0 {
		t.Fatalf("Commands before any line = %v, %v; want none", got, err)
	}
	lines := []string{
		envelope("dsregcmd /status"),
		envelope("cmdkey '/delete:OneDrive Cached Credential'"),
		envelope("Get-Service -Name w32time | Select-Object -ExpandProperty Status"),
		envelope("cmdkey 'broken"),
		"Write-Output 'plain'; echo '$gorilla000000000000000000000001$'; [Console]::Error.WriteLine('$gorilla000000000000000000000002$')",
		"",
		"exit",
		"dsregcmd /status", // after exit: never read
	}
	serveLines(t, dir, testNow, lines...)
	got, err := Commands(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"dsregcmd /status",
		"cmdkey '/delete:OneDrive Cached Credential'",
		"Get-Service -Name w32time | Select-Object -ExpandProperty Status",
		"cmdkey 'broken",
		"Write-Output 'plain'",
		"exit",
	}
	var cmds []string
	for _, r := range got {
		cmds = append(cmds, r.Command)
		if !r.Time.Equal(testNow) {
			t.Errorf("record time %v, want %v", r.Time, testNow)
		}
	}
	if !slices.Equal(cmds, want) {
		t.Errorf("commands\ngot:  %q\nwant: %q", cmds, want)
	}
	if len(got) > 0 && got[0].Line != lines[0] {
		t.Errorf("line %q, want %q", got[0].Line, lines[0])
	}
}

func TestDeviceLivesOnAcrossSessions(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "clock-skew-stopped")
	serveLines(t, dir, testNow, "Start-Service -Name w32time")
	out, _ := serveLines(t, dir, testNow.Add(time.Minute), "Get-Service -Name w32time | Select-Object -ExpandProperty Status")
	if out != "Running\r\n" {
		t.Errorf("time service after a later session: %q, want Running", out)
	}
}

func TestRestart(t *testing.T) {
	t.Parallel()
	const lastBoot = `Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object LastBootUpTime | ConvertTo-Json -Compress`
	t.Run("a restart takes effect at the next session and sets the boot time", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "transient")
		before := deviceState(t, dir).BootTime
		same, _ := serveLines(t, dir, testNow, scheduleRestart, lastBoot)
		if st := deviceState(t, dir); st.PendingRestart == nil || st.PendingRestart.Comment != "caafix restarts this PC to finish a repair." {
			t.Fatalf("pending restart = %+v", st.PendingRestart)
		}
		bootedAt := testNow.Add(10 * time.Minute)
		after, _ := serveLines(t, dir, bootedAt, lastBoot)
		if !strings.Contains(same, "Date("+toStr(before.UnixMilli())+")") {
			t.Errorf("boot time changed before the restart: %q", same)
		}
		if !strings.Contains(after, "Date("+toStr(bootedAt.UnixMilli())+")") {
			t.Errorf("boot time after the restart: %q, want %v", after, bootedAt)
		}
		if st := deviceState(t, dir); st.PendingRestart != nil || st.hasFault(FaultTransient) {
			t.Errorf("after the restart: pending %+v, faults %v", st.PendingRestart, st.Scenario.Faults)
		}
	})
	t.Run("a second restart while one is pending fails with 1190", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "transient")
		out, errs := serveLines(t, dir, testNow, envelope(scheduleRestart), envelope(scheduleRestart))
		if !strings.Contains(out, "caafix-exit "+nonce+" 1190 False") || !strings.Contains(errs, "(1190)") {
			t.Errorf("stdout %q stderr %q", out, errs)
		}
	})
	t.Run("shutdown /a at the next session aborts the restart", func(t *testing.T) {
		t.Parallel()
		dir := newDevice(t, "transient")
		serveLines(t, dir, testNow, scheduleRestart)
		out, _ := serveLines(t, dir, testNow.Add(time.Minute), envelope("shutdown /a"))
		if exitLine(t, out) != "0 True" {
			t.Errorf("shutdown /a: %q", out)
		}
		if st := deviceState(t, dir); st.PendingRestart != nil || !st.hasFault(FaultTransient) {
			t.Errorf("after abort: pending %+v, faults %v", st.PendingRestart, st.Scenario.Faults)
		}
	})
}

func TestStateWritesLeaveNoTemporaryFiles(t *testing.T) {
	t.Parallel()
	dir := newDevice(t, "wam-cache")
	serveLines(t, dir, testNow, "dsregcmd /cleanupaccounts", "cmdkey /delete:git:https://example.org")
	entries, err := os.ReadDir(filepath.Join(dir, "devicesim"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"commands.jsonl", "device.json"}) {
		t.Errorf("state directory holds %v", names)
	}
}

func TestLeave(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario string
		join     Join
		aad      string
	}{
		{"join-broken", JoinNone, "NO"},
		{"hybrid-healthy", JoinDomain, "NO"},
		{"verbatim-hybrid", JoinDomain, "NO"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			t.Parallel()
			dir := newDevice(t, c.scenario)
			out, _ := serveLines(t, dir, testNow, envelope("dsregcmd /leave"), "dsregcmd /status")
			if exitLine(t, out) != "0 True" {
				t.Errorf("leave: %q", out)
			}
			st := deviceState(t, dir)
			if st.Scenario.Device.Join != c.join || !st.LeftEntra {
				t.Errorf("join %s left %v, want %s and true", st.Scenario.Device.Join, st.LeftEntra, c.join)
			}
			if f := dsregFields(out); f["AzureAdJoined"] != c.aad {
				t.Errorf("AzureAdJoined %q, want %q", f["AzureAdJoined"], c.aad)
			}
		})
	}
}
