package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
)

// maxIntuneLine is what Intune Remediations keeps of a script's output:
// the last line, up to 2,048 characters.
const maxIntuneLine = 2048

func (a *app) detectCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "detect [RUNBOOK]",
		Short: "Intune detection: exit 0 healthy, 1 when CAA50021 is present; changes nothing",
		Long: `The detection half of an Intune Remediations pair. It gathers the facts and
checks the symptom, sends no command that changes the device, and prints one
line of at most 2,048 characters. Exit 0: healthy; exit 1: the symptom is
present and "caafix remediate" should run; other codes: caafix itself failed.`,
		Args: cobraArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			return a.execute(c, args, executor.ModePlan, runKind{detect: true})
		},
	}
	waitFlag(c)
	return c
}

func (a *app) remediateCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "remediate [RUNBOOK]",
		Short: "Intune remediation: a run with self-healing's safety (never dangerous; disruptive only inside a maintenance window)",
		Args:  cobraArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			return a.execute(c, args, executor.ModeRun, runKind{selfHeal: true})
		},
	}
	waitFlag(c)
	return c
}

// detected prints detect's one line and sets its exit code.
func (a *app) detected(rep *executor.Report, runErr error) error {
	if runErr != nil {
		// One line on stdout and nothing on stderr, as for every failure
		// of detect (see failDetect).
		a.exit(outcome.Of(runErr))
		fmt.Fprintln(a.stdout, detectFailure(runErr))
		return nil
	}
	present := rep.Symptom != nil && rep.Symptom.Present
	line := "caafix detect healthy: no CAA50021 symptom"
	if present {
		line = "caafix detect symptom-present: " + strings.Join(rep.Symptom.Reasons, "; ")
	}
	if rep.Device != "" {
		line += " [device " + rep.Device + ", run " + rep.RunID + "]"
	}
	fmt.Fprintln(a.stdout, clipLine(line))
	a.code, a.codeSet = 0, true
	if present {
		a.code = 1
	}
	return nil
}

// detectFailure is detect's one line for a failure: the error and its
// hint, clipped to what Intune keeps.
func detectFailure(err error) string {
	line := "caafix detect failed: " + err.Error()
	if hint := outcome.HintOf(err); hint != "" {
		line += "; hint: " + hint
	}
	return clipLine(line)
}

func clipLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxIntuneLine {
		return s
	}
	cut := maxIntuneLine - len("…")
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
