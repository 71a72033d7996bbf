package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/caafix/caafix/executor"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/task"
)

func (a *app) taskCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "task",
		Short: "Install, remove or show the self-healing scheduled task",
		Long: `The self-healing task runs "caafix run --self-heal" as SYSTEM every few hours
(default 4h) and, with --at-logon, when a user signs in. A self-healing run never
runs dangerous steps and runs disruptive ones only inside a maintenance window
from the configuration. The task is registered with schtasks.exe through the
audited PowerShell host, under the name caafix\self-heal.`,
	}
	every := func(c *cobra.Command) {
		c.Flags().Duration("every", task.DefaultEvery, "how often the task runs (whole minutes, 15m to 31 days)")
		c.Flags().Bool("at-logon", false, "also run when a user signs in")
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the task's Task Scheduler XML (any OS; touches nothing)",
		Long: `Print the self-healing task's definition as "task install" would register it,
as UTF-8 text; "task install" hands schtasks the same document as UTF-16.`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			doc, _, err := selfHealTask(c)
			if err != nil {
				return err
			}
			fmt.Fprint(a.stdout, doc.Text())
			return nil
		},
	}
	every(show)
	install := &cobra.Command{
		Use:   "install",
		Short: "Register the self-healing task (replaces an installed one)",
		Example: `  caafix task install
  caafix task install --every 2h --at-logon --config C:\ProgramData\caafix\caafix.yaml`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			doc, what, err := selfHealTask(c)
			if err != nil {
				return err
			}
			return a.execute(c, nil, executor.ModeTaskInstall, runKind{task: &executor.TaskChange{Name: task.SelfHealName, Doc: doc, What: what}})
		},
	}
	every(install)
	remove := &cobra.Command{
		Use:   "remove",
		Short: "Delete the self-healing task (exit 0 when none is installed)",
		Args:  cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			return a.execute(c, nil, executor.ModeTaskRemove, runKind{task: &executor.TaskChange{Name: task.SelfHealName}})
		},
	}
	c.AddCommand(show, install, remove)
	return c
}

// selfHealTask builds the task from the flags: the running binary, and the
// --config and --state-dir given here, as absolute paths, so the task
// runs with the same configuration as the command that installed it.
func selfHealTask(c *cobra.Command) (*task.Document, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("find caafix's own path for the task: %w", err)
	}
	every, _ := c.Flags().GetDuration("every")
	if every <= 0 && c.Flags().Changed("every") {
		// 0 would mean the default to the task package: say so instead.
		return nil, "", outcome.Errorf(outcome.Usage, "--every %s: use whole minutes from %s to 31 days", every, task.MinEvery).WithHint("for example --every 4h, or leave --every out for the default " + task.HumanDuration(task.DefaultEvery))
	}
	logon, _ := c.Flags().GetBool("at-logon")
	args, err := absFlags(c, "config", "state-dir", "audit-log")
	if err != nil {
		return nil, "", err
	}
	doc, err := task.NewSelfHeal(task.SelfHeal{Exe: exe, Args: args, Every: every, AtLogon: logon, Start: time.Now().Truncate(time.Minute)})
	if err != nil {
		return nil, "", outcome.Errorf(outcome.Usage, "--every: %w", err).WithHint("for example --every 4h")
	}
	what := fmt.Sprintf("runs caafix run --self-heal every %s", task.HumanDuration(every))
	if logon {
		what += " and at logon"
	}
	return doc, what, nil
}

// absFlags returns "--name value" for each flag given on the command line,
// with file paths made absolute: a task or a resumed run starts in
// another directory.
func absFlags(c *cobra.Command, names ...string) ([]string, error) {
	var out []string
	for _, n := range names {
		if !c.Flags().Changed(n) {
			continue
		}
		v, _ := c.Flags().GetString(n)
		if v != "-" && v != "" {
			abs, err := filepath.Abs(v)
			if err != nil {
				return nil, fmt.Errorf("--%s %s: %w", n, v, err)
			}
			v = abs
		}
		out = append(out, "--"+n, v)
	}
	return out, nil
}

// resumeCommand is the command line the resume task runs after a restart:
// this run again, with the same runbook, state dir, configuration, audit
// log, simulated device and consent — except --allow-dangerous, which is
// a technician's word for this session only and never goes into a task.
//
// restart cancel gets the program only: it removes the resume task.
func resumeCommand(c *cobra.Command, args []string, t target) executor.ResumeCommand {
	exe, err := os.Executable()
	switch {
	case err != nil:
		// Without its own path caafix cannot register the task; the next
		// run resumes from the journal all the same.
		return executor.ResumeCommand{}
	case c.Name() == "cancel":
		return executor.ResumeCommand{Exe: exe}
	case c.Name() != "run" && c.Name() != "remediate":
		return executor.ResumeCommand{}
	}
	line := []string{c.Name()}
	if len(args) > 0 {
		rb := args[0]
		if abs, err := filepath.Abs(rb); err == nil && filepath.Ext(rb) != "" {
			rb = abs
		}
		line = append(line, rb)
	}
	state, err := filepath.Abs(t.stateDir)
	if err != nil {
		return executor.ResumeCommand{}
	}
	line = append(line, "--state-dir", state)
	more, err := absFlags(c, "config", "audit-log")
	if err != nil {
		return executor.ResumeCommand{}
	}
	line = append(line, more...)
	if sim, _ := c.Flags().GetString("simulate"); sim != "" {
		if abs, err := filepath.Abs(sim); err == nil && filepath.Ext(sim) != "" {
			sim = abs
		}
		line = append(line, "--simulate", sim)
	}
	for _, f := range []string{"allow-disruptive", "self-heal"} {
		if fl := c.Flags().Lookup(f); fl != nil && fl.Changed && fl.Value.String() == "true" {
			line = append(line, "--"+f)
		}
	}
	return executor.ResumeCommand{Exe: exe, Args: line}
}
