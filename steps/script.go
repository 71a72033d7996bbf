package steps

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/runbooks"
)

// script runs PowerShell that the runbook's author wrote: an optional
// pre-check, the action and an optional post-check, each one line sent
// as it stands (it is code, not a value: nothing is quoted into it). The
// author declares its risk, context and need for elevation, which the
// policy gate decides on (see [MetaOf]); the gate blocks it outright in a
// runbook whose bytes were not verified ([runbooks.Runbook.Signed]).
//
// A command fails when its native exit code ($LASTEXITCODE) is not 0 or
// PowerShell's $? is False after it: a cmdlet error, a thrown exception.
type script struct{}

func init() { register(script{}) }

// scriptTimeout is a script step's default time limit.
const scriptTimeout = 5 * time.Minute

// Meta is what a script step is taken for when its declaration cannot be
// read: the worst case, so that the gate fails closed. [MetaOf] returns
// the author's declaration.
func (script) Meta() Meta {
	return Meta{
		Uses: "script", Risk: RiskDangerous, Context: ContextSystem, NeedsAdmin: true,
		Timeout:  scriptTimeout,
		Rollback: "as the runbook's author declares in rollback:",
	}
}

// declared returns the author's declaration for st, or ok false when it is
// incomplete (only a step built by hand, since the loader requires it).
func (script) declared(st runbooks.Step) (Meta, bool) {
	risk, ctx := st.String("risk", ""), st.String("context", "")
	if !slices.Contains(runbooks.Risks, risk) || !slices.Contains(runbooks.Contexts, ctx) {
		return Meta{}, false
	}
	// The type adds no rollback note of its own: the author's is the note.
	return Meta{Uses: "script", Risk: Risk(risk), Context: Context(ctx), NeedsAdmin: st.Bool("needs_admin", false), Timeout: scriptTimeout}, true
}

func (script) Pre(ctx context.Context, env *Env) (Check, error) {
	ran, passed, why, err := runCheck(ctx, env, "pre_check")
	if err != nil {
		return Check{}, err
	}
	if !ran {
		return Check{Needed: true, Reason: "no pre-check declared: the script runs"}, nil
	}
	return Check{Needed: passed, Reason: "the pre-check " + why}, nil
}

func (script) Commands(env *Env) []string {
	return []string{env.Step.String("run", "")}
}

func (script) Act(ctx context.Context, env *Env) (Effect, error) {
	res, err := run(ctx, env, env.Step.String("run", ""))
	if err != nil {
		return Effect{}, err
	}
	if !succeeded(res) {
		return Effect{Failed: true, Reason: "the script " + outcomeOf(res)}, nil
	}
	return Effect{Reason: "the script succeeded" + said(res)}, nil
}

func (script) Post(ctx context.Context, env *Env) (Verdict, error) {
	ran, passed, why, err := runCheck(ctx, env, "post_check")
	if err != nil {
		return Verdict{}, err
	}
	if !ran {
		return Verdict{OK: true, Reason: "the script succeeded; no post-check declared"}, nil
	}
	return Verdict{OK: passed, Reason: "the post-check " + why}, nil
}

// runCheck runs the check script the parameter key holds; ran is false
// when the author declared none. why says how it went.
func runCheck(ctx context.Context, env *Env, key string) (ran, passed bool, why string, err error) {
	text := env.Step.String(key, "")
	if text == "" {
		return false, false, "", nil
	}
	res, err := run(ctx, env, text)
	if err != nil {
		return true, false, "", err
	}
	if !succeeded(res) {
		return true, false, outcomeOf(res), nil
	}
	return true, true, "succeeded" + said(res), nil
}

// succeeded is the script step's rule: exit code 0 and $? True.
func succeeded(res pshost.Result) bool { return res.ExitCode == 0 && res.OK }

// outcomeOf says how a command failed, with the first line it printed
// (standard error first).
func outcomeOf(res pshost.Result) string {
	how := fmt.Sprintf("exited %d", res.ExitCode)
	if res.ExitCode == 0 {
		how = "failed ($? False)"
	}
	msg := firstLine(res.Stderr)
	if msg == "" {
		msg = firstLine(res.Stdout)
	}
	if msg != "" {
		how += ": " + msg
	}
	return how
}

// said is ": " and the first line of a command's output, or "".
func said(res pshost.Result) string {
	if msg := firstLine(res.Stdout); msg != "" {
		return ": " + msg
	}
	return ""
}
