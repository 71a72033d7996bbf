package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/bhendo/go-powershell/backend"
	"github.com/spf13/cobra"

	"github.com/caafix/caafix/config"
	"github.com/caafix/caafix/devicesim"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/policy"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/signing"
)

const defaultRunbook = "caa50021"

func (a *app) runCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "run [RUNBOOK]",
		Short: "Run a runbook (default: the embedded caa50021)",
		Long: `Run a runbook on this device: gather facts, let the policy gate decide every
step, detect the symptom, and run the allowed steps until it is gone.

RUNBOOK is the name of an embedded runbook (see "caafix runbook list") or a
YAML file. The last line on stdout is a one-line summary for RMM tools.

Built-in scenarios for --simulate: ` + strings.Join(devicesim.BuiltinNames(), ", ") + `.`,
		Example: `  caafix run --simulate wam-cache
  caafix run --simulate transient --allow-disruptive --state-dir ./dev
  caafix run --dry-run`,
		Args: cobraArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			heal, _ := c.Flags().GetBool("self-heal")
			return a.execute(c, args, executor.ModeRun, runKind{selfHeal: heal})
		},
	}
	c.Flags().Bool("dry-run", false, "gather facts, decide and pre-check every step; send no action")
	c.Flags().Bool("self-heal", false, "an unattended self-healing run: never a dangerous step; disruptive ones only inside a maintenance window; backoff after failures")
	consentFlags(c)
	zipFlag(c)
	return c
}

func consentFlags(c *cobra.Command) {
	f := c.Flags()
	f.Bool("allow-disruptive", false, "allow disruptive steps (restart, Office repair)")
	f.Bool("allow-dangerous", false, "allow dangerous steps (leave Entra ID) where the policy permits them; for a technician at the device")
	f.Bool("allow-downgrade", false, "accept a runbook older than the newest version of its name that ran on this device; for a technician (audited)")
}

func (a *app) planCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "plan [RUNBOOK]",
		Short: "Show the facts and the policy decision for every step; change nothing",
		Long: `Show the device's facts, the policy decision for every step and the commands
the allowed steps would send. Nothing that changes the device is sent. The
consent flags show what a run with them would be allowed to do.`,
		Args: cobraArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			return a.execute(c, args, executor.ModePlan, runKind{})
		},
	}
	consentFlags(c)
	return c
}

// loadRunbook resolves RUNBOOK: an embedded name, or a file. A file's
// bytes are verified against the trust store before anything parses them;
// the signer's name (key id or certificate) is returned for the audit log.
// A file the signature check refuses comes back with the refusal and a
// runbook that holds only its Source and SHA256, for the audit line that
// records the refusal; its bytes are never parsed.
func loadRunbook(args []string, trust config.Trust) (*runbooks.Runbook, string, error) {
	name := defaultRunbook
	if len(args) > 0 {
		name = args[0]
	}
	if !strings.ContainsAny(name, `/\.`) {
		rb, err := runbooks.Embedded(name)
		if err != nil {
			return nil, "", err
		}
		// Compiled in: trusted as part of the binary.
		return rb, rb.Signer, nil
	}
	data, err := runbooks.ReadFile(name)
	if err != nil {
		return nil, "", err
	}
	signer, err := verifyRunbook(name, data, trust)
	if err != nil {
		sum := sha256.Sum256(data)
		return &runbooks.Runbook{Source: name, SHA256: hex.EncodeToString(sum[:])}, "", err
	}
	rb, err := runbooks.ParseVerified(name, data, signer.Name())
	if err != nil {
		return nil, "", err
	}
	return rb, rb.Signer, nil
}

// verifyRunbook checks the signature of a runbook file's bytes.
func verifyRunbook(file string, data []byte, trust config.Trust) (signing.Signer, error) {
	store, err := signing.NewTrustStore(trust.PublicKeys)
	if err != nil {
		return signing.Signer{}, outcome.Errorf(outcome.Trust, "trust.public_keys: %w", err).WithHint("fix trust.public_keys in the configuration")
	}
	if err := store.AddCertificates(trust.Certificates); err != nil {
		return signing.Signer{}, outcome.Errorf(outcome.Trust, "trust.certificates: %w", err).WithHint("fix trust.certificates in the configuration")
	}
	return signing.VerifyFile(file, data, store)
}

// runKind says which command a run serves.
type runKind struct {
	selfHeal bool                 // self-healing safety: never dangerous, disruptive only in a maintenance window
	detect   bool                 // Intune detection: read only, exit 0 healthy or 1 symptom, one line
	task     *executor.TaskChange // task install or remove: the task to change
	diagnose bool                 // caafix diagnose: read only, the ranked families
}

