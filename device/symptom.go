package device

import (
	"context"
	"fmt"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// Symptom is whether the device shows CAA50021 and why.
type Symptom struct {
	Present bool      `json:"present"`
	Events  int       `json:"events"`         // CAA50021 events (ID 1098 or 1104) since the window start
	First   time.Time `json:"first,omitzero"` // the earliest of them: when the symptom began, as far as the log shows
	Last    time.Time `json:"last,omitzero"`  // the latest of them
	PRT     string    `json:"prt"`            // yes, no or unknown; see [Facts.PRT]
	Reasons []string  `json:"reasons"`        // what made it present, or what was seen when absent
}

// The code and event IDs of the symptom. WAM logs token errors as 1098
// (error) and 1104 (warning) in Microsoft-Windows-AAD/Operational.
const (
	SymptomCode = "0xCAA50021"
	eventError  = 1098
	eventWarn   = 1104
)

// CheckSymptom reads the AAD log and dsregcmd /status and evaluates the
// symptom with events newer than since. A Runner error is returned; output
// that cannot be parsed is judged by [EvaluateSymptom]'s rules. The parsed
// status is returned too (nil when it could not be read).
func CheckSymptom(ctx context.Context, r pshost.Runner, since time.Time) (Symptom, *DsregStatus, error) {
	res, err := r.Run(ctx, scripts.AADEvents)
	if err != nil {
		return Symptom{}, nil, fmt.Errorf("check symptom: %s: %w", scripts.AADEvents, err)
	}
	events, evErr := ParseAADEvents(res.Stdout)
	res, err = r.Run(ctx, scripts.DsregStatus)
	if err != nil {
		return Symptom{}, nil, fmt.Errorf("check symptom: %s: %w", scripts.DsregStatus, err)
	}
	st, stErr := readDsreg(res)
	in := symptomInput{events: events, eventsErr: evErr, status: st, statusErr: stErr, since: since}
	if st != nil && st.RanAsSystem() {
		in.notUsers = ranAsSystem
	}
	return evaluate(in), st, nil
}

// EvaluateSymptom decides the symptom. It is present when an event with
// ID 1098 or 1104 that mentions CAA50021 is newer than since, or when the
// device is Entra joined (cloud or hybrid) and dsregcmd, run as the user,
// shows no PRT (AzureAdPrt NO). st may be nil (dsregcmd unreadable): the
// PRT is then unknown and only the events decide. A status taken as
// SYSTEM says nothing about the user's PRT and is not used for it.
func EvaluateSymptom(events []Event, st *DsregStatus, since time.Time) Symptom {
	in := symptomInput{events: events, status: st, since: since}
	if st != nil && st.RanAsSystem() {
		in.notUsers = ranAsSystem
	}
	return evaluate(in)
}

// ranAsSystem is why a status taken as SYSTEM says nothing of the PRT.
const ranAsSystem = "dsregcmd ran as SYSTEM: its SSO state is SYSTEM's, not the signed-in user's"

type symptomInput struct {
	events    []Event
	eventsErr error // the AAD log could not be parsed
	status    *DsregStatus
	statusErr error  // dsregcmd could not be read
	notUsers  string // why the status's SSO state is not the user's; "" when it is
	since     time.Time
	// boot, when set, is the last boot: events before it still date the
	// symptom (First) but do not make it present, since a restart may have
	// fixed it and apps log a new event as soon as they fail again.
	boot time.Time
}

func evaluate(in symptomInput) Symptom {
	s := Symptom{PRT: string(TriUnknown), Reasons: []string{}}
	var seen []string // observations that do not make the symptom present

	stamp := in.since.UTC().Format(time.RFC3339)
	if in.eventsErr != nil {
		// Without the log the symptom cannot be shown gone: fail closed.
		s.Present = true
		s.Reasons = append(s.Reasons, fmt.Sprintf("the AAD event log could not be read (%v): the symptom is assumed present", in.eventsErr))
	} else {
		current := 0
		for _, e := range in.events {
			// Event times have millisecond precision: an event in the same
			// millisecond as since counts, so a new failure is never lost to
			// rounding (the error falls on the safe side: "not fixed").
			if (e.ID != eventError && e.ID != eventWarn) || e.Time.Before(in.since.Truncate(time.Millisecond)) || !HasCode(e.Message, SymptomCode) {
				continue
			}
			if e.Time.After(in.boot) {
				current++
			}
			s.Events++
			if s.First.IsZero() || e.Time.Before(s.First) {
				s.First = e.Time
			}
			if e.Time.After(s.Last) {
				s.Last = e.Time
			}
		}
		switch {
		case current > 0:
			s.Present = true
			s.Reasons = append(s.Reasons, fmt.Sprintf("%d CAA50021 event(s) (ID 1098/1104) in Microsoft-Windows-AAD/Operational since %s, the last at %s",
				s.Events, stamp, s.Last.UTC().Format(time.RFC3339)))
		case s.Events > 0:
			seen = append(seen, fmt.Sprintf("%d CAA50021 event(s) since %s, none since the last restart or verified fix at %s",
				s.Events, stamp, in.boot.UTC().Format(time.RFC3339)))
		default:
			seen = append(seen, "no CAA50021 event since "+stamp)
		}
	}

	switch {
	case in.status == nil:
		why := "dsregcmd /status could not be read"
		if in.statusErr != nil {
			why += fmt.Sprintf(" (%v)", in.statusErr)
		}
		seen = append(seen, why+": PRT unknown")
	case in.notUsers != "":
		seen = append(seen, in.notUsers+": PRT unknown")
	default:
		prt, join := in.status.PRT(), in.status.Join()
		s.PRT = string(prt)
		joined := join == JoinCloud || join == JoinHybrid
		switch {
		case joined && prt == TriNo:
			s.Present = true
			s.Reasons = append(s.Reasons, fmt.Sprintf("the device is Entra joined (%s) and has no primary refresh token (AzureAdPrt NO)", join))
		case !joined:
			seen = append(seen, fmt.Sprintf("the device is not Entra joined (%s): the PRT rule does not apply", join))
		case prt == TriYes:
			seen = append(seen, "a primary refresh token is present")
		default:
			seen = append(seen, "AzureAdPrt could not be read")
		}
	}
	if !s.Present {
		s.Reasons = append(s.Reasons, seen...)
	}
	return s
}
