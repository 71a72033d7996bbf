package escalation

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/internal/scrub"
)

// The files of a bundle.
const (
	FileReadme = "ESCALATION.md"
	FileFacts  = "facts.json"
	FileDsreg  = "dsregcmd-status.txt"
	FileEvents = "aad-events.txt"
	FileAudit  = "audit-lines.jsonl"
)

// view is the case as ESCALATION.md shows it, after redaction.
type view struct {
	c        *Case
	ev       *evidence
	user     string // the user as shown (a pseudonym when redacted), "" when nobody
	upn      string // the user's sign-in name when the device shows it
	redacted bool
	changed  int // audit lines scrubbing or redaction changed
	omitted  int // audit lines left out for size
}

// stamp formats a time for people and for the sign-in log's filter.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func (v *view) markdown() string {
	c, ev := v.c, v.ev
	var b strings.Builder
	fmt.Fprintf(&b, "# CAA50021 escalation: %s\n\n", md(hostOr(c, "hostname unknown")))
	if c.Command == "collect" {
		b.WriteString("Collected with `caafix collect` for IT: the device's evidence on Microsoft 365 sign-in error CAA50021. Everything here was read on the device without changing it.\n\n")
	} else {
		b.WriteString("caafix could not fix Microsoft 365 sign-in error CAA50021 on this device and hands the case to IT. Everything here was read on the device; the files beside this one hold the raw evidence.\n\n")
	}

	b.WriteString("## The case\n\n| | |\n|---|---|\n")
	row(&b, "Error code", "CAA50021 (0xCAA50021): "+codeMeaning["0xCAA50021"])
	if others := otherCodes(ev.codes); len(others) > 0 {
		row(&b, "Other codes in the AAD events", describe(others))
	}
	app := ev.app
	if app == "" {
		app = "unknown (the AAD events do not name it)"
	}
	row(&b, "Affected app", app)
	row(&b, "Symptom since", v.since())
	row(&b, "Symptom now", v.symptomNow())
	row(&b, "Device", "hostname "+hostOr(c, "unknown")+"; Windows: "+c.OS.String())
	row(&b, "Join state", v.join())
	if a := v.prtAttempt(); a != "" {
		row(&b, "Last PRT attempt (dsregcmd)", a)
	}
	row(&b, "Managed / compliant", v.managed())
	row(&b, "User", v.userLine())
	if c.Command == "collect" {
		row(&b, "Run", fmt.Sprintf("%s, caafix collect (no step ran), bundle written %s", c.RunID, stamp(c.Time)))
	} else {
		row(&b, "Run", fmt.Sprintf("%s, runbook %s v%d, outcome %s (exit %d), bundle written %s", c.RunID, dash(c.Runbook), c.RunbookVersion, dash(c.Outcome), c.ExitCode, stamp(c.Time)))
	}
	if c.AuditHead != "" {
		row(&b, "Audit", "this run's lines are in "+FileAudit+"; the last one's hash is "+c.AuditHead+" (check the device's log with `caafix audit verify --head`)")
	}

	b.WriteString("\n## Why caafix stopped\n\n")
	b.WriteString(whyStopped(c))
	b.WriteString("\n\n### When to stop\n\n| rule | applies | evidence |\n|---|---|---|\n")
	for _, r := range stopRules(c, ev) {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", md(r.Name), r.Applies, md(r.Evidence))
	}

	if len(c.Diagnosis) > 0 {
		b.WriteString("\n## Likely causes\n\nMost likely first, from the device's evidence.\n\n| family | confidence | evidence |\n|---|---|---|\n")
		for _, f := range c.Diagnosis {
			fmt.Fprintf(&b, "| %s | %.0f%% | %s |\n", md(f.Name), f.Confidence*100, md(strings.Join(f.Evidence, "; ")))
		}
	}

	b.WriteString("\n## What was tried\n\n")
	if len(c.Steps) == 0 {
		b.WriteString("No step ran in this run.\n")
	} else {
		codes := exitCodes(c.AuditLines)
		b.WriteString("| step | uses | decision | rule | result | exit code | reason |\n|---|---|---|---|---|---|---|\n")
		for _, s := range c.Steps {
			code := "—"
			if n, ok := codes[s.ID]; ok {
				code = fmt.Sprint(n)
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s | %s |\n", md(s.ID), md(s.Uses), md(s.Decision), md(dash(s.Rule)), md(s.Result), code, md(oneLine(dash(s.Reason))))
		}
		b.WriteString("\nThe exit code is the last one of the step's action; the commands and their output are in " + FileAudit + ".\n")
	}

	b.WriteString("\n## What the admin should look at\n\n")
	v.adminSteps(&b)

	b.WriteString("\n## Files\n\n")
	fmt.Fprintf(&b, "- `%s`: the facts caafix decided on (join, management, user, PRT, clock, credential target names, symptom)\n", FileFacts)
	fmt.Fprintf(&b, "- `%s`: the raw `dsregcmd /status` output%s\n", FileDsreg, missing(c.Dsreg == "", "not read"))
	fmt.Fprintf(&b, "- `%s`: the recent AAD events with an error, newest first, at most %d%s\n", FileEvents, maxEvents, missing(c.Events == "", "not read"))
	fmt.Fprintf(&b, "- `%s`: this run's audit lines%s\n", FileAudit, v.auditNote())
	b.WriteString("\nToken-shaped values were masked as `" + scrub.Masked + "` wherever they appeared; no secret is read by caafix. ")
	if v.redacted {
		b.WriteString("User names and e-mail addresses are replaced with keyed pseudonyms (`user-…`), as in the redacted audit log.\n")
	} else {
		b.WriteString("User names appear as the device shows them.\n")
	}
	return b.String()
}

