package steps

import (
	"context"
	"time"

	"github.com/caafix/caafix/scripts"
)

// officeRepair runs a Click-to-Run online repair: it re-downloads Office
// and closes Office apps, so it needs consent.
type officeRepair struct{}

func init() { register(officeRepair{}) }

func (officeRepair) Meta() Meta {
	return Meta{
		Uses: "office.repair", Risk: RiskDisruptive, Context: ContextSystem, NeedsAdmin: true,
		Timeout:  time.Hour,
		Rollback: "re-downloads Office; closes Office apps",
	}
}

func (officeRepair) Pre(_ context.Context, env *Env) (Check, error) {
	o := env.Facts.Office
	if !o.Installed {
		return Check{Reason: "Click-to-Run Office is not installed (MSI Office or none): no online repair"}, nil
	}
	if o.Platform == "" || o.Culture == "" {
		return Check{Reason: "Click-to-Run's platform or culture could not be read"}, nil
	}
	return Check{Needed: true, Reason: "Click-to-Run Office " + o.Platform + " " + o.Culture + " is installed"}, nil
}

func repairCommand(env *Env) string {
	return scripts.OfficeRepair(env.Facts.Office.Platform, env.Facts.Office.Culture)
}

func (officeRepair) Commands(env *Env) []string { return []string{repairCommand(env)} }

func (officeRepair) Act(ctx context.Context, env *Env) (Effect, error) {
	cmd := repairCommand(env)
	res, err := run(ctx, env, cmd)
	if err != nil {
		return Effect{}, err
	}
	if res.ExitCode != 0 || !res.OK {
		return failed("OfficeClickToRun.exe scenario=Repair", res), nil
	}
	return Effect{Reason: "online repair finished"}, nil
}

// Post: the repair's exit code is its verification; the executor then
// checks the symptom.
func (officeRepair) Post(context.Context, *Env) (Verdict, error) {
	return Verdict{OK: true, Reason: "the repair exited 0"}, nil
}
