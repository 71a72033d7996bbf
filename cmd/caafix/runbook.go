package main

import (
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/go-multierror"
	"github.com/spf13/cobra"

	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/runbooks"
)

func (a *app) runbookCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "runbook",
		Short: "Work with runbooks: lint, list, show",
	}
	c.AddCommand(&cobra.Command{
		Use:   "lint FILE...",
		Short: "Check runbook files; print every problem as file:line:col: message",
		Args:  cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			bad := 0
			for _, file := range args {
				_, err := runbooks.Load(file)
				if err == nil {
					fmt.Fprintf(a.stdout, "%s: ok\n", file)
					continue
				}
				bad++
				for _, line := range problems(err) {
					fmt.Fprintln(a.stderr, line)
				}
			}
			if bad > 0 {
				return &quietError{outcome.Usage}
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "list",
		Short: "List the embedded runbooks",
		Args:  cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			list := runbooks.List()
			sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
			for _, s := range list {
				fmt.Fprintf(a.stdout, "%-12s v%-3d %-9s %s\n", s.Name, s.Version, s.Error, s.Title)
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "show NAME",
		Short: "Print an embedded runbook's YAML",
		Args:  cobraArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			src, ok := runbooks.EmbeddedSource(args[0])
			if !ok {
				_, err := runbooks.Embedded(args[0])
				return err
			}
			_, err := a.stdout.Write(src)
			return err
		},
	})
	return c
}

// problems flattens a load error into its lines, one problem each.
func problems(err error) []string {
	var me *multierror.Error
	if errors.As(err, &me) {
		out := make([]string, 0, len(me.Errors))
		for _, e := range me.Errors {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// quietError ends a command with an outcome whose details were printed.
type quietError struct{ kind outcome.Kind }

func (e *quietError) Error() string         { return "" }
func (e *quietError) Outcome() outcome.Kind { return e.kind }
