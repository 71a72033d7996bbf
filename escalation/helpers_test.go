package escalation

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caafix/caafix/device"
)

// testNow is the fixed time of the test cases (2025-11-28 16:00 UTC is
// 1764345600, the newest event in the testdata).
var testNow = time.Date(2025, 11, 28, 16, 5, 0, 0, time.UTC)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cloudFacts are the facts of a managed, cloud-joined device with the
// symptom, read from the real entra-joined capture.
func cloudFacts(t testing.TB, dsreg string) *device.Facts {
	t.Helper()
	st, err := device.ParseDsregStatus(dsreg)
	if err != nil {
		t.Fatal(err)
	}
	return &device.Facts{
		Hostname: "AADJoin02", Join: st.Join(), Managed: true, ManagedKnown: true, Elevated: true, Context: device.ContextUser,
		User: `AzureAD\AlexWilber`, PRT: st.PRT(), DeviceAuthStatus: st.DeviceAuthStatus(), TimeService: device.TimeServiceRunning, ClockKnown: true,
		Credentials: []string{"MicrosoftOffice16_Data:SSPI:alex@contoso.com", "git:https://example.org"},
		Symptom: device.Symptom{Present: true, Events: 2, First: testNow.Add(-125 * time.Minute), Last: testNow.Add(-5 * time.Minute), PRT: "no",
			Reasons: []string{"2 CAA50021 event(s) (ID 1098/1104) in Microsoft-Windows-AAD/Operational since 2025-11-27T16:05:00Z"}},
		Problems: []string{}, Dsreg: st,
	}
}

// auditLines are a run's audit lines with the exit codes of two actions.
func auditLines(runID string) []string {
	l := func(s string) string {
		return `{"schema":1,"time":"2025-11-28T16:04:00Z",` + s + `,"run_id":"` + runID + `","seq":1,"prev":"","hash":"00"}`
	}
	return []string{
		l(`"event":"run.start","mode":"run"`),
		l(`"event":"step.output","step":"wam-cache","uses":"dsregcmd.cleanupaccounts","exit_code":0,"phase":"action","stdout":"","stderr":""`),
		l(`"event":"step.output","step":"office-credentials","uses":"credentials.remove","exit_code":1,"phase":"action","stdout":"CMDKEY: Element not found.","stderr":""`),
		l(`"event":"step.output","step":"office-credentials","uses":"credentials.remove","exit_code":0,"phase":"post-check","stdout":"","stderr":""`),
	}
}

func caSteps() []Step {
	return []Step{
		{ID: "clock", Uses: "w32tm.resync", Decision: "allow", Rule: "default", Result: "not-needed", Reason: "clock skew 0s is within 5m0s"},
		{ID: "wam-cache", Uses: "dsregcmd.cleanupaccounts", Decision: "allow", Rule: "default", Result: "failed", Reason: "post-check: the symptom remains"},
		{ID: "office-credentials", Uses: "credentials.remove", Decision: "allow", Rule: "default", Result: "ran", Reason: "the cached sign-ins are gone; the symptom remains"},
		{ID: "restart", Uses: "restart.schedule", Decision: "block", Rule: "disruptive-needs-consent", Result: "blocked", Reason: "disruptive: runs only with --allow-disruptive"},
		{ID: "leave-entra", Uses: "dsregcmd.leave", Decision: "block", Rule: "managed-device", Result: "blocked", Reason: "the device is MDM managed (Intune): leave it to its management"},
		{ID: "escalate", Uses: "escalate", Decision: "allow", Rule: "default", Result: "ended", Reason: "escalated to IT"},
	}
}

func fileOf(files []File, name string) string {
	for _, f := range files {
		if f.Name == name {
			return string(f.Data)
		}
	}
	return ""
}
