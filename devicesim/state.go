package devicesim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

const (
	stateSubdir  = "devicesim"
	stateFile    = "device.json"
	commandsFile = "commands.jsonl"
	stateVersion = 1

	// profileSystem names SYSTEM's profile; a user's profile is named by
	// the user's e-mail address.
	profileSystem = "SYSTEM"
	// maxEvents bounds the simulated event log, as Windows bounds its logs.
	maxEvents = 500
)

// state is the simulated device as it lives on in device.json.
type state struct {
	Version int `json:"version"`
	// Scenario is the device as it is now: its faults, join type, clock
	// and time service change as commands act on it.
	Scenario       Scenario        `json:"scenario"`
	CreatedAt      time.Time       `json:"created_at"`
	BootTime       time.Time       `json:"boot_time"`
	PendingRestart *pendingRestart `json:"pending_restart,omitempty"`
	LeftEntra      bool            `json:"left_entra"`
	// FaultsClearedAt is when the last fault was cleared; zero while a
	// fault remains or when the device never had one.
	FaultsClearedAt time.Time `json:"faults_cleared_at,omitzero"`
	// Vaults holds each profile's generic Credential Manager targets.
	Vaults map[string][]string `json:"vaults"`
	// WAMAccounts counts the accounts in each profile's WAM cache.
	WAMAccounts map[string]int `json:"wam_accounts"`
	// Events is the Microsoft-Windows-AAD/Operational log, oldest first.
	Events []event `json:"events"`
	// Files, Dirs and ACLs are the file system caafix writes to (keys:
	// lower-case Windows paths); Tasks the registered scheduled tasks.
	Files map[string]string `json:"files,omitempty"`
	// Encodings holds the -Encoding a file was written with (unicode,
	// utf8), for the programs that read its bytes; none: the text as is.
	Encodings map[string]string   `json:"encodings,omitempty"`
	Dirs      map[string]bool     `json:"dirs,omitempty"`
	ACLs      map[string][]string `json:"acls,omitempty"`
	Tasks     map[string]*simTask `json:"tasks,omitempty"`

	// runAs is set while a script runs as another account (a scheduled
	// task in the user's session): it holds the device's own context,
	// which is what is saved.
	runAs *runAsOverride
}

type pendingRestart struct {
	At      time.Time `json:"at"`
	Comment string    `json:"comment"`
	// Session is the Serve session that scheduled the restart: it takes
	// effect when a later session starts.
	Session string `json:"session"`
}

type event struct {
	ID      int       `json:"id"`
	Time    time.Time `json:"time"`
	Message string    `json:"message"`
}

// Recorded is one line the simulated PowerShell received.
type Recorded struct {
	Time time.Time `json:"time"`
	// Command is the caafix command inside the host's envelope, or the
	// statement the line carries when it has no envelope ("exit").
	Command string `json:"command"`
	// Line is the whole line as it arrived, without its line ending.
	Line string `json:"line"`
	// RunAs names the account and the scheduled task for a line that a
	// task ran in a user's session; "" for lines caafix sent.
	RunAs string `json:"run_as,omitempty"`
}

func stateDirOf(stateDir string) string { return filepath.Join(stateDir, stateSubdir) }

// Init creates the simulated device described by sc in stateDir, unless a
// device lives there already: then it is kept as it is, because the
// device lives on across invocations (a restart scheduled by one run takes
// effect in the next).
func Init(stateDir string, sc *Scenario) error {
	return initAt(stateDir, sc, time.Now())
}

