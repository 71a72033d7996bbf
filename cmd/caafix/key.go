package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/signing"
)

// passwordEnv holds the secret key's password for unattended use.
const passwordEnv = "CAAFIX_KEY_PASSWORD"

func (a *app) keyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "key",
		Short: "Work with runbook signing keys: generate",
	}
	gen := &cobra.Command{
		Use:   "generate --secret-key PATH --public-key PATH [--unencrypted]",
		Short: "Make a signing key pair in minisign's formats",
		Long: `Make an Ed25519 key pair for signing runbooks, in minisign's own key formats:
minisign can sign with the secret key, and verify with the public key.

The secret key is encrypted with a password (from ` + passwordEnv + `, or asked
for on the terminal) unless --unencrypted is given. Put the public key, or
its path, into trust.public_keys on every device.`,
		Example: `  caafix key generate --secret-key team.key --public-key team.pub`,
		Args:    cobraArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			secPath, _ := c.Flags().GetString("secret-key")
			pubPath, _ := c.Flags().GetString("public-key")
			plain, _ := c.Flags().GetBool("unencrypted")
			if secPath == "" || pubPath == "" {
				return &usageError{errors.New("key generate needs --secret-key PATH and --public-key PATH")}
			}
			password := ""
			if !plain {
				var err error
				if password, err = a.newPassword(); err != nil {
					return err
				}
			}
			pub, sec, err := signing.GenerateKey(password)
			if err != nil {
				return err
			}
			// O_EXCL: never overwrite a key; a lost secret key cannot be
			// recovered and a replaced one breaks every device's trust.
			if err := writeNew(secPath, sec, 0o600); err != nil {
				return err
			}
			if err := writeNew(pubPath, pub, 0o644); err != nil {
				return err
			}
			line := strings.Split(strings.TrimSpace(string(pub)), "\n")
			fmt.Fprintf(a.stdout, "public key for trust.public_keys: %s\n", line[len(line)-1])
			return nil
		},
	}
	gen.Flags().String("secret-key", "", "where to write the secret key (minisign format)")
	gen.Flags().String("public-key", "", "where to write the public key (minisign .pub format)")
	gen.Flags().Bool("unencrypted", false, "write the secret key without a password")
	c.AddCommand(gen)
	return c
}

// writeNew creates path with data, refusing to replace an existing file.
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, os.ErrExist) {
		return outcome.Errorf(outcome.Usage, "%s exists already", path).WithHint("choose another path; caafix never overwrites a key")
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// newPassword asks for a new password twice, or takes it from the
// environment.
func (a *app) newPassword() (string, error) {
	if p := os.Getenv(passwordEnv); p != "" {
		return p, nil
	}
	if !isTerminal(os.Stdin) {
		return "", outcome.Errorf(outcome.Usage, "no password for the secret key: stdin is not a terminal").
			WithHint("set " + passwordEnv + ", or pass --unencrypted to write the secret key without one")
	}
	p1, err := a.prompt("Password for the new secret key: ")
	if err != nil {
		return "", err
	}
	p2, err := a.prompt("Password again: ")
	if err != nil {
		return "", err
	}
	if p1 != p2 {
		return "", outcome.Errorf(outcome.Usage, "the passwords differ")
	}
	if p1 == "" {
		return "", outcome.Errorf(outcome.Usage, "empty password").WithHint("type a password, or pass --unencrypted")
	}
	return p1, nil
}

// password returns the password of an existing encrypted secret key.
func (a *app) password(keyFile string) (string, error) {
	if p := os.Getenv(passwordEnv); p != "" {
		return p, nil
	}
	if !isTerminal(os.Stdin) {
		return "", outcome.Errorf(outcome.Usage, "%s is encrypted and stdin is not a terminal", keyFile).
			WithHint("set " + passwordEnv + " to its password")
	}
	return a.prompt("Password for " + keyFile + ": ")
}

// prompt reads one line from the terminal with echo off.
func (a *app) prompt(text string) (string, error) {
	fmt.Fprint(a.stderr, text)
	restore, err := echoOff(os.Stdin)
	if err != nil {
		return "", fmt.Errorf("turn off terminal echo: %w", err)
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	restore()
	fmt.Fprintln(a.stderr)
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
