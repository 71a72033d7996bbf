package escalation

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caafix/caafix/device"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func goldenCases(t testing.TB) []struct {
	name string
	c    *Case
	o    Options
} {
	entra := readTestdata(t, "dsregcmd-status-entra-joined.txt")
	hybrid := readTestdata(t, "dsregcmd-status-hybrid-joined.txt")
	win := OS{Caption: "Microsoft Windows 11 Enterprise", Version: "10.0.22631", BuildNumber: "22631"}
	const id = "20251128T160400Z-0a1b2c3d4e5f"

	hybridFacts := cloudFacts(t, entra)
	hybridFacts.Dsreg, _ = device.ParseDsregStatus(hybrid)
	hybridFacts.Join, hybridFacts.Managed, hybridFacts.Hostname, hybridFacts.User = device.JoinHybrid, false, "DESK-17", `HYBRIDADFS\john`
	hybridFacts.DeviceAuthStatus = ""

	left := cloudFacts(t, entra)
	left.Managed = false
	leftSteps := []Step{
		{ID: "wam-cache", Uses: "dsregcmd.cleanupaccounts", Decision: "allow", Rule: "default", Result: "failed", Reason: "post-check: the symptom remains"},
		{ID: "leave-entra", Uses: "dsregcmd.leave", Decision: "allow", Rule: "default", Result: "ended", Reason: "the device left Entra ID"},
	}

	unknown := &device.Facts{Join: device.JoinUnknown, PRT: device.TriUnknown, Context: device.ContextUnknown,
		Problems: []string{"join: dsregcmd /status: exited 1"}, Symptom: device.Symptom{Present: true, Reasons: []string{"the AAD event log could not be read"}}}

	return []struct {
		name string
		c    *Case
		o    Options
	}{
		{"conditional access blocks a managed cloud device", &Case{Command: "run", RunID: id, Time: testNow, Runbook: "caa50021", RunbookVersion: 1,
			Outcome: "blocked", ExitCode: 4, Message: "CAA50021 persists after the local fixes that policy allowed.", Facts: cloudFacts(t, entra), OS: win,
			Dsreg: entra, Events: readTestdata(t, "aad-events-conditional-access.json"), Steps: caSteps(), AuditLog: `C:\ProgramData\caafix\logs\audit.jsonl`,
			AuditLines: auditLines(id), AuditHead: strings.Repeat("ab", 32)}, Options{}},
		{"hybrid device escalates with the app named", &Case{Command: "run", RunID: id, Time: testNow, Runbook: "caa50021", RunbookVersion: 1,
			Outcome: "escalate", ExitCode: 4, Facts: hybridFacts, OS: win, Dsreg: hybrid, Events: readTestdata(t, "aad-events-app.json"),
			Steps: caSteps()[:3], AuditLog: "-"}, Options{}},
		{"device left Entra ID", &Case{Command: "run", RunID: id, Time: testNow, Runbook: "caa50021", RunbookVersion: 1, Outcome: "escalate", ExitCode: 4,
			Message: "the device left Entra ID; the user must rejoin via Settings", Facts: left, OS: win, Dsreg: entra, Steps: leftSteps,
			AuditLog: "audit.jsonl"}, Options{}},
		{"collect with nothing readable", &Case{Command: "collect", RunID: id, Time: testNow, Runbook: "caa50021", RunbookVersion: 1,
			Outcome: "not-fixed", ExitCode: 1, Facts: unknown, Events: "not json", AuditLog: "audit.jsonl"}, Options{}},
		{"users redacted", &Case{Command: "run", RunID: id, Time: testNow, Runbook: "caa50021", RunbookVersion: 1, Outcome: "blocked", ExitCode: 4,
			Facts: cloudFacts(t, entra), OS: win, Dsreg: entra, Events: readTestdata(t, "aad-events-conditional-access.json"), Steps: caSteps(),
			AuditLog: "audit.jsonl", AuditLines: auditLines(id)}, Options{RedactUsers: true, RedactKey: []byte("0123456789abcdef-test-key")}},
		{"a diagnosis ranks the causes", &Case{Command: "run", RunID: id, Time: testNow, Runbook: "caa50021", RunbookVersion: 1, Outcome: "escalate", ExitCode: 4,
			Facts: cloudFacts(t, entra), OS: win, Dsreg: entra, Events: readTestdata(t, "aad-events-conditional-access.json"), Steps: caSteps(), AuditLog: "audit.jsonl",
			Diagnosis: []Family{{Name: "conditional-access", Confidence: 0.9, Evidence: []string{"AADSTS53000 in event 1098"}}, {Name: "wam-cache", Confidence: 0.1, Evidence: []string{"no PRT"}}}}, Options{}},
	}
}

// ESCALATION.md and aad-events.txt are compared with
// testdata/golden/NAME.md and NAME.aad-events.txt, after CRLF→LF; -update
// rewrites the golden files.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			files, err := Files(c.c, c.o)
			if err != nil {
				t.Fatal(err)
			}
			base := filepath.Join("testdata", "golden", strings.ReplaceAll(c.name, " ", "-"))
			for _, g := range []struct{ file, path string }{{FileReadme, base + ".md"}, {FileEvents, base + ".aad-events.txt"}} {
				compareGolden(t, g.path, lf(fileOf(files, g.file)))
			}
		})
	}
}

// compareGolden compares got with the golden file, after CRLF→LF; -update
// rewrites it.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if got != lf(string(want)) {
		t.Errorf("%s differs (see it with -update and git diff):\n%s", path, firstDiff(got, lf(string(want))))
	}
}

// firstDiff shows the first line that differs.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	if s == "" {
		return "0"
	}
	return s
}
