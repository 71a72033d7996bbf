package steps

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/scripts"
)

// w32tmResync corrects a skewed clock: token requests with a clock off by
// more than a few minutes fail with invalid-grant errors.
type w32tmResync struct{}

func init() { register(w32tmResync{}) }

func (w32tmResync) Meta() Meta {
	return Meta{
		Uses: "w32tm.resync", Risk: RiskSafe, Context: ContextSystem, NeedsAdmin: true,
		Timeout:  2 * time.Minute,
		Rollback: "clock corrected; nothing to undo",
	}
}

func maxSkew(env *Env) time.Duration { return env.Step.Duration("max_skew", 5*time.Minute) }

// measureSkew asks the time server for the local clock's lead; where
// UDP 123 is blocked and w32tm gets no sample, it reads the Date header of
// the sign-in endpoint instead, as the evidence does (a resolution of a
// second, plenty against a limit of minutes). source says which.
func measureSkew(ctx context.Context, env *Env) (skew time.Duration, known bool, source, why string, err error) {
	res, err := run(ctx, env, scripts.ClockOffset)
	if err != nil {
		return 0, false, "", "", err
	}
	offset, perr := device.ParseStripchart(res.Stdout)
	if perr == nil {
		return -offset, true, device.ClockW32tm, "", nil
	}
	res, err = run(ctx, env, scripts.SignInProbe)
	if err != nil {
		return 0, false, "", "", err
	}
	si, _ := device.ParseSignInProbe(res.Stdout, res.Stderr)
	if si.Date.IsZero() {
		return 0, false, "", fmt.Sprintf("the clock skew could not be measured: %v, and the sign-in endpoint sent no Date header", perr), nil
	}
	skew = env.now().Sub(si.Date).Round(time.Second)
	return skew, true, device.ClockSignInDate + "; w32tm reached no time server", "", nil
}

func (w32tmResync) Pre(ctx context.Context, env *Env) (Check, error) {
	skew, known := time.Duration(env.Facts.ClockSkewS*float64(time.Second)), env.Facts.ClockKnown
	by := ""
	if !known {
		var source, why string
		var err error
		if skew, known, source, why, err = measureSkew(ctx, env); err != nil {
			return Check{}, err
		}
		if !known {
			return Check{Reason: why + "; the clock is left alone"}, nil
		}
		by = " (measured by " + source + ")"
	}
	limit := maxSkew(env)
	if time.Duration(math.Abs(float64(skew))) <= limit {
		return Check{Reason: fmt.Sprintf("clock skew %s is within %s%s", round(skew), limit, by)}, nil
	}
	return Check{Needed: true, Reason: fmt.Sprintf("clock skew %s is over %s%s", round(skew), limit, by)}, nil
}

func (w32tmResync) Commands(env *Env) []string {
	if env.Facts.TimeService != "running" {
		return []string{scripts.StartTimeService, scripts.Resync}
	}
	return []string{scripts.Resync}
}

func (s w32tmResync) Act(ctx context.Context, env *Env) (Effect, error) {
	if env.Facts.TimeService != "running" {
		res, err := run(ctx, env, scripts.StartTimeService)
		if err != nil {
			return Effect{}, err
		}
		if !res.OK {
			return failed(scripts.StartTimeService, res), nil
		}
	}
	res, err := run(ctx, env, scripts.Resync)
	if err != nil {
		return Effect{}, err
	}
	// w32tm can exit 0 when it did not resync: read its words too. Words
	// it does not know (another language) are left to the post-check,
	// which measures the clock again.
	out := res.Stdout + res.Stderr
	if failedText, line := device.ResyncFailure(out); res.ExitCode != 0 || failedText {
		e := failed(scripts.Resync, res)
		if line != "" {
			e.Reason = fmt.Sprintf("%s exited %d: %s", scripts.Resync, res.ExitCode, line)
		}
		return e, nil
	}
	_, msg := device.ParseResync(out)
	return Effect{Reason: msg}, nil
}

func (w32tmResync) Post(ctx context.Context, env *Env) (Verdict, error) {
	skew, known, _, why, err := measureSkew(ctx, env)
	if err != nil {
		return Verdict{}, err
	}
	if !known {
		return Verdict{Reason: why}, nil
	}
	limit := maxSkew(env)
	if time.Duration(math.Abs(float64(skew))) > limit {
		return Verdict{Reason: fmt.Sprintf("clock skew is still %s after the resync", round(skew))}, nil
	}
	return Verdict{OK: true, Reason: fmt.Sprintf("clock skew now %s", round(skew))}, nil
}

func round(d time.Duration) time.Duration { return d.Round(time.Second) }
