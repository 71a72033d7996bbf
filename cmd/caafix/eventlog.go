package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/caafix/caafix/audit"
)

func (a *app) eventlogCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "eventlog",
		Short: "Register or remove the Windows Event Log source caafix",
		Long: `With audit.eventlog: true, every audit line is also written to the Windows
Application log as source caafix (docs/audit.md lists the event IDs).
"caafix eventlog install" registers the source, with EventCreate.exe as its
message file, so Event Viewer shows each line as the event's description;
it needs administrator rights. On other systems these commands exit 2.`,
	}
	install := a.eventlogSub("install", "Register the source caafix in the Application log (administrator)", "register",
		audit.InstallEventLog, "registered the Event Log source %s in the Application log", "the Event Log source %s is already registered")
	remove := a.eventlogSub("remove", "Remove the source caafix from the Application log (administrator); its events stay", "remove",
		audit.RemoveEventLog, "removed the Event Log source %s; its events stay in the log", "the Event Log source %s was not registered")
	c.AddCommand(install, remove)
	return c
}

// eventlogSub is install or remove: do reports whether it changed anything.
func (a *app) eventlogSub(use, short, verb string, do func() (bool, error), done, unchanged string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobraArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			changed, err := do()
			if err != nil {
				return fmt.Errorf("%s the Event Log source %s: %w", verb, audit.EventSource, err)
			}
			msg := unchanged
			if changed {
				msg = done
			}
			fmt.Fprintf(a.stdout, msg+"\n", audit.EventSource)
			return nil
		},
	}
}
