package devicesim

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/caafix/caafix/outcome"
)

// A Scenario is one simulated Windows device: what it is (join type,
// locale, who runs caafix, what is installed) and the hidden faults behind
// its CAA50021 symptom. Scenarios come from YAML files; see [LoadScenario].
type Scenario struct {
	Name   string  `json:"name"`
	Device Device  `json:"device"`
	Faults []Fault `json:"faults"`
	// File is where the scenario was read from: a path, or
	// "scenarios/NAME.yaml" for a built-in one.
	File string `json:"file"`
}

// Device describes the simulated machine. The zero values of optional
// fields are replaced by their defaults when a scenario is loaded.
type Device struct {
	Hostname  string  `json:"hostname"`
	Join      Join    `json:"join"`
	Locale    string  `json:"locale"`
	Managed   bool    `json:"managed"`
	Compliant bool    `json:"compliant"`
	Elevated  bool    `json:"elevated"`
	Context   Context `json:"context"`
	// User is the signed-in user's e-mail address; empty when nobody is
	// signed in.
	User string `json:"user"`
	// DsregcmdStatus, when set, is the verbatim text `dsregcmd /status`
	// prints (with AzureAdPrt and AzureAdJoined kept current).
	DsregcmdStatus string        `json:"dsregcmd_status,omitempty"`
	ClockSkew      time.Duration `json:"clock_skew"`
	TimeService    string        `json:"time_service"`
	// Credentials are the generic targets in the user's Credential Manager
	// vault.
	Credentials []string `json:"credentials"`
	Office      Office   `json:"office"`
	// Security lists active third-party products as "vpn:NAME" or
	// "av:NAME".
	Security []string `json:"security"`
	// NTPBlocked is a network that drops UDP 123: w32tm reaches no time
	// server, while HTTPS to the sign-in endpoint still works.
	NTPBlocked bool `json:"ntp_blocked"`
}

// Office describes a Click-to-Run Office installation.
type Office struct {
	Installed bool   `json:"installed"`
	Platform  string `json:"platform"`
	Culture   string `json:"culture"`
}

// Join is how the device is joined to Entra ID or Active Directory.
type Join string

// The join types a scenario may name.
const (
	JoinCloud      Join = "cloud"      // Entra joined (AzureAdJoined YES, DomainJoined NO)
	JoinHybrid     Join = "hybrid"     // AzureAdJoined YES and DomainJoined YES
	JoinRegistered Join = "registered" // WorkplaceJoined YES
	JoinDomain     Join = "domain"     // DomainJoined YES only
	JoinNone       Join = "none"       // not joined at all
)

// Context is the account caafix runs as on the device.
type Context string

// The contexts caafix can run in.
const (
	ContextUser   Context = "user"   // a technician or the user at the keyboard
	ContextSystem Context = "system" // an RMM agent or a scheduled task
)

// Fault is a hidden root cause of the symptom.
type Fault string

// The faults a scenario may name, and what clears them on the simulated
// device.
const (
	FaultTransient         Fault = "transient"          // a restart
	FaultWAMCache          Fault = "wam-cache"          // dsregcmd /cleanupaccounts, elevated, as the user
	FaultOfficeCreds       Fault = "office-creds"       // deleting every Office target from the user's vault
	FaultClockSkew         Fault = "clock-skew"         // w32tm /resync /force with the time service running
	FaultJoinBroken        Fault = "join-broken"        // dsregcmd /leave (cloud-only devices)
	FaultOfficeInstall     Fault = "office-install"     // Click-to-Run online repair
	FaultConditionalAccess Fault = "conditional-access" // nothing local
	FaultAVVPN             Fault = "av-vpn"             // nothing local
	FaultBrokerPlugin      Fault = "broker-plugin"      // Add-AppxPackage -Register of the plug-in, as the user
)

// Faults lists every fault a scenario may name, in the order of the design.
func Faults() []Fault {
	return []Fault{FaultTransient, FaultWAMCache, FaultOfficeCreds, FaultClockSkew,
		FaultJoinBroken, FaultOfficeInstall, FaultConditionalAccess, FaultAVVPN, FaultBrokerPlugin}
}

// Locales the simulator renders localized tools in.
const (
	LocaleEnUS = "en-US"
	LocaleDeDE = "de-DE"
)

// Time service states.
const (
	ServiceRunning = "running"
	ServiceStopped = "stopped"
)

// maxScenarioSize bounds what a scenario file may hold: scenarios come
// from anyone who can pass --simulate, and a verbatim dsregcmd capture is
// a few kilobytes.
const maxScenarioSize = 1 << 20

//go:embed scenarios/*.yaml
var builtinFS embed.FS

// BuiltinNames lists the scenarios compiled into the binary, sorted.
func BuiltinNames() []string {
	entries, err := fs.ReadDir(builtinFS, "scenarios")
	if err != nil {
		panic(fmt.Sprintf("devicesim: embedded scenarios: %v", err)) // compiled in: cannot fail
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// LoadScenario returns the built-in scenario of that name or, when
// nameOrPath is not a built-in name, the scenario in that YAML file. Every
// problem in a file is reported at once: the error then holds one
// [*ScenarioError] per problem, each naming file:line:col.
func LoadScenario(nameOrPath string) (*Scenario, error) {
	for _, n := range BuiltinNames() {
		if n == nameOrPath {
			file := path.Join("scenarios", n+".yaml")
			data, err := builtinFS.ReadFile(file)
			if err != nil {
				return nil, fmt.Errorf("read built-in scenario %s: %w", n, err)
			}
			return parseScenario(file, data)
		}
	}
	data, err := readLimited(nameOrPath)
	if errors.Is(err, fs.ErrNotExist) {
		names := strings.Join(BuiltinNames(), ", ")
		return nil, outcome.Errorf(outcome.Usage, "unknown scenario %q: it is neither a built-in scenario (%s) nor a file", nameOrPath, names).
			WithHint("use one of the built-in names, or the path of a scenario file")
	}
	if err != nil {
		return nil, err
	}
	return parseScenario(nameOrPath, data)
}

// readLimited reads a scenario file, refusing files over maxScenarioSize
// without reading them whole.
func readLimited(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxScenarioSize+1))
	if err != nil {
		return nil, fmt.Errorf("read scenario %s: %w", file, err)
	}
	if len(data) > maxScenarioSize {
		return nil, &ScenarioError{File: file, Line: 1, Col: 1,
			Problem: fmt.Sprintf("the file is larger than %d bytes: a scenario describes one device and fits in a few kilobytes", maxScenarioSize)}
	}
	return data, nil
}

// HasFault reports whether f is among the scenario's faults.
func (s *Scenario) HasFault(f Fault) bool {
	for _, g := range s.Faults {
		if g == f {
			return true
		}
	}
	return false
}
