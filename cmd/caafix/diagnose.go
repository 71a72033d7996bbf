package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/caafix/caafix/diagnose"
	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
)

func (a *app) diagnoseCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "diagnose",
		Short: "Rank the likely causes of CAA50021 from the device's evidence; changes nothing",
		Long: `Gather the device's facts and the evidence that tells the causes of CAA50021
apart (AAD event codes, dsregcmd /status, the clock, the sign-in endpoint,
cached Office sign-ins, MDM, antivirus and VPN, the broker plug-in) and rank
the cause families, most likely first, each with its confidence and evidence.
Only read-only commands are sent, each written to the audit log first.

With --output json it prints {"families":[{"name":…,"confidence":…,"evidence":[…]}…]};
a device without the symptom gets an empty list. Exit 0 when the diagnosis
could be made, whatever it found. The scoring is in docs/diagnose.md.`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return a.execute(c, nil, executor.ModeDiagnose, runKind{diagnose: true})
		},
	}
}

// diagnosed prints diagnose's result and sets its exit code.
func (a *app) diagnosed(rep *executor.Report, runErr error) error {
	if runErr != nil {
		a.exit(outcome.Of(runErr))
		a.printError(runErr)
		fmt.Fprintln(a.stdout, clipLine("caafix diagnose failed: "+runErr.Error()))
		return nil
	}
	a.code, a.codeSet = 0, true
	d := diagnose.Diagnosis{Families: []diagnose.Family{}}
	if rep.Diagnosis != nil {
		d = *rep.Diagnosis
	}
	if a.cfg.Output == "json" {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, string(b))
		return nil
	}
	line := "caafix diagnose healthy: no CAA50021 symptom"
	if len(d.Families) > 0 {
		parts := make([]string, 0, len(d.Families))
		for _, f := range d.Families {
			parts = append(parts, fmt.Sprintf("%s %.2f", f.Name, f.Confidence))
		}
		line = "caafix diagnose: " + strings.Join(parts, ", ")
	}
	if rep.Device != "" {
		line += " [device " + rep.Device + ", run " + rep.RunID + "]"
	}
	fmt.Fprintln(a.stdout, clipLine(line))
	return nil
}
