package device

import "time"

// Join is how the device is joined to a directory, as the audit's facts
// event names it.
type Join string

// The join states. JoinUnknown means dsregcmd could not be read; the policy
// gate treats it as the most dangerous state.
const (
	JoinCloud      Join = "cloud"      // Entra joined, no domain
	JoinHybrid     Join = "hybrid"     // Entra joined and domain joined
	JoinRegistered Join = "registered" // Entra registered (workplace join) only
	JoinDomain     Join = "domain"     // domain joined only
	JoinNone       Join = "none"       // not joined, not registered
	JoinUnknown    Join = "unknown"    // could not be read
)

// Tri is a yes/no fact that may be unknown.
type Tri string

// The values of a [Tri].
const (
	TriYes     Tri = "yes"
	TriNo      Tri = "no"
	TriUnknown Tri = "unknown"
)

// The values of [Facts.Context]: the account caafix runs as.
const (
	ContextSystem  = "system"  // LocalSystem (or another service account): RMM tools, scheduled tasks
	ContextUser    = "user"    // a person's account
	ContextUnknown = "unknown" // whoami could not be read
)

// The values of [Facts.TimeService].
const (
	TimeServiceRunning = "running"
	TimeServiceStopped = "stopped"
	TimeServiceUnknown = "unknown"
)

// Office is the Click-to-Run installation, if any.
type Office struct {
	Installed bool   `json:"installed"` // the ClickToRun configuration key exists
	Platform  string `json:"platform"`  // x86 or x64, as Click-to-Run records it
	Culture   string `json:"culture"`   // e.g. en-us
}

// Facts is what caafix knows about the device before it decides anything.
// A fact that could not be read is unknown, never guessed: Join is
// JoinUnknown, ManagedKnown and ClockKnown are false, Elevated is false, a
// list is nil (JSON null; an empty list is a list that was read and is
// empty), and Problems says what could not be read and why.
type Facts struct {
	Hostname     string `json:"hostname,omitempty"` // the computer name (hostname), else dsregcmd's Device Name
	Join         Join   `json:"join"`
	Managed      bool   `json:"managed"`       // MDM (Intune) enrolled
	ManagedKnown bool   `json:"managed_known"` // the enrollments could be read
	Elevated     bool   `json:"elevated"`      // high or system integrity level
	Context      string `json:"context"`       // ContextSystem, ContextUser or ContextUnknown
	// User is the interactive (console) user, e.g. AzureAD\AlexWilber;
	// empty when nobody is signed in.
	User string `json:"user"`
	// PRT is whether the account that ran dsregcmd has a primary refresh
	// token. It is unknown in system context: SYSTEM's SSO state says
	// nothing about the user's.
	PRT              Tri    `json:"prt"`
	DeviceAuthStatus string `json:"device_auth_status"`
	// ClockSkewS is the local clock's lead over the time server, in
	// seconds (negative: the clock is behind). Valid when ClockKnown.
	ClockSkewS  float64 `json:"clock_skew_s"`
	ClockKnown  bool    `json:"clock_known"`
	TimeService string  `json:"time_service"` // TimeServiceRunning, TimeServiceStopped or TimeServiceUnknown
	// Credentials are the deletable names of the Credential Manager
	// entries of the account caafix runs as ([Credential.Name]); never
	// their secrets.
	Credentials []string  `json:"credentials"`
	Office      Office    `json:"office"`
	Antivirus   []string  `json:"antivirus"`
	VPN         []string  `json:"vpn"` // active VPN adapters, by description
	LastBoot    time.Time `json:"last_boot,omitzero"`
	// CleanupAccountsSupported is whether dsregcmd /? lists /cleanupaccounts.
	CleanupAccountsSupported bool     `json:"cleanupaccounts_supported"`
	Symptom                  Symptom  `json:"symptom"`
	Problems                 []string `json:"problems"`

	// Dsreg is the parsed dsregcmd /status, nil when it could not be read.
	Dsreg *DsregStatus `json:"-"`
	// Events are the AAD log's events as Gather read them, nil when the
	// log could not be read; [GatherEvidence] reads their error codes.
	Events []Event `json:"-"`
}