func (a *app) execute(c *cobra.Command, args []string, mode executor.Mode, kind runKind) error {
	if err := a.load(c); err != nil {
		return err
	}
	if dry, _ := c.Flags().GetBool("dry-run"); dry {
		mode = executor.ModeDryRun
	}
	rb, signer, refused := loadRunbook(args, a.cfg.Trust)
	if refused != nil && rb == nil {
		return refused
	}
	// A refused file goes on, without its bytes, only as far as the audit
	// line that records the refusal: no host starts (executor.Options.Refused).
	target, cleanup, err := a.target(c)
	if err != nil {
		return err
	}
	defer cleanup()
	// Who may change what caafix trusts: before the lock, the host or the
	// audit log touch anything there.
	checkDir := target.stateDir
	if target.temp {
		checkDir = "" // made just now, 0700, and gone after the run
	}
	if err := a.cfg.CheckAccess(checkDir); err != nil {
		return err
	}

	// One run at a time: bad input has been refused above without touching
	// anything; from here on the state dir, the audit log and the device are
	// this run's alone until it ends.
	runID := executor.ResumingRunID(target.stateDir, rb.Name, rb.SHA256)
	if runID == "" || mode != executor.ModeRun {
		runID = executor.NewRunID(time.Now())
	}
	wait, err := lockWait(c)
	if err != nil {
		return err
	}
	lock, err := executor.AcquireWait(c.Context(), target.stateDir, executor.LockInfo{RunID: runID, Command: strings.Join(append([]string{"caafix"}, os.Args[1:]...), " ")}, wait)
	if err != nil {
		return err
	}
	// The OS frees the lock when the process ends anyway; a failed release
	// is no reason to fail a finished run.
	defer func() { _ = lock.Unlock() }()
	if err := target.init(); err != nil {
		return err
	}

	trail, err := a.openTrail(target.stateDir)
	if err != nil {
		return err
	}
	defer trail.Close()
	a.redactOutput(trail)

	consent := policy.Consent{AllowDisruptive: a.cfg.Policy.AllowDisruptive}
	if consent.AllowDisruptive {
		consent.Source = "--allow-disruptive or policy.allow_disruptive"
	}
	// --allow-dangerous is read from the command line only: a technician
	// is present. It is no configuration key and no environment variable.
	consent.AllowDangerous, _ = c.Flags().GetBool("allow-dangerous")
	if consent.AllowDangerous && consent.Source == "" {
		consent.Source = "--allow-dangerous"
	}
	if kind.selfHeal {
		consent = policy.Consent{SelfHeal: true}
	}
	// Windows are in the device's local time: the process's.
	if w, ok := policy.OpenWindow(a.cfg.MaintenanceWindows, time.Now()); ok {
		consent.Window = w.String()
	}
	deny := make([]policy.Rule, 0, len(a.cfg.Policy.Deny))
	for _, r := range a.cfg.Policy.Deny {
		deny = append(deny, policy.Rule{Uses: r.Uses, ID: r.ID, Risk: r.Risk, Reason: r.Reason})
	}
	text := a.cfg.Output != "json" && a.cfg.AuditLog != "-" && !kind.detect
	codes := commandCodes(a.cfg.Codes(), mode, kind)
	opts := executor.Options{
		Mode: mode, Runbook: rb, Signer: signer, Starter: target.starter, Trail: trail,
		Host:    pshost.Options{CommandTimeout: a.cfg.Host.CommandTimeout, StartTimeout: a.cfg.Host.StartTimeout},
		Consent: consent, Deny: deny, Lookback: a.cfg.Detect.Lookback, MaxReboots: a.cfg.MaxReboots, StateDir: target.stateDir,
		Simulate: target.scenario, Version: version, Args: os.Args[1:], Codes: codes, RunID: runID,
		Task: kind.task, Resume: resumeCommand(c, args, target),
		SelfHeal: &executor.SelfHealPolicy{MaxFailures: a.cfg.SelfHeal.MaxFailures, Backoff: a.cfg.SelfHeal.Backoff,
			MaxBackoff: a.cfg.SelfHeal.MaxBackoff, RecheckAfter: a.cfg.SelfHeal.RecheckAfter},
		EscalationDir: a.escalationDir(c, target), Escalation: a.escalationOptions(c),
		Refused: refused,
	}
	// Like --allow-dangerous, read from the command line only.
	opts.AllowDowngrade, _ = c.Flags().GetBool("allow-downgrade")
	if text {
		opts.Progress = func(line string) { fmt.Fprintln(a.stdout, line) }
	}
	rep, runErr := executor.Run(c.Context(), opts)
	if a.cfg.Audit.RedactUsers {
		redactReport(trail, rep)
	}
	if kind.detect {
		return a.detected(rep, runErr)
	}
	if mode == executor.ModeCollect {
		return a.collected(rep, runErr)
	}
	if kind.diagnose {
		return a.diagnosed(rep, runErr)
	}
	a.code, a.codeSet = codes.Exit(rep.Outcome), true
	if runErr != nil {
		a.printError(runErr)
	}
	if a.cfg.Output == "json" {
		b, err := json.Marshal(rep)
		if err == nil {
			b, err = trail.RedactJSON(b)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, string(b))
		return nil
	}
	if mode == executor.ModePlan {
		printPlan(a.stdout, rep)
	}
	fmt.Fprintln(a.stdout, rep.Summary())
	return nil
}

