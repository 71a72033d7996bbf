package device

import (
	"context"
	"errors"
	"slices"

	"github.com/caafix/caafix/pshost"
)

// UserView returns a copy of f as the signed-in user sees the device,
// for the evidence of a run as SYSTEM: the PRT, the executing account and
// the Credential Manager vault belong to the user's profile, and f, read
// as SYSTEM, holds SYSTEM's. r must run its commands in the user's session
// (a one-shot scheduled task, see package executor). dsregcmd /status and
// cmdkey /list are read again through r; what cannot be read, or is still
// SYSTEM's, stays unknown, so the evidence clears nothing on its strength.
// The device-wide facts (join, events, clock, AV, VPN) are f's.
func UserView(ctx context.Context, r pshost.Runner, f *Facts) (*Facts, error) {
	u := *f
	u.Problems = slices.Clone(f.Problems)
	u.Dsreg, u.PRT, u.Credentials = nil, TriUnknown, nil
	g := &gatherer{ctx: ctx, r: r, f: &u}
	if err := g.dsreg(); err != nil {
		return nil, err
	}
	if err := g.credentials(); err != nil {
		return nil, err
	}
	// The join state is the device's: keep SYSTEM's reading of it.
	u.Join, u.DeviceAuthStatus, u.Hostname = f.Join, f.DeviceAuthStatus, f.Hostname
	u.Context = ContextUser
	if u.Dsreg != nil && u.Dsreg.RanAsSystem() {
		u.PRT = TriUnknown
		g.problem("prt", errors.New(ranAsSystem))
	}
	return &u, nil
}
