package devicesim

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/outcome"
)

func TestBuiltinNames(t *testing.T) {
	t.Parallel()
	want := []string{
		"av-vpn", "broker-plugin", "clock-skew", "clock-skew-stopped", "conditional-access", "domain-only", "healthy",
		"hybrid-healthy", "hybrid-wam-cache", "join-broken", "managed-wam-cache", "not-elevated",
		"office-creds", "office-creds-de", "office-install", "registered-wam-cache", "system-no-user",
		"system-user", "transient", "verbatim-hybrid", "wam-cache",
	}
	if got := BuiltinNames(); !slices.Equal(got, want) {
		t.Errorf("BuiltinNames() = %v\nwant %v", got, want)
	}
}

func TestBuiltinScenarios(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		join     Join
		context  Context
		user     string
		elevated bool
		locale   string
		faults   []Fault
	}{
		{"healthy", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, nil},
		{"wam-cache", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultWAMCache}},
		{"office-creds", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultOfficeCreds}},
		{"office-creds-de", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleDeDE, []Fault{FaultOfficeCreds}},
		{"clock-skew", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultClockSkew}},
		{"clock-skew-stopped", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultClockSkew}},
		{"transient", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultTransient}},
		{"join-broken", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultJoinBroken}},
		{"office-install", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultOfficeInstall}},
		{"conditional-access", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultConditionalAccess}},
		{"av-vpn", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultAVVPN}},
		{"broker-plugin", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultBrokerPlugin}},
		{"hybrid-wam-cache", JoinHybrid, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultWAMCache}},
		{"hybrid-healthy", JoinHybrid, ContextUser, "alex@contoso.com", true, LocaleEnUS, nil},
		{"managed-wam-cache", JoinCloud, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultWAMCache}},
		{"registered-wam-cache", JoinRegistered, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultWAMCache}},
		{"domain-only", JoinDomain, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultTransient}},
		{"not-elevated", JoinCloud, ContextUser, "alex@contoso.com", false, LocaleEnUS, []Fault{FaultWAMCache}},
		{"system-no-user", JoinCloud, ContextSystem, "", true, LocaleEnUS, []Fault{FaultWAMCache}},
		{"system-user", JoinCloud, ContextSystem, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultOfficeCreds}},
		{"verbatim-hybrid", JoinHybrid, ContextUser, "alex@contoso.com", true, LocaleEnUS, []Fault{FaultWAMCache}},
	}
	if len(cases) != len(BuiltinNames()) {
		t.Errorf("%d cases for %d built-in scenarios", len(cases), len(BuiltinNames()))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sc, err := LoadScenario(c.name)
			if err != nil {
				t.Fatal(err)
			}
			d := sc.Device
			if sc.Name != c.name || d.Join != c.join || d.Context != c.context || d.User != c.user || d.Elevated != c.elevated || d.Locale != c.locale {
				t.Errorf("got name %s join %s context %s user %q elevated %v locale %s", sc.Name, d.Join, d.Context, d.User, d.Elevated, d.Locale)
			}
			if !slices.Equal(sc.Faults, c.faults) {
				t.Errorf("faults %v, want %v", sc.Faults, c.faults)
			}
			if d.Hostname != "PC-0042" || !d.Compliant && c.name != "conditional-access" {
				t.Errorf("hostname %s compliant %v", d.Hostname, d.Compliant)
			}
			if sc.File != "scenarios/"+c.name+".yaml" {
				t.Errorf("file %s", sc.File)
			}
		})
	}
}

