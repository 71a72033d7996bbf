package devicesim

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The tests in this file hold the simulator's renderings against the real
// Windows captures in testdata/fixtures: same labels in the same order,
// same line shapes, byte for byte where the text does not vary.

// render runs one command on a fresh device of the scenario and returns
// its stdout with LF line endings.
func render(t *testing.T, scenario, line string) string {
	t.Helper()
	out, _ := serveLines(t, newDevice(t, scenario), testNow, line)
	return lf(out)
}

// skeleton lists "Section/Label" for every field of a dsregcmd /status
// text, in order.
func skeleton(text string) []string {
	var out []string
	section := ""
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "| ") {
			section = strings.TrimSpace(strings.Trim(l, "|"))
			continue
		}
		if m := dsregFieldRE.FindStringSubmatch(l); m != nil {
			out = append(out, section+"/"+m[1])
		}
	}
	return out
}

func TestDsregcmdStatusLayout(t *testing.T) {
	t.Parallel()
	withoutSection := func(s []string, section string) []string {
		return slices.DeleteFunc(slices.Clone(s), func(e string) bool { return strings.HasPrefix(e, section+"/") })
	}
	cases := []struct {
		name     string
		scenario string
		fixture  string
		// adjust maps the fixture's skeleton to what the simulator prints.
		adjust func([]string) []string
	}{
		{"cloud-joined has the Entra joined capture's fields", "wam-cache", "dsregcmd-status-entra-joined.txt", nil},
		{"registered has the registered capture's fields plus Diagnostic Data", "registered-wam-cache", "dsregcmd-status-entra-registered.txt",
			func(s []string) []string { return s }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := skeleton(render(t, c.scenario, "dsregcmd /status"))
			want := skeleton(fixture(t, c.fixture))
			if c.adjust != nil {
				got = withoutSection(got, "Diagnostic Data")
				want = c.adjust(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("fields differ from %s\ngot:  %v\nwant: %v", c.fixture, got, want)
			}
		})
	}
	t.Run("hybrid has the hybrid capture's Device State", func(t *testing.T) {
		t.Parallel()
		got := skeleton(render(t, "hybrid-healthy", "dsregcmd /status"))
		want := append(slices.DeleteFunc(skeleton(fixture(t, "dsregcmd-status-hybrid-joined.txt")),
			func(e string) bool { return !strings.HasPrefix(e, "Device State/") }), "Device State/Device Name")
		if !slices.Equal(got[:len(want)], want) {
			t.Errorf("Device State differs\ngot:  %v\nwant: %v", got[:len(want)], want)
		}
	})
}

// TestDsregcmdFieldLines checks every field line of every join type: the
// label right-aligned to 26 columns, " :", and the value after a space.
func TestDsregcmdFieldLines(t *testing.T) {
	t.Parallel()
	for _, sc := range []string{"healthy", "hybrid-healthy", "registered-wam-cache", "domain-only", "managed-wam-cache", "system-user"} {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			for _, l := range strings.Split(render(t, sc, "dsregcmd /status"), "\n") {
				if l == "" || strings.HasPrefix(l, "+-") || strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "For more information") {
					if strings.HasPrefix(l, "+-") && len(l) != 72 || strings.HasPrefix(l, "| ") && len(l) != 72 {
						t.Errorf("box line %q is not 72 columns wide", l)
					}
					continue
				}
				label, value, ok := strings.Cut(l, " :")
				if !ok || len(label) != 26 || (value != "" && !strings.HasPrefix(value, " ")) {
					t.Errorf("line %q is not a dsregcmd field line", l)
				}
			}
		})
	}
}

func TestDsregcmdJoinFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario                          string
		aad, domain, workplace, prt, auth string
	}{
		{"healthy", "YES", "NO", "NO", "YES", "SUCCESS"},
		{"wam-cache", "YES", "NO", "NO", "NO", "SUCCESS"},
		{"join-broken", "YES", "NO", "NO", "NO", "FAILED. Device is either disabled or deleted"},
		{"hybrid-healthy", "YES", "YES", "NO", "YES", "SUCCESS"},
		{"hybrid-wam-cache", "YES", "YES", "NO", "NO", "SUCCESS"},
		{"registered-wam-cache", "NO", "NO", "YES", "NO", ""},
		{"domain-only", "NO", "YES", "NO", "NO", ""},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			t.Parallel()
			f := dsregFields(render(t, c.scenario, "dsregcmd /status"))
			got := []string{f["AzureAdJoined"], f["DomainJoined"], f["WorkplaceJoined"], f["AzureAdPrt"], f["DeviceAuthStatus"]}
			want := []string{c.aad, c.domain, c.workplace, c.prt, c.auth}
			if !slices.Equal(got, want) {
				t.Errorf("AzureAdJoined, DomainJoined, WorkplaceJoined, AzureAdPrt, DeviceAuthStatus = %v, want %v", got, want)
			}
		})
	}
}

func TestDsregcmdHelpIsTheCapture(t *testing.T) {
	t.Parallel()
	if got, want := render(t, "healthy", "dsregcmd /?"), fixture(t, "dsregcmd-help.txt"); got != want {
		t.Errorf("dsregcmd /? differs from the capture\ngot:\n%s\nwant:\n%s", got, want)
	}
}

// wamShape replaces the values of a dsregcmd account listing with
// placeholders, so that the capture (redacted by its author) and the
// simulator's text compare.
func wamShape(text string) string {
	for _, r := range []struct{ re, repl string }{
		{`(?m)^Removing account: .*, user: .*, authority: .*\.$`, "Removing account: A, user: U, authority: X."},
		{`(?m)^Account: .*, user: .*, authority: .*\.$`, "Account: A, user: U, authority: X."},
		{`(?m)^Default account: .*, user: .*\.$`, "Default account: A, user: U."},
	} {
		text = regexp.MustCompile(r.re).ReplaceAllString(text, r.repl)
	}
	return strings.TrimRight(text, "\n")
}

func TestDsregcmdAccountsShape(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, line, fixture string }{
		{"cleanupaccounts", "dsregcmd /cleanupaccounts", "dsregcmd-cleanupaccounts.txt"},
		{"listaccounts", "dsregcmd /listaccounts", "dsregcmd-listaccounts.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got, want := wamShape(render(t, "wam-cache", c.line)), wamShape(fixture(t, c.fixture)); got != want {
				t.Errorf("shape differs from %s\ngot:\n%s\nwant:\n%s", c.fixture, got, want)
			}
		})
	}
}

// cmdkeyShape replaces a cmdkey line's value with X.
func cmdkeyShape(line string) string {
	for _, label := range []string{"Target: ", "User: ", "Ziel: ", "Benutzer: "} {
		if i := strings.Index(line, label); i >= 0 {
			return line[:i+len(label)] + "X"
		}
	}
	return line
}

// TestCmdkeyListShape checks that every line cmdkey /list prints has the
// shape of a line in a real capture of the same language.
func TestCmdkeyListShape(t *testing.T) {
	t.Parallel()
	// The German capture lost its trailing blanks (its separator lines
	// are empty), so German lines compare without them.
	cases := []struct {
		name, scenario, fixture string
		trim                    bool
	}{
		{"english", "healthy", "cmdkey-list-en-indented.txt", false},
		{"german", "office-creds-de", "cmdkey-list-de.txt", true},
		{"english empty", "system-user", "cmdkey-list-en-indented.txt", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			shape := func(l string) string {
				if c.trim {
					l = strings.TrimRight(l, " ")
				}
				return cmdkeyShape(l)
			}
			shapes := map[string]bool{"": true, "* NONE *": true, "* KEINE *": true}
			for _, l := range strings.Split(fixture(t, c.fixture), "\n") {
				shapes[shape(l)] = true
			}
			for _, l := range strings.Split(render(t, c.scenario, "cmdkey /list"), "\n") {
				if !shapes[shape(l)] {
					t.Errorf("line %q has no counterpart in %s", l, c.fixture)
				}
			}
		})
	}
}

var stripchartLines = []*regexp.Regexp{
	regexp.MustCompile(`^Tracking \S+ \[[0-9.]+:123\]\.$`),
	regexp.MustCompile(`^Collecting [0-9]+ samples\.$`),
	regexp.MustCompile(`^The current time is .+\.$`),
}

