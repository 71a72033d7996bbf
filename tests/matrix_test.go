package tests

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caafix/caafix/devicesim"
)

// changing matches every command that changes a device.
const changing = `cmdkey .*/delete|dsregcmd /cleanupaccounts|dsregcmd /leave|w32tm /resync|^shutdown|Start-Service|OfficeClickToRun|Add-AppxPackage`

// matrixCase is one run of the scenario matrix.
type matrixCase struct {
	name     string
	scenario string
	flags    []string
	exit     int
	outcome  string   // the run's outcome, as the summary line and run.end name it
	fixedBy  string   // the step that fixed the symptom, when the outcome is fixed
	sent     []string // regexps each matched by some command
	never    []string // regexps matched by no command
}

// matrixCases are the scenario matrix: every built-in scenario (every
// fault; cloud, hybrid, registered and domain-only joins; managed or not;
// elevated or not; user or SYSTEM) under each consent.
func matrixCases() []matrixCase {
	none := []string{}
	disruptive := []string{"--allow-disruptive"}
	all := []string{"--allow-disruptive", "--allow-dangerous"}
	return []matrixCase{
		{"healthy device gets no changing command", "healthy", all, 0, "healthy", "", []string{`^dsregcmd /status$`}, []string{changing}},
		{"healthy hybrid device gets no changing command", "hybrid-healthy", all, 0, "healthy", "", nil, []string{changing}},
		{"wam cache fixed by cleanupaccounts", "wam-cache", none, 0, "fixed", "wam-cache", []string{`^dsregcmd /cleanupaccounts$`}, []string{`cmdkey .*/delete`, `^shutdown`}},
		{"office credentials fixed by cmdkey without cleanupaccounts", "office-creds", all, 0, "fixed", "office-credentials", []string{`^cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex.wilber@contoso.com'$`}, []string{`git:https`, `^shutdown`, `/cleanupaccounts`}},
		{"german office credentials fixed by cmdkey", "office-creds-de", none, 0, "fixed", "office-credentials", []string{`^cmdkey '/delete:MicrosoftOffice16_Data:`}, []string{`/cleanupaccounts`}},
		{"skewed clock fixed by resync", "clock-skew", none, 0, "fixed", "clock", []string{`^w32tm /resync /force$`}, []string{`Start-Service`, `/cleanupaccounts`}},
		{"skewed clock with every consent never restarts", "clock-skew", all, 0, "fixed", "clock", []string{`^w32tm /resync /force$`}, []string{`^shutdown`, `OfficeClickToRun`, `/leave`}},
		{"stopped time service started before resync", "clock-skew-stopped", none, 0, "fixed", "clock", []string{`^Start-Service -Name w32time$`, `^w32tm /resync /force$`}, nil},
		{"transient without consent is blocked", "transient", none, 4, "blocked", "", nil, []string{`^shutdown`}},
		{"transient with consent schedules a restart", "transient", disruptive, 5, "reboot-pending", "", []string{`^shutdown /r /t '300' /c '.*' /d p:4:1$`}, []string{`shutdown .*/o\b`, `/leave`}},
		{"broken join without dangerous consent never leaves and never restarts", "join-broken", disruptive, 4, "blocked", "", nil, []string{`/leave`, `^shutdown`}},
		{"broken join with every consent leaves first, without a restart", "join-broken", all, 4, "escalate", "", []string{`^dsregcmd /leave$`}, []string{`^shutdown`, `/cleanupaccounts`, `cmdkey .*/delete`}},
		{"broken join without consent is blocked", "join-broken", none, 4, "blocked", "", nil, []string{`/leave`, `^shutdown`}},
		{"office install without consent is blocked", "office-install", none, 4, "blocked", "", nil, []string{`OfficeClickToRun`}},
		{"conditional access escalates without any changing command", "conditional-access", none, 4, "escalate", "", nil, []string{changing}},
		{"conditional access with every consent escalates without any changing command", "conditional-access", all, 4, "escalate", "", nil, []string{changing}},
		{"av or vpn escalates without any changing command", "av-vpn", none, 4, "escalate", "", nil, []string{changing}},
		{"av or vpn with every consent never leaves", "av-vpn", all, 4, "escalate", "", nil, []string{changing}},
		{"missing broker plug-in registered again", "broker-plugin", none, 0, "fixed", "broker-plugin", []string{`^Add-AppxPackage -Register \(Join-Path \$env:windir 'SystemApps\\Microsoft\.AAD\.BrokerPlugin_cw5n1h2txyewy\\Appxmanifest\.xml'\) -DisableDevelopmentMode -ForceApplicationShutdown$`}, []string{`/cleanupaccounts`, `cmdkey .*/delete`, `^shutdown`}},
		{"hybrid wam cache fixed without leaving", "hybrid-wam-cache", all, 0, "fixed", "wam-cache", []string{`/cleanupaccounts`}, []string{`/leave`}},
		{"verbatim hybrid status never leaves", "verbatim-hybrid", all, 0, "fixed", "wam-cache", nil, []string{`/leave`}},
		{"managed wam cache fixed without leaving", "managed-wam-cache", all, 0, "fixed", "wam-cache", []string{`/cleanupaccounts`}, []string{`/leave`}},
		{"registered device wam cache fixed", "registered-wam-cache", none, 0, "fixed", "wam-cache", []string{`/cleanupaccounts`}, []string{`/leave`}},
		{"domain-only device never leaves", "domain-only", all, 5, "reboot-pending", "", nil, []string{`/leave`}},
		{"not elevated sends no admin command", "not-elevated", all, 4, "escalate", "", nil, []string{`/cleanupaccounts`, `/resync`, `^shutdown`, `Start-Service`, `OfficeClickToRun`, `/leave`}},
		{"system with nobody signed in runs no user step", "system-no-user", none, 4, "blocked", "", nil, []string{`cmdkey .*/delete`, `/cleanupaccounts`}},
		{"system with a user signed in fixes the device in the user's session", "system-user", none, 0, "fixed", "office-credentials", []string{`^Register-ScheduledTask|New-ScheduledTaskPrincipal -UserId 'AzureAD\\alex' -LogonType Interactive`, `^cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex@contoso.com'$`}, []string{`git:https`, `^shutdown`}},
	}
}