func (v *view) since() string {
	ev := v.ev
	if ev.first.IsZero() {
		if ev.eventsErr != nil {
			return "unknown: the AAD events could not be read (" + ev.eventsErr.Error() + ")"
		}
		return "unknown: no CAA50021 event in the AAD log caafix read"
	}
	f := v.c.Facts
	if f == nil || f.Symptom.First.IsZero() {
		return stamp(ev.first) + " (the oldest CAA50021 event in the AAD log caafix read)"
	}
	s := fmt.Sprintf("%s (the first of %d CAA50021 events in the lookback window", stamp(ev.first), f.Symptom.Events)
	if !ev.oldest.IsZero() && ev.oldest.Before(ev.first) {
		s += "; the log holds older ones, from " + stamp(ev.oldest) + ": an earlier episode, or the same one"
	}
	return s + ")"
}

func (v *view) symptomNow() string {
	f := v.c.Facts
	if f == nil {
		return "unknown: the facts could not be read"
	}
	state := "absent"
	if f.Symptom.Present {
		state = "present"
	}
	return state + ": " + strings.Join(f.Symptom.Reasons, "; ")
}

func (v *view) join() string {
	f := v.c.Facts
	if f == nil {
		return "unknown"
	}
	names := map[device.Join]string{
		device.JoinCloud: "Entra joined (cloud only)", device.JoinHybrid: "hybrid joined (Entra ID and the domain)",
		device.JoinRegistered: "Entra registered only", device.JoinDomain: "domain joined only", device.JoinNone: "not joined",
		device.JoinUnknown: "dsregcmd could not be read",
	}
	s := string(f.Join) + ": " + names[f.Join]
	if f.DeviceAuthStatus != "" {
		s += "; DeviceAuthStatus " + f.DeviceAuthStatus
	}
	s += "; PRT " + string(f.PRT)
	if v.ev.dsreg != nil {
		if id, ok := v.ev.dsreg.Get("Device Details", "DeviceId"); ok && id != "" {
			s += "; DeviceId " + id
		}
		if t := v.ev.dsreg.TenantName(); t != "" {
			s += "; tenant " + t
		}
		if id, ok := v.ev.dsreg.Get("Tenant Details", "TenantId"); ok && id != "" {
			s += " (" + id + ")"
		}
	}
	return s
}

