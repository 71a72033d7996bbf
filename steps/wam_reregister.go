package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/scripts"
)

// wamReregister registers the Web Account Manager's Entra ID plug-in
// (Microsoft.AAD.BrokerPlugin) again for the signed-in user, from the copy
// Windows keeps in SystemApps: Microsoft's documented fix when security
// software removed the plug-in. App registrations are per user, so it
// runs as the user; it needs no elevation.
type wamReregister struct{}

func init() { register(wamReregister{}) }

func (wamReregister) Meta() Meta {
	return Meta{
		Uses: "wam.reregister", Risk: RiskLow, Context: ContextUser, NeedsAdmin: false,
		Timeout:  5 * time.Minute,
		Rollback: "the broker plug-in is registered again; its apps restart and users may sign in again; nothing to undo",
	}
}

// brokerState reads whether the plug-in is registered for the user; a
// listing that cannot be read is a reason, never a verdict.
func brokerState(ctx context.Context, env *Env) (registered bool, detail string, err error) {
	res, err := run(ctx, env, scripts.BrokerPlugin)
	if err != nil {
		return false, "", err
	}
	ps, perr := device.ParseAppxPackages(res.Stdout)
	if perr == nil && len(ps) == 0 && !res.OK {
		perr = fmt.Errorf("Get-AppxPackage failed: %s", firstLine(res.Stderr))
	}
	if perr != nil {
		return false, "", perr
	}
	registered, detail = device.BrokerPluginRegistered(ps)
	return registered, detail, nil
}

func (wamReregister) Pre(ctx context.Context, env *Env) (Check, error) {
	registered, detail, err := brokerState(ctx, env)
	switch {
	case isHostError(err):
		return Check{}, err
	case err != nil:
		return Check{Reason: fmt.Sprintf("the registration could not be read: %v", err)}, nil
	case registered:
		return Check{Reason: detail}, nil
	}
	return Check{Needed: true, Reason: detail}, nil
}

func (wamReregister) Commands(*Env) []string { return []string{scripts.RegisterBrokerPlugin} }

func (wamReregister) Act(ctx context.Context, env *Env) (Effect, error) {
	res, err := run(ctx, env, scripts.RegisterBrokerPlugin)
	if err != nil {
		return Effect{}, err
	}
	// A cmdlet reports failure through $? and its error record, not an
	// exit code.
	if !res.OK {
		return Effect{Failed: true, Reason: "Add-AppxPackage failed: " + firstLine(res.Stderr+"\n"+res.Stdout)}, nil
	}
	return Effect{Reason: "Microsoft.AAD.BrokerPlugin registered again"}, nil
}

func (wamReregister) Post(ctx context.Context, env *Env) (Verdict, error) {
	registered, detail, err := brokerState(ctx, env)
	switch {
	case isHostError(err):
		return Verdict{}, err
	case err != nil:
		return Verdict{Reason: fmt.Sprintf("the registration could not be read: %v", err)}, nil
	case !registered:
		return Verdict{Reason: detail}, nil
	}
	return Verdict{OK: true, Reason: detail}, nil
}
