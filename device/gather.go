package device

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// GatherOptions tune [Gather]. Zero values take the defaults.
type GatherOptions struct {
	// Lookback is how far back a CAA50021 event counts for the symptom;
	// default 24h.
	Lookback time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// NotBefore, when set, is when caafix last verified a fix: like the
	// last boot, events before it date the symptom but do not make it
	// present (the log keeps them for days).
	NotBefore time.Time
}

// Gather reads the device's facts with the read-only commands of package
// scripts, each sent once. A Runner error (the host died or timed out)
// stops it and is returned wrapped with the command; output that cannot be
// parsed makes that fact unknown and adds a problem (see [Facts]).
func Gather(ctx context.Context, r pshost.Runner, opts ...GatherOptions) (*Facts, error) {
	var o GatherOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Lookback <= 0 {
		o.Lookback = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	g := &gatherer{ctx: ctx, r: r, f: &Facts{
		Join: JoinUnknown, PRT: TriUnknown, Context: ContextUnknown, TimeService: TimeServiceUnknown,
		Problems: []string{},
	}}
	for _, step := range []func() error{
		g.dsreg, g.dsregHelp, g.credentials, g.clock, g.timeService, g.account,
		g.interactiveUser, g.enrollments, g.office, g.antivirus, g.vpn, g.lastBoot, g.hostname,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	res, err := g.run(scripts.AADEvents)
	if err != nil {
		return nil, err
	}
	events, evErr := ParseAADEvents(res.Stdout)
	if evErr != nil {
		g.problem("aad events", evErr)
	}
	f := g.f
	f.Events = events
	in := symptomInput{events: events, eventsErr: evErr, status: f.Dsreg, statusErr: g.dsregErr,
		since: o.Now().Add(-o.Lookback), boot: later(f.LastBoot, o.NotBefore)}
	if why := notUsersPRT(f); why != "" && f.Dsreg != nil {
		in.notUsers = why
		f.PRT = TriUnknown
		g.problem("prt", errors.New(why))
	}
	f.Symptom = evaluate(in)
	return f, nil
}

// notUsersPRT says why dsregcmd's SSO state cannot be taken as the user's,
// "" when it can: it ran as SYSTEM (by whoami or by its own Executing
// Account Name), or whoami failed and dsregcmd does not name its account.
func notUsersPRT(f *Facts) string {
	switch {
	case f.Context == ContextSystem || (f.Dsreg != nil && f.Dsreg.RanAsSystem()):
		return ranAsSystem
	case f.Context == ContextUnknown && f.Dsreg != nil && f.Dsreg.ExecutingAccount() == "":
		return "whoami could not be read and dsregcmd does not name its account: whose SSO state it shows is unknown"
	}
	return ""
}

type gatherer struct {
	ctx      context.Context
	r        pshost.Runner
	f        *Facts
	dsregErr error
}

// run sends one command; a Runner error ends the gathering.
func (g *gatherer) run(cmd string) (pshost.Result, error) {
	res, err := g.r.Run(g.ctx, cmd)
	if err != nil {
		return res, fmt.Errorf("gather facts: %s: %w", cmd, err)
	}
	return res, nil
}

func (g *gatherer) problem(fact string, err error) {
	g.f.Problems = append(g.f.Problems, fact+": "+err.Error())
}

// exitError describes a native tool that exited non-zero.
func exitError(res pshost.Result) error {
	msg := firstLine(res.Stderr)
	if msg == "" {
		msg = firstLine(res.Stdout)
	}
	if msg == "" {
		return fmt.Errorf("exited %d", res.ExitCode)
	}
	return fmt.Errorf("exited %d: %s", res.ExitCode, msg)
}

// hostname reads the computer name; dsregcmd's Device Name is the fallback.
func (g *gatherer) hostname() error {
	res, err := g.run(scripts.Hostname)
	if err != nil {
		return err
	}
	name := firstLine(res.Stdout)
	if res.ExitCode != 0 || name == "" {
		g.problem("hostname", exitError(res))
		return nil
	}
	g.f.Hostname = name
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