// prtAttempt is dsregcmd's record of the last failed PRT request, "" when
// it prints none (SSO State diagnostics appear only after a failure).
func (v *view) prtAttempt() string {
	st := v.ev.dsreg
	if st == nil {
		return ""
	}
	var parts []string
	for _, label := range []string{"Previous Prt Attempt", "Attempt Status", "Server Error Code", "Server Error Description"} {
		if val, ok := st.Get("SSO State", label); ok && val != "" {
			parts = append(parts, label+" "+val)
		}
	}
	return strings.Join(parts, "; ")
}

func (v *view) managed() string {
	f := v.c.Facts
	var s string
	switch {
	case f == nil || !f.ManagedKnown:
		s = "managed: unknown (the MDM enrollment could not be read)"
	case f.Managed:
		s = "managed: yes (MDM, Intune)"
	default:
		s = "managed: no"
	}
	if hit := v.ev.has("AADSTS53000"); len(hit) > 0 {
		return s + "; compliant: no, Entra ID says so (AADSTS53000)"
	}
	return s + "; compliant: not known on the device (Intune holds the compliance state)"
}

func (v *view) userLine() string {
	if v.user == "" {
		if v.c.Facts == nil {
			return "unknown"
		}
		for _, p := range v.c.Facts.Problems {
			if strings.HasPrefix(p, "user: ") {
				return "unknown: " + strings.TrimPrefix(p, "user: ")
			}
		}
		return "nobody is signed in"
	}
	s := v.user
	if v.upn != "" && v.upn != v.user {
		s += " (" + v.upn + ")"
	}
	if v.redacted {
		s += "; redacted: the holder of the audit redaction key can tell who it is"
	}
	return s
}

func (v *view) auditNote() string {
	switch {
	case v.c.AuditLog == "-":
		return " — not included: the audit log went to stdout (--audit-log -)"
	case len(v.c.AuditLines) == 0:
		return " — none could be read from " + v.c.AuditLog
	}
	s := fmt.Sprintf(" (%d, from %s)", len(v.c.AuditLines)-v.omitted, v.c.AuditLog)
	if v.omitted > 0 {
		s += fmt.Sprintf("; %d more left out for size", v.omitted)
	}
	if v.changed > 0 {
		s += fmt.Sprintf("; %d had values masked or redacted here, so their hashes no longer match: the log on the device is the reference", v.changed)
	}
	return s
}

func (v *view) adminSteps(b *strings.Builder) {
	c, ev := v.c, v.ev
	who := v.upn
	if who == "" {
		who = v.user
	}
	if who == "" {
		who = "the affected user"
	}
	from := "the time the symptom started"
	if !ev.first.IsZero() {
		from = stamp(ev.first.Add(-time.Hour))
	}
	host := hostOr(c, "this device")
	codes := "the codes above"
	if len(ev.codes) > 0 {
		codes = strings.Join(ev.codes, ", ")
	}
	fmt.Fprintf(b, "1. **Sign-in logs.** Microsoft Entra admin center (https://entra.microsoft.com) > Entra ID > Monitoring & health > Sign-in logs. "+
		"Filter: User = %s; Date = custom, from %s to %s; Status = Failure. Look at both *User sign-ins (interactive)* and *User sign-ins (non-interactive)*: "+
		"Web Account Manager's token requests are non-interactive. Open a failure: *Basic info* shows the error code (look for %s) and the failure reason, "+
		"*Conditional Access* names the policies that applied, *Device info* shows whether Entra ID saw %s as joined and compliant.\n",
		md(who), from, stamp(c.Time), md(codes), md(host))
	fmt.Fprintf(b, "2. **Conditional Access.** Entra ID > Conditional Access > Policies: the policies that target %s and Office 365. "+
		"Use *What If* (on the Policies page) with the user, the app and platform Windows: a policy that requires a compliant or hybrid-joined device, or blocks the sign-in, "+
		"explains AADSTS53000 to AADSTS53003.\n", md(who))
	if c.Facts != nil && c.Facts.ManagedKnown && !c.Facts.Managed {
		fmt.Fprintf(b, "3. **Device compliance.** %s is not enrolled in Intune: if a Conditional Access policy requires a compliant device, enroll it first "+
			"(Settings > Accounts > Access work or school), then check Microsoft Intune admin center (https://intune.microsoft.com) > Devices > All devices > %s > Device compliance.\n", md(host), md(host))
	} else {
		fmt.Fprintf(b, "3. **Device compliance.** Microsoft Intune admin center (https://intune.microsoft.com) > Devices > All devices > %s > Device compliance: "+
			"the policy and the setting that fail, and when the device last checked in (a stale check-in keeps it non-compliant; sync it from the device's page).\n", md(host))
	}
	dev := md(host)
	if ev.dsreg != nil {
		if id, ok := ev.dsreg.Get("Device Details", "DeviceId"); ok && id != "" {
			dev += " (DeviceId " + id + ")"
		}
	}
	fmt.Fprintf(b, "4. **The device object.** Entra ID > Devices > All devices: search for %s. It must be *Enabled* (a disabled device gives AADSTS135011) and its join type must match the device's (%s).\n",
		dev, v.joinShort())
	b.WriteString("5. **The tenant.** If other devices fail at the same time: Microsoft 365 admin center (https://admin.microsoft.com) > Health > Service health, and the Conditional Access policies changed lately (Entra ID > Monitoring & health > Audit logs, category Policy).\n")
}