// TestStripchartShape holds /dataonly samples and errors to the capture's
// line shapes, which the capture itself must match too.
func TestStripchartShape(t *testing.T) {
	t.Parallel()
	sample := regexp.MustCompile(`^[0-9]{2}:[0-9]{2}:[0-9]{2}, [+-][0-9]{2,}[.,][0-9]{7}s$`)
	failed := regexp.MustCompile(`^[0-9]{2}:[0-9]{2}:[0-9]{2}, error: 0x[0-9A-F]{8}$`)
	cases := []struct {
		name, scenario, fixture string
		last                    *regexp.Regexp
	}{
		{"offset", "clock-skew", "w32tm-stripchart-ok.txt", sample},
		{"offset with a decimal comma", "office-creds-de", "w32tm-stripchart-ok.txt", sample},
		{"timeout", "av-vpn", "w32tm-stripchart-error.txt", failed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := append(slices.Clone(stripchartLines), c.last)
			for name, text := range map[string]string{
				"simulator": render(t, c.scenario, "w32tm /stripchart /computer:time.windows.com /dataonly /samples:1"),
				c.fixture:   fixture(t, c.fixture),
			} {
				lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
				if len(lines) != len(res) {
					t.Fatalf("%s: %d lines, want %d: %q", name, len(lines), len(res), text)
				}
				for i, re := range res {
					if !re.MatchString(lines[i]) {
						t.Errorf("%s: line %q does not match %s", name, lines[i], re)
					}
				}
			}
		})
	}
}

func TestResyncIsTheCapture(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, scenario, fixture string }{
		{"success", "clock-skew", "w32tm-resync-success.txt"},
		{"no time data", "av-vpn", "w32tm-resync-no-data.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got, want := render(t, c.scenario, "w32tm /resync /force"), fixture(t, c.fixture); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
	t.Run("service stopped", func(t *testing.T) {
		t.Parallel()
		got := render(t, "clock-skew-stopped", "w32tm /resync /force")
		if want := fixture(t, "w32tm-query-service-stopped.txt"); !strings.HasSuffix(got, want) {
			t.Errorf("got %q, want it to end in %q", got, want)
		}
	})
}

// TestEventMessageShape holds the 1098 message to the layout of the one
// published 1098 event.
func TestEventMessageShape(t *testing.T) {
	t.Parallel()
	shape := func(text string) []string {
		var out []string
		for _, l := range strings.Split(lf(text), "\n") {
			label, _, _ := strings.Cut(l, ":")
			out = append(out, label)
		}
		return out
	}
	st := newState(&Scenario{Name: "x", Faults: []Fault{FaultWAMCache}}, testNow)
	got, want := shape(aadEventMessage(st)), shape(strings.TrimSuffix(fixture(t, "aad-event-1098.txt"), "\n"))
	if !slices.Equal(got, want) {
		t.Errorf("event layout differs from the capture\ngot:  %q\nwant: %q", got, want)
	}
	if !strings.Contains(strings.ToLower(aadEventMessage(st)), "0xcaa50021") {
		t.Error("event does not name 0xCAA50021")
	}
}

// FuzzDsregText feeds the dsregcmd text reader arbitrary text: it must not
// panic, and replacing a field's value must leave every other line alone.
func FuzzDsregText(f *testing.F) {
	for _, name := range []string{"dsregcmd-status-entra-joined.txt", "dsregcmd-status-hybrid-joined.txt", "dsregcmd-status-entra-registered.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("AzureAdPrt : NO\r\n  AzureAdPrt :\r\nx")
	f.Fuzz(func(t *testing.T, text string) {
		_, _ = joinFromStatus(text)
		out := setDsregField(text, "AzureAdPrt", "YES")
		in, got := strings.Split(text, "\n"), strings.Split(out, "\n")
		if len(in) != len(got) {
			t.Fatalf("%d lines became %d", len(in), len(got))
		}
		for i := range in {
			if in[i] != got[i] && !strings.Contains(got[i], "AzureAdPrt : YES") {
				t.Fatalf("line %q became %q", in[i], got[i])
			}
		}
	})
}
