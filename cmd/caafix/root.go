package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/caafix/caafix/config"
	"github.com/caafix/caafix/outcome"
)

// app carries what every command needs: its streams, viper, and the exit
// code the command chose.
type app struct {
	stdout, stderr io.Writer
	v              *viper.Viper
	cfg            *config.Config
	code           int  // set by commands that end with an outcome
	codeSet        bool // code was set
	// redactKey is the audit trail's user redaction key, when redaction is
	// on: escalation bundles use it too, so a user has one pseudonym.
	redactKey []byte
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, v: viper.New()}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		if cmd, _, ferr := root.Find(args); ferr == nil && cmd.Name() == "detect" {
			return a.failDetect(err)
		}
		return a.fail(err)
	}
	if a.codeSet {
		return a.code
	}
	return 0
}

// fail prints err with its hint and returns its exit code.
func (a *app) fail(err error) int {
	if msg := strings.TrimRight(err.Error(), "\n"); msg != "" {
		for _, line := range strings.Split(msg, "\n") {
			fmt.Fprintf(a.stderr, "caafix: error: %s\n", line)
		}
	}
	if hint := outcome.HintOf(err); hint != "" {
		fmt.Fprintf(a.stderr, "caafix: hint: %s\n", hint)
	}
	return a.exitCode(err)
}

// failDetect reports err as detect must: one line on stdout, the only
// line Intune keeps, and nothing on stderr (Intune takes any stderr for
// a script error of its own); the exit code says caafix failed.
func (a *app) failDetect(err error) int {
	fmt.Fprintln(a.stdout, detectFailure(err))
	return a.exitCode(err)
}

// exitCode is the process exit code for err.
func (a *app) exitCode(err error) int {
	kind := outcome.Of(err)
	var ue *usageError
	if errors.As(err, &ue) {
		kind = outcome.Usage
	}
	if a.codeSet {
		return a.code
	}
	codes := outcome.Codes{}
	if a.cfg != nil {
		codes = a.cfg.Codes()
	}
	return codes.Exit(kind)
}

// usageError marks cobra's own complaints (unknown flag, wrong arguments).
type usageError struct{ err error }

func (e *usageError) Error() string              { return e.err.Error() }
func (e *usageError) Unwrap() error              { return e.err }
func (e *usageError) Outcome() outcome.Kind      { return outcome.Usage }
func (e *usageError) UserHint() string           { return "see caafix --help" }
func usageErr(c *cobra.Command, err error) error { return &usageError{err} }

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "caafix",
		Short: "Fix the Microsoft 365 sign-in error CAA50021, safely and unattended",
		Long: `caafix fixes the Microsoft 365 work/school sign-in error CAA50021 (Web Account
Manager gave up after repeated failed token requests). It runs declarative
runbooks through PowerShell: every step has a pre-check and a post-check, a
policy gate blocks dangerous steps on hybrid-joined and managed devices, and
every decision and command is written to a JSON audit log.

Exit codes: 0 healthy or fixed, 1 not fixed, 2 usage or runbook error,
3 signature or trust failure, 4 escalate to IT, 5 reboot pending,
6 another run holds the lock, 7 PowerShell host error.`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetFlagErrorFunc(usageErr)
	pf := root.PersistentFlags()
	pf.String("config", "", "configuration file (default: "+config.DefaultFile()+" if it exists)")
	pf.String("state-dir", "", "state directory (default: "+config.DefaultStateDir()+")")
	pf.String("audit-log", "", `audit log file, or "-" for stdout (default: `+config.DefaultAuditLog()+")")
	pf.String("simulate", "", "run against a simulated Windows device: a built-in scenario name or a scenario YAML file")
	pf.String("output", "text", "output format: text or json")
	root.AddCommand(a.runCmd(), a.planCmd(), a.restartCmd(), a.detectCmd(), a.remediateCmd(), a.diagnoseCmd(), a.runbookCmd(), a.keyCmd(), a.auditCmd(), a.taskCmd(), a.eventlogCmd(), a.collectCmd(), a.versionCmd(), a.devicesimCmd())
	return root
}

// load reads the configuration: flags > CAAFIX_* environment > file > defaults.
func (a *app) load(c *cobra.Command) error {
	if err := config.BindFlags(a.v, c.Flags()); err != nil {
		return err
	}
	file, _ := c.Flags().GetString("config")
	cfg, err := config.Load(a.v, file)
	if err != nil {
		return err
	}
	a.cfg = cfg
	return nil
}

// exit records the process exit code for an outcome, as configured.
func (a *app) exit(k outcome.Kind) {
	a.code, a.codeSet = a.cfg.Codes().Exit(k), true
}

func cobraArgs(n func(*cobra.Command, []string) error) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := n(c, args); err != nil {
			return &usageError{err}
		}
		return nil
	}
}