func hostOr(c *Case, def string) string {
	if c.Facts != nil && c.Facts.Hostname != "" {
		return c.Facts.Hostname
	}
	return def
}

func (v *view) joinShort() string {
	if v.c.Facts == nil {
		return "unknown"
	}
	return string(v.c.Facts.Join)
}

func otherCodes(codes []string) []string {
	var out []string
	for _, c := range codes {
		if c != device.SymptomCode {
			out = append(out, c)
		}
	}
	return out
}

// exitCodes returns, per step id, the exit code of the step's last action
// command, from the run's step.output audit lines.
func exitCodes(lines []string) map[string]int {
	out := map[string]int{}
	for _, l := range lines {
		if !strings.Contains(l, `"step.output"`) {
			continue
		}
		var e struct {
			Event    string `json:"event"`
			Step     string `json:"step"`
			Phase    string `json:"phase"`
			ExitCode *int   `json:"exit_code"`
		}
		if json.Unmarshal([]byte(l), &e) != nil || e.Event != "step.output" || e.Step == "" || e.ExitCode == nil || e.Phase != "action" {
			continue
		}
		out[e.Step] = *e.ExitCode
	}
	return out
}

// row writes one row of a two-column table.
func row(b *strings.Builder, k, v string) {
	fmt.Fprintf(b, "| %s | %s |\n", md(k), md(v))
}

// md makes text safe in a Markdown table cell: one line, no cell breaks.
func md(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func missing(cond bool, why string) string {
	if cond {
		return " — " + why
	}
	return ""
}

// eventsText renders the relevant AAD events for people, newest first.
func eventsText(ev *evidence, raw string) string {
	var b strings.Builder
	b.WriteString("Microsoft-Windows-AAD/Operational: the recent events with an error (IDs 1098, 1104 or an error code), newest first.\n")
	switch {
	case strings.TrimSpace(raw) == "":
		b.WriteString("\nThe AAD log was not read, or Get-WinEvent found no event.\n")
	case ev.eventsErr != nil:
		b.WriteString("\nThe events could not be parsed (" + ev.eventsErr.Error() + "); the output as read:\n\n")
		b.WriteString(lf(clip(raw, maxText)) + "\n")
	case len(ev.events) == 0:
		b.WriteString("\nNone of the events read carries an error.\n")
	}
	for _, e := range ev.events {
		fmt.Fprintf(&b, "\n=== %s  event %d  codes: %s\n", e.Time.UTC().Format(time.RFC3339Nano), e.ID, dash(strings.Join(device.ErrorCodes(e.Message), ", ")))
		b.WriteString(strings.TrimRight(lf(e.Message), "\n") + "\n")
	}
	return b.String()
}

// lf turns CRLF line ends into LF, as in the files caafix writes itself.
func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
