package task

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// Namespace is the Task Scheduler XML namespace.
const Namespace = "http://schemas.microsoft.com/windows/2004/02/mit/task"

// Task names, under the \caafix\ folder of the Task Scheduler library.
const (
	SelfHealName = `caafix\self-heal`
	ResumeName   = `caafix\resume`
)

// SystemSID is the well-known SID of the LocalSystem account. A SID, not
// the name "SYSTEM", because account names are localized ("SYSTEM" is
// "SYSTÈME" on a French Windows) and a SID is not.
const SystemSID = "S-1-5-18"

// DefaultEvery is how often the self-healing task runs by default.
const DefaultEvery = 4 * time.Hour

// Bounds of the self-healing interval: Task Scheduler's repetition
// interval must lie between one minute and 31 days; caafix asks for at
// least 15 minutes so a fleet does not hammer its devices.
const (
	MinEvery = 15 * time.Minute
	MaxEvery = 31 * 24 * time.Hour
)

// Document is one task definition.
type Document struct {
	task taskXML
}

// SelfHeal describes the self-healing task.
type SelfHeal struct {
	Exe     string        // the absolute path of caafix.exe
	Args    []string      // arguments before "run --self-heal": --config, --state-dir
	Every   time.Duration // how often; DefaultEvery when zero
	AtLogon bool          // also run when any user signs in
	Start   time.Time     // the first run; the schedule repeats from there
}

// Resume describes the one-shot task that starts caafix again after a
// restart it scheduled.
type Resume struct {
	Exe  string   // the absolute path of caafix.exe
	Args []string // the whole command line after the program: run RUNBOOK --state-dir …
	// User, when set, starts caafix when that user signs in (the run
	// resumes with user steps, which need the user's session); otherwise
	// at boot.
	User   string
	Now    time.Time     // registration time
	Expire time.Duration // how long the task may wait for its trigger; 24h when zero
}

