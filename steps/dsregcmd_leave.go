package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/scripts"
)

// RejoinInstruction is what the user must do after the device left Entra
// ID; no tool can do it for them.
const RejoinInstruction = "rejoin via Settings → Accounts → Access work or school → Connect → Join this device to Microsoft Entra ID"

// dsregcmdLeave takes a cloud-only Entra joined device out of Entra ID, the
// last local fix for a broken join. It is dangerous: on a hybrid-joined or
// managed device it would cut the device off from its management, and the
// policy gate blocks it there whatever the flags say.
type dsregcmdLeave struct{}

func init() { register(dsregcmdLeave{}) }

func (dsregcmdLeave) Meta() Meta {
	return Meta{
		Uses: "dsregcmd.leave", Risk: RiskDangerous, Context: ContextSystem, NeedsAdmin: true,
		Timeout:  2 * time.Minute,
		Rollback: RejoinInstruction,
	}
}

func (dsregcmdLeave) Pre(_ context.Context, env *Env) (Check, error) {
	f := env.Facts
	switch {
	case f.Join != device.JoinCloud:
		return Check{Reason: fmt.Sprintf("the device is not cloud-only Entra joined (join: %s)", f.Join)}, nil
	case !f.ManagedKnown:
		return Check{Reason: "MDM enrollment could not be read; leaving is only safe on an unmanaged device"}, nil
	case f.Managed:
		return Check{Reason: "the device is MDM managed"}, nil
	}
	return Check{Needed: true, Reason: "cloud-only join on an unmanaged device"}, nil
}

func (dsregcmdLeave) Commands(*Env) []string { return []string{scripts.Leave} }

func (dsregcmdLeave) Act(ctx context.Context, env *Env) (Effect, error) {
	res, err := run(ctx, env, scripts.Leave)
	if err != nil {
		return Effect{}, err
	}
	if res.ExitCode != 0 {
		return failed(scripts.Leave, res), nil
	}
	return Effect{EndRun: true, Outcome: outcome.Escalate, Reason: "the device left Entra ID",
		Message: "the device left Entra ID; the user must " + RejoinInstruction}, nil
}

func (dsregcmdLeave) Post(ctx context.Context, env *Env) (Verdict, error) {
	res, err := run(ctx, env, scripts.DsregStatus)
	if err != nil {
		return Verdict{}, err
	}
	st, perr := device.ParseDsregStatus(res.Stdout)
	if perr != nil {
		return Verdict{Reason: fmt.Sprintf("dsregcmd /status could not be read: %v", perr)}, nil
	}
	if j := st.Join(); j == device.JoinCloud || j == device.JoinHybrid {
		return Verdict{Reason: fmt.Sprintf("the device is still joined (%s)", j)}, nil
	}
	return Verdict{OK: true, Reason: "the device is no longer Entra joined"}, nil
}
