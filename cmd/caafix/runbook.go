package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/spf13/cobra"

	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/signing"
)

func (a *app) runbookCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "runbook",
		Short: "Work with runbooks: lint, list, show, sign, verify, schema",
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
	}, &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the runbook format, for editors (lint checks every rule)",
		Args:  cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			schema, err := runbooks.Schema()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "%s\n", schema)
			return err
		},
	}, a.runbookSignCmd(), a.runbookVerifyCmd())
	return c
}

func (a *app) runbookSignCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sign --secret-key PATH RUNBOOK...",
		Short: "Sign runbook files: write RUNBOOK.minisig next to each",
		Long: `Sign runbook files with a minisign secret key (see "caafix key generate"):
each gets a detached signature RUNBOOK.minisig over its exact bytes. Every
file is linted first; a runbook with problems is not signed. The password of
an encrypted key comes from ` + passwordEnv + ` or the terminal.`,
		Example: `  caafix runbook sign --secret-key team.key nightly.yaml`,
		Args:    cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			keyFile, _ := c.Flags().GetString("secret-key")
			if keyFile == "" {
				return &usageError{errors.New("runbook sign needs --secret-key PATH")}
			}
			key, err := a.secretKey(keyFile)
			if err != nil {
				return err
			}
			bad := 0
			for _, file := range args {
				data, err := runbooks.ReadFile(file)
				var rb *runbooks.Runbook
				if err == nil {
					rb, err = runbooks.Parse(file, data)
				}
				if err != nil {
					bad++
					for _, line := range problems(err) {
						fmt.Fprintln(a.stderr, line)
					}
					fmt.Fprintf(a.stderr, "caafix: error: %s: not signed: fix the problems above first\n", file)
					continue
				}
				sig, err := signing.Sign(data, key, signing.TrustedComment(rb.Name, rb.Version, time.Now()))
				if err != nil {
					return fmt.Errorf("sign %s: %w", file, err)
				}
				if err := os.WriteFile(signing.SignatureFile(file), sig, 0o644); err != nil {
					return fmt.Errorf("write the signature: %w", err)
				}
				fmt.Fprintf(a.stdout, "%s: signed by key %s\n", file, key.KeyID())
			}
			if bad > 0 {
				return &quietError{outcome.Usage}
			}
			return nil
		},
	}
	c.Flags().String("secret-key", "", "the minisign secret key to sign with")
	return c
}

// secretKey reads a secret key file, asking for its password if needed.
func (a *app) secretKey(file string) (signing.SecretKey, error) {
	f, err := os.Open(file)
	if err != nil {
		return signing.SecretKey{}, outcome.Errorf(outcome.Usage, "read the secret key: %w", err)
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, 4<<10))
	if err != nil {
		return signing.SecretKey{}, outcome.Errorf(outcome.Usage, "read the secret key: %w", err)
	}
	password := ""
	if signing.IsEncrypted(text) {
		if password, err = a.password(file); err != nil {
			return signing.SecretKey{}, err
		}
	}
	key, err := signing.ParseSecretKey(text, password)
	if err != nil {
		e := outcome.Errorf(outcome.Usage, "%s: %w", file, err)
		if password != "" {
			e = e.WithHint("check the password (" + passwordEnv + " or the one typed) is the one the key was generated with; a lost password means a new key: caafix key generate, then replace the public key in trust.public_keys")
		}
		return signing.SecretKey{}, e
	}
	return key, nil
}

func (a *app) runbookVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify RUNBOOK...",
		Short: "Check runbook files' signatures against the trust store; name the signer",
		Long: `Check that each runbook file carries a signature over its exact bytes, the
check "caafix run" makes: RUNBOOK.minisig by a key in trust.public_keys, or
RUNBOOK.p7s (CMS) by a code-signing certificate that chains to
trust.certificates; when both files exist, both must verify.
Exit 0 when every file verifies, 3 when one does not.`,
		Args: cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.load(c); err != nil {
				return err
			}
			worst := outcome.Healthy
			for _, file := range args {
				if !strings.ContainsAny(file, `/\.`) {
					if _, err := runbooks.Embedded(file); err == nil {
						fmt.Fprintf(a.stdout, "%s: embedded in this caafix binary: trusted as part of it (no signature file; the binary's own signature covers it)\n", file)
						continue
					}
				}
				data, err := runbooks.ReadFile(file)
				var signer signing.Signer
				if err == nil {
					signer, err = verifyRunbook(file, data, a.cfg.Trust)
				}
				if err != nil {
					a.printError(err)
					if k := outcome.Of(err); k == outcome.Trust || worst == outcome.Healthy {
						worst = k
					}
					continue
				}
				if signer.KeyID != "" {
					fmt.Fprintf(a.stdout, "%s: signed by key %s (trusted comment: %s)\n", file, signer.KeyID, signing.ParseComment(signer.TrustedComment))
				}
				if c := signer.Certificate; c != nil {
					fmt.Fprintf(a.stdout, "%s: signed by certificate %s (subject %s, issued by %s, valid until %s)\n",
						file, c.ID(), c.Subject, c.Issuer, c.NotAfter.UTC().Format(time.RFC3339))
				}
			}
			if worst != outcome.Healthy {
				return &quietError{worst}
			}
			return nil
		},
	}
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
