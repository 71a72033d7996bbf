package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/caafix/caafix/escalation"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
)

func (a *app) collectCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "collect --out DIR [RUNBOOK]",
		Short: "Write an escalation bundle for IT: facts, dsregcmd, AAD events, audit lines; changes nothing",
		Long: `Gather the device's facts with read-only commands and write an escalation
bundle into DIR: a folder escalation-RUNID-TIME (or, with --zip, that name
.zip) holding ESCALATION.md for the IT engineer, facts.json, the raw
dsregcmd /status, the recent AAD events and this run's audit lines. No step
runs and nothing on the device changes. See docs/escalation.md.

A run that ends in exit 4 (escalate or blocked) writes the same bundle by
itself, under the state dir's escalations folder.`,
		Example: `  caafix collect --out C:\Temp\caafix --zip
  caafix collect --simulate conditional-access --out ./bundles`,
		Args: cobraArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			out, _ := c.Flags().GetString("out")
			if out == "" {
				return outcome.Errorf(outcome.Usage, "collect needs --out DIR").WithHint("give the folder the bundle goes into, e.g. --out C:\\Temp\\caafix")
			}
			if info, err := os.Stat(out); err == nil && !info.IsDir() {
				return outcome.Errorf(outcome.Usage, "--out %s: not a folder", out).WithHint("give a folder; the bundle is written inside it")
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return outcome.Errorf(outcome.Usage, "--out %s: %v", out, err).WithHint("give a folder caafix can write to")
			}
			return a.execute(c, args, executor.ModeCollect, runKind{})
		},
	}
	c.Flags().String("out", "", "the folder the bundle is written into (created if needed)")
	zipFlag(c)
	return c
}

// zipFlag adds --zip to a command that may write an escalation bundle.
func zipFlag(c *cobra.Command) {
	c.Flags().Bool("zip", false, "write the escalation bundle as one .zip file instead of a folder")
}

// escalationDir is where the command's escalation bundle goes: --out for
// collect; else the state dir's escalations folder, or, for a simulated
// run in a throwaway state dir, the system temp folder's
// caafix-escalations, so that the path in the summary stays valid.
// The path is absolute: the summary line names it for whoever reads the
// RMM's output, who does not know caafix's working folder.
func (a *app) escalationDir(c *cobra.Command, t target) string {
	dir := filepath.Join(t.stateDir, "escalations")
	if out, err := c.Flags().GetString("out"); err == nil && out != "" {
		dir = out
	} else if t.temp {
		dir = filepath.Join(os.TempDir(), "caafix-escalations")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}

// escalationOptions are the bundle's options from the flags, with the
// audit trail's user redaction.
func (a *app) escalationOptions(c *cobra.Command) escalation.Options {
	zip, _ := c.Flags().GetBool("zip")
	return escalation.Options{Zip: zip, RedactUsers: a.redactKey != nil, RedactKey: a.redactKey}
}

// collected prints collect's last line and sets its exit code: 0 once the
// bundle is written, whatever it shows, as for plan.
func (a *app) collected(rep *executor.Report, runErr error) error {
	if runErr != nil {
		a.exit(outcome.Of(runErr))
		a.printError(runErr)
		fmt.Fprintln(a.stdout, rep.Summary())
		return nil
	}
	if rep.Bundle == "" {
		a.exit(outcome.HostError)
		fmt.Fprintf(a.stderr, "caafix: error: %s\ncaafix: hint: check that --out is a folder caafix can write to\n", rep.BundleError)
		fmt.Fprintln(a.stdout, "caafix collect failed: "+rep.BundleError)
		return nil
	}
	a.exit(outcome.Healthy)
	if a.cfg.Output == "json" {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, string(b))
		return nil
	}
	state := "the CAA50021 symptom is absent"
	if rep.Symptom != nil && rep.Symptom.Present {
		state = "the CAA50021 symptom is present"
	}
	line := fmt.Sprintf("caafix collect: escalation bundle written; %s", state)
	if rep.BundleError != "" {
		line += "; " + rep.BundleError
	}
	fmt.Fprintln(a.stdout, clipLine(line+fmt.Sprintf(" [device %s, run %s, bundle %s, audit head %s]", rep.Device, rep.RunID, rep.Bundle, rep.AuditHead)))
	return nil
}