func TestScenarioDefaults(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "minimal.yaml")
	if err := os.WriteFile(file, []byte("name: minimal\ndevice:\n  hostname: PC-1\n  join: cloud\n  user: a@contoso.com\n  clock_skew: -7m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := LoadScenario(file)
	if err != nil {
		t.Fatal(err)
	}
	want := Device{
		Hostname: "PC-1", Join: JoinCloud, Locale: LocaleEnUS, Compliant: true, Elevated: true, Context: ContextUser,
		User: "a@contoso.com", ClockSkew: -7 * time.Minute, TimeService: ServiceRunning,
		Office: Office{Platform: "x64", Culture: "en-us"},
	}
	if !deviceEqual(sc.Device, want) {
		t.Errorf("device %+v\nwant   %+v", sc.Device, want)
	}
}

func deviceEqual(a, b Device) bool {
	return a.Hostname == b.Hostname && a.Join == b.Join && a.Locale == b.Locale && a.Managed == b.Managed &&
		a.Compliant == b.Compliant && a.Elevated == b.Elevated && a.Context == b.Context && a.User == b.User &&
		a.DsregcmdStatus == b.DsregcmdStatus && a.ClockSkew == b.ClockSkew && a.TimeService == b.TimeService &&
		slices.Equal(a.Credentials, b.Credentials) && a.Office == b.Office && slices.Equal(a.Security, b.Security)
}

// TestScenarioErrors loads every file in testdata/scenario-errors: each
// must fail with every problem at once, each problem naming file:line:col.
// The full text is the golden file NAME.err beside it.
func TestScenarioErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		file string
		want []string
	}{
		{"unknown keys are reported with their line and the valid keys", "unknown-keys", []string{
			`unknown-keys.yaml:6:3: unknown key "locatoin" in device`,
			`unknown-keys.yaml:7:29: unknown key "cultur" in device.office`,
			`unknown-keys.yaml:8:1: unknown key "fautls": use one of device, faults, name`}},
		{"unknown values list the valid ones", "unknown-values", []string{
			`4:9: unknown join "azure"`, `5:11: unknown locale "fr-FR"`, `6:12: unknown context "admin"`,
			`8:17: unknown time_service "paused"`,
			`9:21: unknown fault "dns": use one of transient, wam-cache, office-creds, clock-skew, join-broken, office-install, conditional-access, av-vpn, broker-plugin`,
			`9:26: fault wam-cache is listed twice`}},
		{"a duration needs a unit", "bad-durations", []string{`6:15: clock_skew "20 minutes" is not a duration`}},
		{"a bare number is not a duration", "duration-without-unit", []string{`6:15: clock_skew 15 has no unit`}},
		{"faults must fit the device", "fault-contradictions", []string{
			"fault clock-skew needs |clock_skew| over 5m", "fault join-broken is only modelled on cloud-only devices",
			"fault office-install needs Office", "fault office-creds needs an Office target", "fault av-vpn needs the product"}},
		{"join is required without a verbatim status", "join-missing", []string{"device.join is missing"}},
		{"anchors and aliases are refused", "anchors", []string{"YAML anchors (&dev) are not allowed", "YAML aliases (*dev) are not allowed"}},
		{"tags are refused", "tags", []string{"tags.yaml:3:13: YAML tags (!!str) are not allowed"}},
		{"a YAML syntax error names its line", "syntax", []string{"syntax.yaml:4:"}},
		{"an empty file says what a scenario needs", "empty", []string{"empty.yaml:1:1: the file is empty"}},
		{"a value of the wrong type is reported", "wrong-type", []string{"wrong-type.yaml:7:"}},
		{"system context, elevation and user are checked together", "who-runs", []string{
			`3:13: hostname "PC-0042-WORKSTATION" is not a Windows computer name`,
			"context system always runs elevated", `user "alex" is not an e-mail address`}},
		{"user context needs a signed-in user", "nobody-signed-in", []string{
			`name "Nobody Signed In" is not valid`, "context is user but no user is signed in"}},
		{"security entries and Office settings are checked", "bad-security", []string{
			`security entry "ExampleVPN" is not valid`, `security entry "vpn:" is not valid`,
			`unknown office platform "amd64"`, `office culture "English" is not a culture name`}},
		{"join must agree with the verbatim status", "join-disagrees", []string{"join is cloud but dsregcmd_status shows a hybrid device"}},
		{"a verbatim status must be readable", "unreadable-status", []string{`dsregcmd_status has no "AzureAdJoined : YES|NO" line`}},
		{"a file holds one document", "two-documents", []string{"two-documents.yaml:3:1: a scenario file holds one YAML document"}},
		{"duplicate keys are refused", "duplicate-key", []string{"duplicate-key.yaml:5:3:"}},
	}
	dir := filepath.Join("testdata", "scenario-errors")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files in %s: %v", dir, err)
	}
	if len(files) != len(cases) {
		t.Errorf("%d files in %s, %d cases: give every file a case", len(files), dir, len(cases))
	}
	lineRE := regexp.MustCompile(`^testdata/scenario-errors/[a-z-]+\.yaml:[0-9]+:[0-9]+: \S`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.ToSlash(filepath.Join(dir, c.file+".yaml"))
			_, err := LoadScenario(file)
			if err == nil {
				t.Fatal("loaded without error")
			}
			var se *ScenarioError
			if !errors.As(err, &se) {
				t.Errorf("error %T is no *ScenarioError", err)
			}
			if k := outcome.Of(err); k != outcome.Usage {
				t.Errorf("outcome %v, want usage", k)
			}
			text := err.Error()
			for _, l := range strings.Split(text, "\n") {
				if !lineRE.MatchString(l) {
					t.Errorf("problem %q does not start with file:line:col", l)
				}
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("error lacks %q:\n%s", w, text)
				}
			}
			goldenAt(t, filepath.Join(dir, c.file+".err"), text+"\n")
		})
	}
}

// goldenAt is golden for a file outside testdata/golden.
func goldenAt(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != lf(string(want)) {
		t.Errorf("differs from %s (run with -update to accept)\n--- got ---\n%s--- want ---\n%s", file, got, want)
	}
}

func TestScenarioTooLarge(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "huge.yaml")
	data := "name: huge\n# " + strings.Repeat("x", maxScenarioSize) + "\n"
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadScenario(file)
	var se *ScenarioError
	if !errors.As(err, &se) || !strings.Contains(se.Problem, "larger than 1048576 bytes") {
		t.Errorf("error %v, want a ScenarioError about the size", err)
	}
}

func TestUnknownScenario(t *testing.T) {
	t.Parallel()
	_, err := LoadScenario("wam-cahce")
	if err == nil {
		t.Fatal("loaded an unknown scenario")
	}
	if k := outcome.Of(err); k != outcome.Usage {
		t.Errorf("outcome %v, want usage", k)
	}
	if !strings.Contains(err.Error(), "wam-cache, ") || !strings.Contains(err.Error(), "wam-cahce") || outcome.HintOf(err) == "" {
		t.Errorf("error %q, hint %q: want the name and the built-in names", err, outcome.HintOf(err))
	}
}

// FuzzLoadScenario feeds the scenario decoder arbitrary bytes: it must not
// panic, and what it accepts must be a valid device.
func FuzzLoadScenario(f *testing.F) {
	for _, n := range BuiltinNames() {
		data, err := builtinFS.ReadFile("scenarios/" + n + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "scenario-errors", "*.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := parseScenario("fuzz.yaml", data)
		if err != nil {
			var se *ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is no *ScenarioError: %v", err, err)
			}
			return
		}
		d := sc.Device
		if !validJoin(d.Join) || (d.Context != ContextUser && d.Context != ContextSystem) || d.Hostname == "" {
			t.Fatalf("accepted an invalid device: %+v", d)
		}
		for _, f := range sc.Faults {
			if !validFault(f) {
				t.Fatalf("accepted unknown fault %q", f)
			}
		}
	})
}
