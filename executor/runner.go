package executor

import (
	"context"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/pshost"
)

// auditedRunner writes a step.command line before each command and a
// step.output line after it.
type auditedRunner struct {
	x                 *run
	step, uses, phase string
	extra             map[string]any // further members of both lines (a command run in the user's session)
}

func (x *run) runner(step, uses, phase string) pshost.Runner {
	return auditedRunner{x: x, step: step, uses: uses, phase: phase}
}

func (r auditedRunner) Run(ctx context.Context, script string) (pshost.Result, error) {
	if err := r.x.write(audit.Event{Name: "step.command", Step: r.step, Uses: r.uses, Command: script,
		Fields: r.fields(map[string]any{"phase": r.phase})}); err != nil {
		return pshost.Result{}, &pshost.HostError{Op: "audit", Command: script, Err: err}
	}
	res, err := r.x.host.Run(ctx, script)
	r.x.keep(script, res)
	code := res.ExitCode
	ms := res.Duration.Milliseconds()
	fields := map[string]any{"phase": r.phase, "ok": res.OK, "stdout": excerpt(res.Stdout), "stderr": excerpt(res.Stderr)}
	if res.Truncated {
		fields["truncated"] = true
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	if werr := r.x.write(audit.Event{Name: "step.output", Step: r.step, Uses: r.uses, ExitCode: &code, DurationMs: &ms, Fields: r.fields(fields)}); werr != nil && err == nil {
		err = &pshost.HostError{Op: "audit", Command: script, Err: werr}
	}
	return res, err
}

func (r auditedRunner) fields(f map[string]any) map[string]any {
	for k, v := range r.extra {
		f[k] = v
	}
	return f
}

// excerpt keeps the first 4 KiB of a command's output for the audit.
func excerpt(s string) string {
	const max = 4 << 10
	if len(s) <= max {
		return s
	}
	return clip(s, max)
}

func factFields(f *device.Facts) map[string]any {
	return map[string]any{
		"join": string(f.Join), "managed": f.Managed, "managed_known": f.ManagedKnown, "elevated": f.Elevated,
		"context": f.Context, "user": f.User, "prt": f.PRT, "clock_skew_s": f.ClockSkewS, "clock_known": f.ClockKnown,
		"time_service": f.TimeService, "device_auth_status": f.DeviceAuthStatus, "credentials": f.Credentials,
		"office": f.Office, "antivirus": f.Antivirus, "vpn": f.VPN, "problems": f.Problems, "symptom": f.Symptom,
		"hostname": f.Hostname, "last_boot": f.LastBoot, "cleanupaccounts_supported": f.CleanupAccountsSupported,
	}
}
