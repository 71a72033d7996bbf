package steps

import (
	"context"
	"time"

	"github.com/caafix/caafix/outcome"
)

// DefaultEscalation is the message for IT when nothing local is left.
const DefaultEscalation = "CAA50021 persists and no local fix that policy allows is left to try; check the user's sign-in logs, Conditional Access policies and device compliance in Entra ID"

// escalate ends the run with a message for IT. It changes nothing.
type escalate struct{}

func init() { register(escalate{}) }

func (escalate) Meta() Meta {
	return Meta{Uses: "escalate", Risk: RiskRead, Context: ContextSystem, Timeout: time.Minute}
}

func (escalate) Pre(context.Context, *Env) (Check, error) {
	return Check{Needed: true, Reason: "no local fix is left"}, nil
}

func (escalate) Commands(*Env) []string { return nil }

func (escalate) Act(_ context.Context, env *Env) (Effect, error) {
	msg := env.Step.String("message", DefaultEscalation)
	return Effect{EndRun: true, Outcome: outcome.Escalate, Reason: "escalated to IT", Message: msg}, nil
}

func (escalate) Post(context.Context, *Env) (Verdict, error) {
	return Verdict{OK: true}, nil
}
