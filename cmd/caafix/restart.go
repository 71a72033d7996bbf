package main

import (
	"github.com/spf13/cobra"

	"github.com/caafix/caafix/executor"
)

func (a *app) restartCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "restart",
		Short: "Manage the restart that restart.schedule scheduled",
	}
	c.AddCommand(&cobra.Command{
		Use:   "cancel",
		Short: "Abort a scheduled restart (shutdown /a) before it fires",
		Long: `Abort the full restart that a run scheduled (exit 5), during its delay.
Exit 0 when it was aborted or none was scheduled. The abort is written to the
audit log like every command.`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return a.execute(c, nil, executor.ModeCancelRestart, runKind{})
		},
	})
	return c
}