// The scenario matrix, run through the real binary. Each case asserts the
// exit code, the outcome in the summary line, what the device received
// and what it never did.
func TestScenarioMatrix(t *testing.T) {
	t.Parallel()
	for _, c := range matrixCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			args := append([]string{"run", "--simulate", c.scenario, "--state-dir", state, "--audit-log", filepath.Join(dir, "audit.jsonl")}, c.flags...)
			code, stdout, stderr := caafix(t, dir, args...)
			out := strings.TrimRight(stdout, "\n")
			last := out[strings.LastIndex(out, "\n")+1:]
			if code != c.exit {
				t.Fatalf("exit %d, want %d\nlast line: %s\nstderr: %s", code, c.exit, last, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr is not empty: %s", stderr)
			}
			if !strings.HasPrefix(last, "caafix "+c.outcome+": ") || len(last) > 2000 {
				t.Errorf("last line is not the summary of outcome %s: %q", c.outcome, last)
			}
			if c.fixedBy != "" && !strings.Contains(last, "fixed by step "+c.fixedBy+";") && !strings.Contains(last, "fixed by step "+c.fixedBy+" ") {
				t.Errorf("last line does not say fixed by step %s: %q", c.fixedBy, last)
			}
			recorded, err := devicesim.Commands(state)
			if err != nil {
				t.Fatal(err)
			}
			var cmds []string
			for _, r := range recorded {
				cmds = append(cmds, r.Command)
				// A user step's command runs in the user's session, never
				// as SYSTEM: only a task with the user's principal runs it.
				if r.RunAs == "" && regexp.MustCompile(`^(cmdkey .*/delete|dsregcmd /cleanupaccounts)`).MatchString(r.Command) && strings.HasPrefix(c.scenario, "system-") {
					t.Errorf("%q ran as SYSTEM", r.Command)
				}
				// Every line the device received is valid PowerShell,
				// envelope and all.
				if err := devicesim.CheckSyntax(r.Line); err != nil {
					t.Errorf("sent a line PowerShell cannot parse: %q: %v", r.Line, err)
				}
			}
			for _, pat := range c.sent {
				if !anyMatch(pat, cmds) {
					t.Errorf("no command matches %q; sent:\n%s", pat, strings.Join(cmds, "\n"))
				}
			}
			for _, pat := range c.never {
				re := regexp.MustCompile(pat)
				for _, cmd := range cmds {
					if re.MatchString(cmd) {
						t.Errorf("sent %q, which matches the forbidden %q", cmd, pat)
					}
				}
			}
		})
	}
}

func anyMatch(pat string, cmds []string) bool {
	re := regexp.MustCompile(pat)
	for _, c := range cmds {
		if re.MatchString(c) {
			return true
		}
	}
	return false
}
