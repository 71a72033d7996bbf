package device

import (
	"fmt"
	"strings"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
)

// readDsreg parses dsregcmd /status; a non-zero exit makes it unreadable.
func readDsreg(res pshost.Result) (*DsregStatus, error) {
	if res.ExitCode != 0 {
		return nil, exitError(res)
	}
	return ParseDsregStatus(res.Stdout)
}

func (g *gatherer) dsreg() error {
	res, err := g.run(scripts.DsregStatus)
	if err != nil {
		return err
	}
	st, perr := readDsreg(res)
	if perr != nil {
		g.dsregErr = perr
		g.problem("join", fmt.Errorf("dsregcmd /status: %w", perr))
		return nil
	}
	f := g.f
	f.Dsreg, f.Join, f.PRT = st, st.Join(), st.PRT()
	f.DeviceAuthStatus, f.Hostname = st.DeviceAuthStatus(), st.DeviceName()
	if f.Join == JoinUnknown {
		g.problem("join", fmt.Errorf("dsregcmd /status has no readable AzureAdJoined/DomainJoined/WorkplaceJoined"))
	}
	return nil
}

func (g *gatherer) dsregHelp() error {
	res, err := g.run(scripts.DsregHelp)
	if err != nil {
		return err
	}
	// Read both streams: where dsregcmd /? prints its help is not documented.
	help := res.Stdout + "\n" + res.Stderr
	if _, perr := ParseDsregHelp(help); perr != nil {
		g.problem("cleanupaccounts_supported", perr)
		return nil
	}
	g.f.CleanupAccountsSupported = SupportsSwitch(help, "/cleanupaccounts")
	return nil
}

func (g *gatherer) credentials() error {
	res, err := g.run(scripts.CmdkeyList)
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		g.problem("credentials", fmt.Errorf("cmdkey /list %w", exitError(res)))
		return nil
	}
	creds, perr := ParseCmdkeyList(res.Stdout)
	if perr != nil {
		g.problem("credentials", perr)
		return nil
	}
	g.f.Credentials = make([]string, 0, len(creds))
	for _, c := range creds {
		g.f.Credentials = append(g.f.Credentials, c.Name)
	}
	return nil
}

func (g *gatherer) clock() error {
	res, err := g.run(scripts.ClockOffset)
	if err != nil {
		return err
	}
	// A failed sample's error line says more than the exit code: parse first.
	offset, perr := ParseStripchart(res.Stdout + "\n" + res.Stderr)
	if perr != nil {
		g.problem("clock_skew_s", perr)
		return nil
	}
	g.f.ClockSkewS, g.f.ClockKnown = -offset.Seconds(), true
	return nil
}

func (g *gatherer) timeService() error {
	res, err := g.run(scripts.TimeService)
	if err != nil {
		return err
	}
	st, perr := ParseServiceStatus(res.Stdout)
	if perr != nil {
		if msg := firstLine(res.Stderr); msg != "" {
			perr = fmt.Errorf("%w: %s", perr, msg)
		}
		g.problem("time_service", perr)
	}
	g.f.TimeService = st
	return nil
}

func (g *gatherer) account() error {
	res, err := g.run(scripts.WhoamiUser)
	if err != nil {
		return err
	}
	if acct, perr := ParseWhoamiUser(res.Stdout); perr != nil {
		g.problem("context", perr)
	} else if acct.System() {
		g.f.Context = ContextSystem
	} else {
		g.f.Context = ContextUser
	}
	res, err = g.run(scripts.WhoamiGroups)
	if err != nil {
		return err
	}
	if il, perr := ParseWhoamiGroups(res.Stdout); perr != nil {
		g.problem("elevated", perr)
	} else {
		g.f.Elevated = il.Elevated()
	}
	return nil
}

func (g *gatherer) interactiveUser() error {
	res, err := g.run(scripts.InteractiveUser)
	if err != nil {
		return err
	}
	user, perr := ParseInteractiveUser(res.Stdout)
	if perr != nil {
		g.problem("user", perr)
		return nil
	}
	if user == "" && !res.OK && strings.TrimSpace(res.Stderr) != "" {
		// Nobody, or WMI failed: either way no user step can run for
		// them, but say which.
		g.problem("user", fmt.Errorf("Win32_ComputerSystem: %s", firstLine(res.Stderr)))
	}
	g.f.User = user
	return nil
}

func (g *gatherer) enrollments() error {
	res, err := g.run(scripts.Enrollments)
	if err != nil {
		return err
	}
	es, perr := ParseEnrollments(res.Stdout)
	if perr != nil {
		g.problem("managed", perr)
		return nil
	}
	g.f.Managed, g.f.ManagedKnown = MDMEnrolled(es), true
	return nil
}

func (g *gatherer) office() error {
	res, err := g.run(scripts.OfficeC2R)
	if err != nil {
		return err
	}
	o, perr := ParseOfficeC2R(res.Stdout)
	if perr != nil {
		g.problem("office", perr)
		return nil
	}
	g.f.Office = o
	return nil
}

func (g *gatherer) antivirus() error {
	res, err := g.run(scripts.AntiVirus)
	if err != nil {
		return err
	}
	av, perr := ParseAntiVirus(res.Stdout)
	if perr != nil {
		g.problem("antivirus", perr)
		return nil
	}
	g.f.Antivirus = av
	return nil
}

func (g *gatherer) vpn() error {
	res, err := g.run(scripts.NetAdapters)
	if err != nil {
		return err
	}
	as, perr := ParseNetAdapters(res.Stdout)
	if perr == nil && len(as) == 0 && !res.OK {
		perr = fmt.Errorf("Get-NetAdapter failed: %s", firstLine(res.Stderr))
	}
	if perr != nil {
		g.problem("vpn", perr)
		return nil
	}
	g.f.VPN = ActiveVPNs(as)
	return nil
}

func (g *gatherer) lastBoot() error {
	res, err := g.run(scripts.LastBoot)
	if err != nil {
		return err
	}
	t, perr := ParseLastBoot(res.Stdout)
	if perr != nil {
		g.problem("last_boot", perr)
		return nil
	}
	g.f.LastBoot = t
	return nil
}