func initAt(stateDir string, sc *Scenario, now time.Time) error {
	if sc == nil {
		return errors.New("init simulated device: no scenario")
	}
	dir := stateDirOf(stateDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("init simulated device: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("init simulated device: %w", err)
	}
	return saveState(stateDir, newState(sc, now))
}

// newState is the device as the scenario describes it, booted a day ago,
// with the symptom's history in its event log when a fault is present.
func newState(sc *Scenario, now time.Time) *state {
	st := &state{
		Version:     stateVersion,
		Scenario:    *sc,
		CreatedAt:   now,
		BootTime:    now.Add(-26 * time.Hour),
		Vaults:      map[string][]string{profileSystem: {}},
		WAMAccounts: map[string]int{profileSystem: 0},
	}
	st.Scenario.Faults = slices.Clone(sc.Faults)
	st.Scenario.Device.Credentials = slices.Clone(sc.Device.Credentials)
	st.Scenario.Device.Security = slices.Clone(sc.Device.Security)
	if u := sc.Device.User; u != "" {
		st.Vaults[u] = slices.Clone(sc.Device.Credentials)
		st.WAMAccounts[u] = 1
	}
	if len(sc.Faults) > 0 {
		// The symptom began after the last boot: apps have been failing
		// for a while.
		for _, ago := range []time.Duration{25 * time.Hour, 3 * time.Hour, 40 * time.Minute} {
			st.Events = append(st.Events, event{ID: 1098, Time: now.Add(-ago), Message: aadEventMessage(st)})
		}
	}
	return st
}

func loadState(stateDir string) (*state, error) {
	file := filepath.Join(stateDirOf(stateDir), stateFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no simulated device in %s: create it first with devicesim.Init", stateDir)
	}
	if err != nil {
		return nil, fmt.Errorf("read simulated device: %w", err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("read simulated device %s: %w", file, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("read simulated device %s: version %d, want %d: delete the state directory to start over", file, st.Version, stateVersion)
	}
	if st.Vaults == nil {
		st.Vaults = map[string][]string{}
	}
	if st.WAMAccounts == nil {
		st.WAMAccounts = map[string]int{}
	}
	return &st, nil
}

// saveState replaces device.json atomically: a reader (or a crash) sees
// the old device or the new one, never half of each.
func saveState(stateDir string, st *state) error {
	if st.runAs != nil {
		own := *st
		own.Scenario.Device.Context, own.Scenario.Device.Elevated = st.runAs.context, st.runAs.elevated
		st = &own
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("save simulated device: %w", err)
	}
	return writeAtomic(filepath.Join(stateDirOf(stateDir), stateFile), append(data, '\n'))
}

func writeAtomic(file string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save %s: %w", file, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save %s: %w", file, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("save %s: %w", file, err)
	}
	return nil
}

// record appends one received line to commands.jsonl in a single write,
// so that the record is on disk before the command acts.
func record(stateDir string, r Recorded) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("record command: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(stateDirOf(stateDir), commandsFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("record command: %w", err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("record command: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("record command: %w", err)
	}
	return nil
}

// Commands returns every line the simulated device in stateDir has
// received, oldest first; none when it has received nothing.
func Commands(stateDir string) ([]Recorded, error) {
	file := filepath.Join(stateDirOf(stateDir), commandsFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recorded commands: %w", err)
	}
	var out []Recorded
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r Recorded
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("read recorded commands %s:%d: %w", file, n, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read recorded commands: %w", err)
	}
	return out, nil
}

// Device-state changes the commands make.

func (st *state) hasFault(f Fault) bool { return st.Scenario.HasFault(f) }

// clearFault removes f; when it was the last fault, the symptom stops now.
func (st *state) clearFault(f Fault, now time.Time) {
	if !st.hasFault(f) {
		return
	}
	st.Scenario.Faults = slices.DeleteFunc(st.Scenario.Faults, func(g Fault) bool { return g == f })
	if len(st.Scenario.Faults) == 0 {
		st.FaultsClearedAt = now
	}
}

// profile is the profile the current context acts on: SYSTEM's, or the
// signed-in user's.
func (st *state) profile() string {
	if st.Scenario.Device.Context == ContextSystem {
		return profileSystem
	}
	return st.Scenario.Device.User
}

func (st *state) addEvent(e event) {
	st.Events = append(st.Events, e)
	if len(st.Events) > maxEvents {
		st.Events = st.Events[len(st.Events)-maxEvents:]
	}
}