// NewSelfHeal returns the self-healing task's definition.
func NewSelfHeal(s SelfHeal) (*Document, error) {
	if s.Every == 0 {
		s.Every = DefaultEvery
	}
	if s.Every < MinEvery || s.Every > MaxEvery || s.Every%time.Minute != 0 {
		return nil, fmt.Errorf("every %s: use whole minutes from %s to 31 days, such as 4h", s.Every, MinEvery)
	}
	if err := checkExe(s.Exe); err != nil {
		return nil, err
	}
	args := append(append([]string{}, s.Args...), "run", "--self-heal")
	// Spread a fleet's runs: devices installed at the same minute must not
	// all hit the network and the logs in the same second.
	jitter := min((s.Every / 8).Truncate(time.Minute), 30*time.Minute)
	trig := triggersXML{Time: &timeTriggerXML{
		Enabled:       true,
		StartBoundary: localTime(s.Start),
		Repetition:    &repetitionXML{Interval: Duration(s.Every)},
		RandomDelay:   Duration(jitter),
	}}
	if s.AtLogon {
		// Any user: the symptom is per user, and a new sign-in is when it
		// shows. A short delay lets the session settle first.
		trig.Logon = &logonTriggerXML{Enabled: true, Delay: Duration(2 * time.Minute)}
	}
	t := taskXML{
		Version: "1.2", Xmlns: Namespace,
		Info: registrationXML{
			URI:         `\` + SelfHealName,
			Author:      "caafix",
			Description: fmt.Sprintf("Heals the Microsoft 365 sign-in error CAA50021 every %s: caafix run --self-heal never runs dangerous steps, and disruptive ones only inside a configured maintenance window. Installed by caafix task install; remove with caafix task remove.", HumanDuration(s.Every)),
		},
		Triggers:   trig,
		Principals: systemPrincipal(),
		Settings:   fleetSettings(""),

		Actions: actionsXML{Context: principalID, Exec: execXML{Command: s.Exe, Arguments: JoinArgs(args)}},
	}
	return &Document{task: t}, nil
}

// NewResume returns the one-shot resume task's definition. It runs as
// SYSTEM in both cases: at boot, or when User signs in.
func NewResume(r Resume) (*Document, error) {
	if err := checkExe(r.Exe); err != nil {
		return nil, err
	}
	if r.Expire == 0 {
		r.Expire = 24 * time.Hour
	}
	end := localTime(r.Now.Add(r.Expire))
	start := localTime(r.Now)
	var trig triggersXML
	when := "at the next boot"
	if r.User != "" {
		trig.Logon = &logonTriggerXML{Enabled: true, StartBoundary: start, EndBoundary: end, UserID: r.User, Delay: Duration(time.Minute)}
		when = "when " + r.User + " signs in"
	} else {
		// Services such as the network and Windows Time need a moment
		// after boot; the run re-checks everything anyway.
		trig.Boot = &bootTriggerXML{Enabled: true, StartBoundary: start, EndBoundary: end, Delay: Duration(2 * time.Minute)}
	}
	t := taskXML{
		Version: "1.2", Xmlns: Namespace,
		Info: registrationXML{
			URI:         `\` + ResumeName,
			Author:      "caafix",
			Description: "Resumes the caafix run that restarted this PC " + when + ". caafix removes this task when the run resumes; Task Scheduler deletes it when it expires.",
		},
		Triggers:   trig,
		Principals: systemPrincipal(),
		Settings:   fleetSettings("PT0S"),

		Actions: actionsXML{Context: principalID, Exec: execXML{Command: r.Exe, Arguments: JoinArgs(r.Args)}},
	}
	return &Document{task: t}, nil
}

func checkExe(exe string) error {
	if exe == "" {
		return fmt.Errorf("the path of caafix's executable is unknown")
	}
	if strings.ContainsAny(exe, "\"\r\n") {
		return fmt.Errorf("the executable path %q contains a quote or a line break, which Task Scheduler cannot run", exe)
	}
	return nil
}

const principalID = "System"

func systemPrincipal() principalsXML {
	return principalsXML{Principal: principalXML{ID: principalID, UserID: SystemSID, RunLevel: "HighestAvailable"}}
}

// Arguments returns the command line the task's action runs, after the
// program.
func (d *Document) Arguments() string { return d.task.Actions.Exec.Arguments }

// Command returns the program the task's action runs.
func (d *Document) Command() string { return d.task.Actions.Exec.Command }

func (d *Document) body() string {
	b, err := xml.MarshalIndent(d.task, "", "  ")
	if err != nil {
		// The structs are ours and hold only strings, numbers and
		// booleans: marshalling cannot fail.
		panic("task: " + err.Error())
	}
	return string(b)
}

// Text returns the document as UTF-8 text with an XML declaration that
// says so, LF line endings: for people to read and for "caafix task show".
func (d *Document) Text() string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + d.body() + "\n"
}

// Lines returns the lines of the UTF-16 form without line endings, as
// PowerShell's Set-Content -Encoding Unicode joins them with CRLF.
func (d *Document) Lines() []string {
	return append([]string{`<?xml version="1.0" encoding="UTF-16"?>`}, strings.Split(d.body(), "\n")...)
}

// UTF16 returns the file schtasks /Create /XML reads: the UTF-16LE byte
// order mark, a declaration of encoding="UTF-16", CRLF line endings.
func (d *Document) UTF16() []byte {
	return EncodeUTF16(strings.Join(d.Lines(), "\r\n") + "\r\n")
}

// EncodeUTF16 returns s as UTF-16LE with a byte-order mark.
func EncodeUTF16(s string) []byte {
	u := utf16.Encode([]rune(s))
	var b bytes.Buffer
	b.Grow(2 + 2*len(u))
	b.Write([]byte{0xFF, 0xFE})
	for _, c := range u {
		b.WriteByte(byte(c))
		b.WriteByte(byte(c >> 8))
	}
	return b.Bytes()
}

// localTime formats t as Task Scheduler's boundaries want it: local time
// on the device, without a zone, to the second. A boundary without a zone
// follows the device's clock across time zones and daylight saving.
func localTime(t time.Time) string {
	return t.Format("2006-01-02T15:04:05")
}

// Duration formats d as an XML Schema duration (PT4H, PT30M, P1D).
func Duration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
	}
	if d == 0 {
		return b.String()
	}
	b.WriteString("T")
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
		d -= m * time.Minute
	}
	if s := d / time.Second; s > 0 {
		fmt.Fprintf(&b, "%dS", s)
	}
	return b.String()
}

// HumanDuration formats d as 4h, 90m or 2d for descriptions.
func HumanDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// fleetSettings are the settings both tasks share, chosen for unattended
// fleets (docs/rmm.md explains each): one instance at a time; laptops on
// battery still heal, since the affected devices are mostly laptops and a
// run without disruptive steps takes seconds; a start missed while the
// device was off runs as soon as it is on; Task Scheduler stops a run
// that hangs for 30 minutes (caafix's own step timeouts are far shorter).
// deleteExpired, when set, deletes the task that long after its triggers
// expire.
func fleetSettings(deleteExpired string) settingsXML {
	return settingsXML{
		MultipleInstancesPolicy:    "IgnoreNew",
		DisallowStartIfOnBatteries: false,
		StopIfGoingOnBatteries:     false,
		AllowHardTerminate:         true,
		StartWhenAvailable:         true,
		RunOnlyIfNetworkAvailable:  false,
		IdleSettings:               &idleSettingsXML{StopOnIdleEnd: false, RestartOnIdle: false},
		AllowStartOnDemand:         true,
		Enabled:                    true,
		Hidden:                     false,
		RunOnlyIfIdle:              false,
		WakeToRun:                  false,
		DeleteExpiredTaskAfter:     deleteExpired,
		ExecutionTimeLimit:         Duration(30 * time.Minute),
		Priority:                   7,
	}
}
