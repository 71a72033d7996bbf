package config

import (
	"os"
	"path/filepath"

	"github.com/caafix/caafix/trustfs"
)

// CheckAccess refuses a configuration that others than administrators
// could have changed: the configuration file, every trust key and certificate file, the
// audit log's folder and stateDir ("" to skip: a simulated run's own
// fresh temporary dir). The folders are created, admin-only, when they do
// not exist yet. The error is a trust failure (exit 3) that names the
// path, who can change it and the command that fixes it (see package
// trustfs).
func (c *Config) CheckAccess(stateDir string) error {
	if c.File != "" {
		if err := trustfs.Check("the configuration file", c.File); err != nil {
			return err
		}
	}
	for _, list := range []struct {
		what  string
		files []string
	}{{"the trust key file", c.Trust.PublicKeys}, {"the trusted certificate file", c.Trust.Certificates}} {
		for _, k := range list.files {
			// An inline key or PEM is no file; a path was checked to hold
			// a key or certificate on load.
			if info, err := os.Stat(k); err != nil || info.IsDir() {
				continue
			}
			if err := trustfs.Check(list.what, k); err != nil {
				return err
			}
		}
	}
	if stateDir != "" {
		if err := trustfs.EnsureDir("the state dir", stateDir); err != nil {
			return err
		}
	}
	if c.AuditLog != "-" {
		if err := trustfs.EnsureDir("the audit log's folder", filepath.Dir(c.AuditLog)); err != nil {
			return err
		}
	}
	return nil
}
