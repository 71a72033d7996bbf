package escalation

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/caafix/caafix/device"
)

// maxEvents is how many AAD events the bundle keeps, newest first.
const maxEvents = 50

// evidence is what ESCALATION.md reads from the case's raw texts.
type evidence struct {
	events    []device.Event // relevant AAD events, newest first
	eventsErr error          // the AAD events could not be parsed
	codes     []string       // the distinct error codes in them, in order of first appearance (newest event first)
	first     time.Time      // when the symptom started: the first CAA50021 event in the lookback window, else in the log
	oldest    time.Time      // the oldest CAA50021 event in the log as read
	symEvents int            // CAA50021 events among the relevant ones
	app       string         // the affected app, "" when unknown
	dsreg     *device.DsregStatus
}

func gatherEvidence(c *Case) *evidence {
	ev := &evidence{}
	if c.Facts != nil && c.Facts.Dsreg != nil {
		ev.dsreg = c.Facts.Dsreg
	} else if c.Dsreg != "" {
		ev.dsreg, _ = device.ParseDsregStatus(c.Dsreg)
	}
	if strings.TrimSpace(c.Events) != "" {
		all, err := device.ParseAADEvents(c.Events)
		ev.eventsErr = err
		ev.events = relevant(all)
	}
	seen := map[string]bool{}
	for _, e := range ev.events {
		for _, code := range device.ErrorCodes(e.Message) {
			if !seen[code] {
				seen[code] = true
				ev.codes = append(ev.codes, code)
			}
		}
		if device.HasCode(e.Message, device.SymptomCode) {
			ev.symEvents++
			if ev.oldest.IsZero() || e.Time.Before(ev.oldest) {
				ev.oldest = e.Time
			}
		}
	}
	// The facts' first event is bounded by the lookback (and so by an
	// earlier, fixed episode's events); the log may reach further back.
	ev.first = ev.oldest
	if c.Facts != nil && !c.Facts.Symptom.First.IsZero() {
		ev.first = c.Facts.Symptom.First
	}
	ev.app = affectedApp(ev.events)
	return ev
}

// relevant keeps the events that carry an error (IDs 1098 and 1104, or any
// error code), newest first, at most maxEvents, each message cut to
// maxMessage bytes.
func relevant(all []device.Event) []device.Event {
	var out []device.Event
	for _, e := range all {
		e.Message = clip(e.Message, maxMessage)
		if e.ID == 1098 || e.ID == 1104 || len(device.ErrorCodes(e.Message)) > 0 {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	if len(out) > maxEvents {
		out = out[:maxEvents]
	}
	return out
}

func (ev *evidence) has(codes ...string) []string {
	var out []string
	for _, want := range codes {
		for _, c := range ev.codes {
			if c == want {
				out = append(out, c)
			}
		}
	}
	return out
}

// codeMeaning says what the error codes caafix knows mean; from the
// issue's list and Microsoft Learn, "Microsoft Entra authentication and
// authorization error codes".
var codeMeaning = map[string]string{
	"0xCAA50021":   "Web Account Manager gave up after repeated failed token requests",
	"0xCAA20003":   "invalid grant: check the device clock",
	"0xCAA20004":   "refused by a Conditional Access policy",
	"0xCAA70007":   "connection interrupted: network, proxy or security software",
	"0xCAA5001C":   "token broker operation failed",
	"AADSTS53000":  "device not compliant: Conditional Access requires a compliant device",
	"AADSTS53001":  "device not domain joined: Conditional Access requires hybrid join",
	"AADSTS53002":  "the app is not an approved client app (Conditional Access)",
	"AADSTS53003":  "access blocked by Conditional Access",
	"AADSTS50155":  "device authentication failed",
	"AADSTS135011": "the device is disabled in Entra ID",
	"AADSTS50126":  "invalid user name or password",
	"AADSTS50076":  "multifactor authentication required",
	"AADSTS50079":  "the user must register for multifactor authentication",
	"AADSTS50072":  "the user must enroll for second-factor authentication",
}

var (
	conditionalAccessCodes = []string{"AADSTS53000", "AADSTS53001", "AADSTS53002", "AADSTS53003", "0xCAA20004"}
	onboardingCodes        = []string{"AADSTS50079", "AADSTS50072"}
)

// knownApps are Microsoft first-party application ids an AAD event may
// name (Microsoft Learn, "Verify first-party Microsoft applications in
// sign-in reports").
var knownApps = map[string]string{
	"d3590ed6-52b3-4102-aeff-aad2292ab01c": "Microsoft Office",
	"1fec8e78-bce4-4aaf-ab1b-5451cc387264": "Microsoft Teams",
	"5e3ce6c0-2b1f-4285-8d4b-75ee78787346": "Microsoft Teams Web Client",
	"ab9b8c07-8f02-4f72-87fa-80105867a763": "OneDrive SyncEngine",
	"5d661950-3475-41cd-a2c3-d671a3162bc1": "Microsoft Outlook",
	"29d9ed98-a469-4536-ade2-f981bc1d605e": "Microsoft Authentication Broker",
	"00000002-0000-0ff1-ce00-000000000000": "Office 365 Exchange Online",
	"00000003-0000-0ff1-ce00-000000000000": "Office 365 SharePoint Online",
}

var (
	guidRE   = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	clientRE = regexp.MustCompile(`(?i)\b(?:client(?:[ _]?id)?|app(?:lication)?[ _]?id)\s*[:=]\s*\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`)
)

// affectedApp names the app the CAA50021 events are about, when they say:
// a well-known Microsoft app id, else the client id they label. "" when
// they name none.
func affectedApp(events []device.Event) string {
	var names []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			names = append(names, s)
		}
	}
	for _, e := range events {
		if !device.HasCode(e.Message, device.SymptomCode) {
			continue
		}
		for _, id := range guidRE.FindAllString(e.Message, -1) {
			if name, ok := knownApps[strings.ToLower(id)]; ok {
				add(name + " (" + strings.ToLower(id) + ")")
			}
		}
		for _, m := range clientRE.FindAllStringSubmatch(e.Message, -1) {
			if _, ok := knownApps[strings.ToLower(m[1])]; !ok {
				add("client id " + strings.ToLower(m[1]))
			}
		}
	}
	return strings.Join(names, ", ")
}
