package steps

import (
	"context"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/outcome"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/runbooks"
)

// Risk is how much a step can hurt when it runs on the wrong device.
type Risk string

// The risks, from harmless to dangerous.
const (
	RiskRead       Risk = "read"       // only reads
	RiskSafe       Risk = "safe"       // changes nothing a user notices
	RiskLow        Risk = "low"        // users sign in again
	RiskDisruptive Risk = "disruptive" // interrupts the user: restart, app shutdown
	RiskDangerous  Risk = "dangerous"  // can cut the device off; needs a technician
)

// Context is the account a step must run as.
type Context string

// The contexts.
const (
	ContextSystem Context = "system" // the machine: services, join state, restart
	ContextUser   Context = "user"   // the signed-in user's profile: WAM, Credential Manager
)

// Meta describes a step type.
type Meta struct {
	Uses       string
	Risk       Risk
	Context    Context
	NeedsAdmin bool
	Timeout    time.Duration // default for the whole step
	Rollback   string        // what undoing the step means
}

// Env is what a step sees while it runs.
type Env struct {
	Runner  pshost.Runner // every command goes through it (the executor audits each)
	Facts   *device.Facts // gathered once at the start of the run
	Step    runbooks.Step // the runbook's entry, with its parameters
	Started time.Time     // when the step started; from Act on, when the action started
	Since   time.Time     // start of the symptom window: the run's detection lookback
	Pre     Check         // the pre-check's result, for Act and Post
	// Now is the device's clock (the run's clock); time.Now when nil.
	Now func() time.Time
}

// now reads env's clock.
func (env *Env) now() time.Time {
	if env.Now == nil {
		return time.Now()
	}
	return env.Now()
}

// Check is the result of a pre-check.
type Check struct {
	Needed  bool     // the action should run
	Reason  string   // why, or why not
	Targets []string // what the action will act on, where it acts on a list
}

// Effect is what an action did.
type Effect struct {
	Failed  bool   // a command failed: the step did not do its job
	Reason  string // what happened
	Reboot  bool   // a restart is scheduled: the run ends with reboot-pending
	EndRun  bool   // the run ends after this step with Outcome
	Outcome outcome.Kind
	Message string // for the user or IT, shown in the summary
}

// Verdict is the result of a post-check.
type Verdict struct {
	OK     bool
	Reason string
}

// Step is one step type of the catalogue.
type Step interface {
	Meta() Meta
	// Pre says whether the action is needed. It only reads.
	Pre(ctx context.Context, env *Env) (Check, error)
	// Commands lists the commands the action would send, for plans,
	// dry runs and reviews.
	Commands(env *Env) []string
	// Act runs the action. Its error is a host error only.
	Act(ctx context.Context, env *Env) (Effect, error)
	// Post checks that the action did its job. It only reads.
	Post(ctx context.Context, env *Env) (Verdict, error)
}

var catalogue = map[string]Step{}

func register(s Step) {
	m := s.Meta()
	if _, dup := catalogue[m.Uses]; dup {
		panic("steps: " + m.Uses + " registered twice")
	}
	catalogue[m.Uses] = s
}

// Lookup returns the step type named uses.
func Lookup(uses string) (Step, bool) {
	s, ok := catalogue[uses]
	return s, ok
}

// Names lists the registered step types, sorted.
func Names() []string {
	out := make([]string, 0, len(catalogue))
	for n := range catalogue {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// MetaOf returns what the policy gate and the executor decide on for the
// runbook step st: its type's declaration, or, for a script step, what the
// runbook's author declared (risk, context, needs_admin). A script whose
// declaration is incomplete gets its type's worst case. ok is false for
// an unknown type.
func MetaOf(st runbooks.Step) (m Meta, ok bool) {
	s, ok := Lookup(st.Uses)
	if !ok {
		return Meta{}, false
	}
	if d, isScript := s.(script); isScript {
		if m, ok := d.declared(st); ok {
			return m, true
		}
	}
	return s.Meta(), true
}

// Timeout returns the step's timeout: the runbook's, or the type's default.
func Timeout(st runbooks.Step) time.Duration {
	if st.Timeout > 0 {
		return st.Timeout
	}
	if s, ok := Lookup(st.Uses); ok {
		return s.Meta().Timeout
	}
	return 2 * time.Minute
}

// Rollback returns the rollback note of a step: the type's, then the
// runbook's addition.
func Rollback(st runbooks.Step) string {
	note := ""
	if m, ok := MetaOf(st); ok {
		note = m.Rollback
	}
	if st.Rollback != "" {
		if note != "" {
			note += "; "
		}
		note += st.Rollback
	}
	return note
}

// run sends one command and returns its result; a host error is returned
// as is, with the command named.
func run(ctx context.Context, env *Env, cmd string) (pshost.Result, error) {
	res, err := env.Runner.Run(ctx, cmd)
	if err != nil {
		return res, fmt.Errorf("%s: %w", env.Step.ID, err)
	}
	return res, nil
}

// failed describes a command that did not succeed.
func failed(cmd string, res pshost.Result) Effect {
	msg := firstLine(res.Stderr)
	if msg == "" {
		msg = firstLine(res.Stdout)
	}
	return Effect{Failed: true, Reason: fmt.Sprintf("%s exited %d: %s", cmd, res.ExitCode, msg)}
}

func firstLine(s string) string {
	for _, line := range splitLines(s) {
		if line != "" {
			if len(line) > 200 {
				// Cut on a character boundary: the reason goes to the
				// audit log and the summary, which must stay valid text.
				cut := 200
				for cut > 0 && !utf8.RuneStart(line[cut]) {
					cut--
				}
				line = line[:cut] + "…"
			}
			return line
		}
	}
	return ""
}