// commandCodes are a command's exit codes, which its run.end line
// records too: the configuration's, except that plan, collect and
// diagnose succeed whatever they found, and detect exits 0 or 1 for the
// symptom (Intune's contract, never remapped).
func commandCodes(base outcome.Codes, mode executor.Mode, kind runKind) outcome.Codes {
	codes := maps.Clone(base)
	switch {
	case kind.detect:
		codes[outcome.Healthy], codes[outcome.NotFixed] = 0, 1
	case mode == executor.ModePlan || mode == executor.ModeCollect:
		// A plan that could be made, a bundle that could be written:
		// success, whatever they found.
		codes[outcome.NotFixed] = codes.Exit(outcome.Healthy)
	case mode == executor.ModeDiagnose:
		codes[outcome.Healthy], codes[outcome.NotFixed] = 0, 0
	}
	return codes
}

// printError reports a failed run on stderr; the summary still ends stdout.
func (a *app) printError(err error) {
	fmt.Fprintf(a.stderr, "caafix: error: %v\n", err)
	if hint := outcome.HintOf(err); hint != "" {
		fmt.Fprintf(a.stderr, "caafix: hint: %s\n", hint)
	}
}

func printPlan(w interface{ Write([]byte) (int, error) }, rep *executor.Report) {
	for _, s := range rep.Steps {
		for _, cmd := range s.Commands {
			fmt.Fprintf(w, "would send  %-20s %s\n", s.ID, cmd)
		}
	}
}

// target is the device a run talks to.
type target struct {
	starter  backend.Starter
	scenario string
	stateDir string
	init     func() error // prepares the device once the lock is held
	temp     bool         // stateDir is a fresh temporary dir of this run's own
}

// target returns the real device's PowerShell or the simulated device.
func (a *app) target(c *cobra.Command) (target, func(), error) {
	sim, _ := c.Flags().GetString("simulate")
	if sim == "" {
		ps, err := pshost.NewPowerShell()
		if err != nil {
			return target{}, func() {}, err
		}
		return target{starter: ps, stateDir: a.cfg.StateDir, init: func() error { return nil }}, func() {}, nil
	}
	sc, err := devicesim.LoadScenario(sim)
	if err != nil {
		return target{}, func() {}, err
	}
	// Without an explicit state dir, a simulated run starts from the
	// scenario in a fresh directory, so the demo gives the same result
	// every time.
	dir, cleanup := a.cfg.StateDir, func() {}
	if !c.Flags().Changed("state-dir") && os.Getenv("CAAFIX_STATE_DIR") == "" {
		tmp, err := os.MkdirTemp("", "caafix-sim-")
		if err != nil {
			return target{}, func() {}, fmt.Errorf("create a state dir for the simulated device: %w", err)
		}
		dir, cleanup = tmp, func() { os.RemoveAll(tmp) }
	}
	// The simulated device is set up in the state dir only once the run
	// holds the lock there.
	init := func() error { return devicesim.Init(dir, sc) }
	return target{starter: devicesim.NewStarter(dir), scenario: sc.Name, stateDir: dir, init: init, temp: dir != a.cfg.StateDir}, cleanup, nil
}

// devicesimCmd is the simulated device's process: the host starts caafix
// itself with this hidden command and speaks PowerShell's protocol to it.
func (a *app) devicesimCmd() *cobra.Command {
	c := &cobra.Command{
		Use:    "__devicesim",
		Hidden: true,
		Args:   cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			dir, _ := c.Flags().GetString("state-dir")
			if dir == "" {
				return errors.New("__devicesim needs --state-dir")
			}
			return devicesim.ServeConsole(os.Stdin, os.Stdout, os.Stderr, dir)
		},
	}
	return c
}

// maxLockWait bounds --wait: Intune stops a script after an hour.
const maxLockWait = time.Hour

// waitFlag adds --wait to the commands Intune runs: they wait their turn
// behind another caafix run (the self-healing task) instead of failing.
func waitFlag(c *cobra.Command) {
	c.Flags().Duration("wait", 2*time.Minute, "how long to wait for another caafix run (such as the self-healing task) to finish before giving up with exit 6 (0 to 1h)")
}

// lockWait reads --wait where the command has it; 0 elsewhere.
func lockWait(c *cobra.Command) (time.Duration, error) {
	if c.Flags().Lookup("wait") == nil {
		return 0, nil
	}
	wait, _ := c.Flags().GetDuration("wait")
	if wait < 0 || wait > maxLockWait {
		return 0, outcome.Errorf(outcome.Usage, "--wait %s: use 0 to %s", wait, maxLockWait).WithHint("for example --wait 2m, or --wait 0 to give up at once")
	}
	return wait, nil
}
