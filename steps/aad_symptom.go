package steps

import (
	"context"
	"time"
)

// aadSymptom checks for the symptom: recent CAA50021 events in the AAD
// operational log, or a joined device without a primary refresh token. It
// is the runbook's detect step; listed among the steps it re-checks.
type aadSymptom struct{}

func init() { register(aadSymptom{}) }

func (aadSymptom) Meta() Meta {
	return Meta{Uses: "aad.symptom", Risk: RiskRead, Context: ContextSystem, Timeout: time.Minute}
}

func (aadSymptom) Pre(ctx context.Context, env *Env) (Check, error) { return symptomPre(ctx, env) }

func (aadSymptom) Commands(*Env) []string { return nil }

func (aadSymptom) Act(context.Context, *Env) (Effect, error) {
	return Effect{Reason: "symptom confirmed"}, nil
}

func (aadSymptom) Post(context.Context, *Env) (Verdict, error) { return Verdict{OK: true}, nil }
