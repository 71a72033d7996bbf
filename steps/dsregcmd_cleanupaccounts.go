package steps

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/scripts"
)

// cleanupAccounts clears the signed-in user's Web Account Manager accounts,
// the fix for a broken WAM cache. It acts on the profile of the account
// that runs it, so it must run as the user.
type cleanupAccounts struct{}

func init() { register(cleanupAccounts{}) }

func (cleanupAccounts) Meta() Meta {
	return Meta{
		Uses: "dsregcmd.cleanupaccounts", Risk: RiskSafe, Context: ContextUser, NeedsAdmin: true,
		Timeout:  2 * time.Minute,
		Rollback: "user signs in again (MFA)",
	}
}

func (cleanupAccounts) Pre(ctx context.Context, env *Env) (Check, error) {
	if !env.Facts.CleanupAccountsSupported {
		return Check{Reason: "this Windows build's dsregcmd has no /cleanupaccounts switch (dsregcmd /? does not list it)"}, nil
	}
	return symptomPre(ctx, env)
}

func (cleanupAccounts) Commands(*Env) []string { return []string{scripts.CleanupAccounts} }

// removeResult matches dsregcmd's per-account result line.
var removeResult = regexp.MustCompile(`(?i)Remove account result:\s*0x([0-9a-f]+)`)

func (cleanupAccounts) Act(ctx context.Context, env *Env) (Effect, error) {
	res, err := run(ctx, env, scripts.CleanupAccounts)
	if err != nil {
		return Effect{}, err
	}
	if res.ExitCode != 0 {
		return failed(scripts.CleanupAccounts, res), nil
	}
	for _, m := range removeResult.FindAllStringSubmatch(res.Stdout, -1) {
		if m[1] != "00000000" && m[1] != "0" {
			return Effect{Failed: true, Reason: fmt.Sprintf("dsregcmd could not remove an account: result 0x%s", m[1])}, nil
		}
	}
	return Effect{Reason: "WAM accounts removed"}, nil
}

func (cleanupAccounts) Post(ctx context.Context, env *Env) (Verdict, error) {
	return symptomGone(ctx, env)
}

// symptomPre is the pre-check of steps whose only condition is the symptom.
func symptomPre(ctx context.Context, env *Env) (Check, error) {
	s, _, err := device.CheckSymptom(ctx, env.Runner, env.Since)
	if err != nil {
		return Check{}, fmt.Errorf("%s: %w", env.Step.ID, err)
	}
	if !s.Present {
		return Check{Reason: "the symptom is gone"}, nil
	}
	return Check{Needed: true, Reason: "the symptom is present: " + joinReasons(s.Reasons)}, nil
}

// symptomGone is the post-check of steps that are verified by the symptom
// going away: no new CAA50021 event since the step started, and a PRT.
func symptomGone(ctx context.Context, env *Env) (Verdict, error) {
	s, _, err := device.CheckSymptom(ctx, env.Runner, env.Started)
	if err != nil {
		return Verdict{}, fmt.Errorf("%s: %w", env.Step.ID, err)
	}
	if s.Present {
		return Verdict{Reason: "the symptom remains: " + joinReasons(s.Reasons)}, nil
	}
	return Verdict{OK: true, Reason: "the symptom is gone"}, nil
}
