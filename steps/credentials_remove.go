package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/scripts"
)

// OfficePrefixes are the only credential targets credentials.remove may
// ever delete: Office's, the Microsoft account's and OneDrive's cached
// sign-ins. Web Credentials and every other target are never touched.
var OfficePrefixes = []string{"MicrosoftOffice16_Data:", "MicrosoftAccount:", "OneDrive Cached Credential"}

// credentialsRemove deletes stale cached Office sign-ins from the user's
// Credential Manager vault, one cmdkey /delete per target so the audit
// shows exactly what was removed.
type credentialsRemove struct{}

func init() { register(credentialsRemove{}) }

func (credentialsRemove) Meta() Meta {
	return Meta{
		Uses: "credentials.remove", Risk: RiskLow, Context: ContextUser, NeedsAdmin: false,
		Timeout:  2 * time.Minute,
		Rollback: "cached sign-ins removed; apps prompt again; secrets cannot be restored",
	}
}

func prefixes(env *Env) []string {
	if p := env.Step.Strings("prefixes"); len(p) > 0 {
		return p
	}
	return OfficePrefixes
}

// matching returns the deletable names of the credentials that start with
// one of the allowed prefixes.
func matching(creds []device.Credential, allowed []string) []string {
	var out []string
	for _, c := range creds {
		for _, p := range allowed {
			if strings.HasPrefix(c.Name, p) && isOfficePrefix(p) {
				out = append(out, c.Name)
				break
			}
		}
	}
	return out
}

// isOfficePrefix guards the invariant even if validation was bypassed.
func isOfficePrefix(p string) bool {
	for _, o := range OfficePrefixes {
		if p == o {
			return true
		}
	}
	return false
}

func listVault(ctx context.Context, env *Env) ([]device.Credential, error) {
	res, err := run(ctx, env, scripts.CmdkeyList)
	if err != nil {
		return nil, err
	}
	creds, perr := device.ParseCmdkeyList(res.Stdout)
	if perr != nil {
		return nil, perr
	}
	return creds, nil
}

func (credentialsRemove) Pre(ctx context.Context, env *Env) (Check, error) {
	creds, err := listVault(ctx, env)
	if err != nil {
		if isHostError(err) {
			return Check{}, err
		}
		return Check{Reason: fmt.Sprintf("the credential list could not be read: %v", err)}, nil
	}
	targets := matching(creds, prefixes(env))
	if len(targets) == 0 {
		return Check{Reason: "no cached Office, Microsoft account or OneDrive credentials"}, nil
	}
	return Check{Needed: true, Targets: targets, Reason: fmt.Sprintf("%d cached sign-in(s): %s", len(targets), strings.Join(targets, ", "))}, nil
}

func (credentialsRemove) Commands(env *Env) []string {
	targets := env.Pre.Targets
	if targets == nil {
		targets = matching(credentialsOf(env.Facts), prefixes(env))
	}
	out := make([]string, 0, len(targets))
	for _, t := range targets {
		out = append(out, scripts.DeleteCredential(t))
	}
	return out
}

func credentialsOf(f *device.Facts) []device.Credential {
	out := make([]device.Credential, 0, len(f.Credentials))
	for _, name := range f.Credentials {
		out = append(out, device.Credential{Name: name})
	}
	return out
}

func (credentialsRemove) Act(ctx context.Context, env *Env) (Effect, error) {
	var failures []string
	for _, t := range env.Pre.Targets {
		cmd := scripts.DeleteCredential(t)
		res, err := run(ctx, env, cmd)
		if err != nil {
			return Effect{}, err
		}
		if res.ExitCode != 0 {
			failures = append(failures, fmt.Sprintf("%s (exit %d: %s)", t, res.ExitCode, firstLine(res.Stdout+res.Stderr)))
		}
	}
	if len(failures) > 0 {
		return Effect{Failed: true, Reason: "could not delete " + strings.Join(failures, "; ")}, nil
	}
	return Effect{Reason: fmt.Sprintf("deleted %d cached sign-in(s)", len(env.Pre.Targets))}, nil
}

func (credentialsRemove) Post(ctx context.Context, env *Env) (Verdict, error) {
	creds, err := listVault(ctx, env)
	if err != nil {
		if isHostError(err) {
			return Verdict{}, err
		}
		return Verdict{Reason: fmt.Sprintf("the credential list could not be read: %v", err)}, nil
	}
	present := make(map[string]bool, len(creds))
	for _, c := range creds {
		present[c.Name] = true
	}
	var still []string
	for _, t := range env.Pre.Targets {
		if present[t] {
			still = append(still, t)
		}
	}
	if len(still) > 0 {
		return Verdict{Reason: "still cached: " + strings.Join(still, ", ")}, nil
	}
	return Verdict{OK: true, Reason: "the cached sign-ins are gone"}, nil
}
