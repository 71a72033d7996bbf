package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/outcome"
)

func (a *app) auditCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "audit",
		Short: "Check audit logs",
	}
	verify := &cobra.Command{
		Use:   "verify FILE...",
		Short: "Check the hash chain of audit logs; exit 0 when intact, 1 at the first broken line",
		Long: `Check every line of each audit log: its hash, its link to the line before, and
its sequence number. Rotated backups of a log are read first, oldest first.
A log cut short at its end still chains; --head checks it against the chain
head that a run printed at the end of its summary line.`,
		Args: cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			head, _ := c.Flags().GetString("head")
			cont, _ := c.Flags().GetBool("allow-continuation")
			broken := false
			for _, path := range args {
				files, err := audit.Files(path)
				if err != nil || len(files) == 0 {
					return outcome.Errorf(outcome.Usage, "%s: no audit log there", path).WithHint("give the path of an audit log, such as the --audit-log of a run")
				}
				rep, err := audit.VerifyFiles(files, audit.VerifyOptions{AllowContinuation: cont, Head: head})
				if err == nil && head != "" {
					err = audit.VerifyHead(rep, head)
				}
				var ce *audit.ChainError
				switch {
				case errors.As(err, &ce):
					broken = true
					fmt.Fprintf(a.stdout, "%s: BROKEN: %v\n", path, err)
				case err != nil:
					return err
				default:
					fmt.Fprintf(a.stdout, "%s: intact: %d lines, %d runs, head %s\n", path, rep.Lines, rep.Runs, rep.Head)
				}
			}
			if broken {
				a.code, a.codeSet = 1, true
			}
			return nil
		},
	}
	verify.Flags().String("head", "", "the chain head a run printed in its summary line; the log must contain it")
	verify.Flags().Bool("allow-continuation", false, "accept a log whose first line continues a chain (older backups were pruned)")
	c.AddCommand(verify, a.auditSummaryCmd())
	return c
}

func (a *app) auditSummaryCmd() *cobra.Command {
	summary := &cobra.Command{
		Use:   "summary FILE|DIR...",
		Short: "Review a fleet's audit logs: latest outcome per device, fixes, blocks, escalations, spikes",
		Long: `Summarize audit logs collected from a fleet: per device the outcome of its
latest run; how many devices ended with each outcome; which step fixed how
many devices; which steps the policy gate blocked, by rule; the escalations,
with their messages; and whether many devices reported the symptom at once,
which points at the tenant rather than the devices.

Give log files (plain or gzip) or directories, whose *.jsonl, *.jsonl.gz and
*.log files are read, recursively. Lines that are not caafix events are
counted and skipped. The hash chain is not checked: use "caafix audit verify".`,
		Args: cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			format, _ := c.Flags().GetString("output")
			if format != "text" && format != "json" {
				return outcome.Errorf(outcome.Usage, "--output %q: not a format", format).WithHint("use --output text or --output json")
			}
			n, _ := c.Flags().GetInt("spike-devices")
			window, _ := c.Flags().GetDuration("spike-window")
			if n < 1 || window <= 0 {
				return outcome.Errorf(outcome.Usage, "--spike-devices %d --spike-window %s: both must be positive", n, window).
					WithHint("for example --spike-devices 10 --spike-window 60m")
			}
			s := audit.NewSummarizer(audit.SummaryOptions{SpikeDevices: n, SpikeWindow: window})
			for _, path := range args {
				if err := s.AddPath(path); err != nil {
					return outcome.Errorf(outcome.Usage, "%v", err).WithHint("give audit log files or folders that hold them, such as the --audit-log of a run")
				}
			}
			sum := s.Summary()
			if format == "json" {
				return sum.WriteJSON(a.stdout)
			}
			return sum.WriteText(a.stdout)
		},
	}
	summary.Flags().Int("spike-devices", audit.DefaultSpikeDevices, "how many devices reporting the symptom within --spike-window make a spike")
	summary.Flags().Duration("spike-window", audit.DefaultSpikeWindow, "the spike's time window")
	return summary
}
