package diagnose

import "slices"

// fixes maps each family to the step types that fix it: the one place
// this mapping lives. Upstream families are fixed by nobody on the
// device: their step is the escalation to IT.
var fixes = map[string][]string{
	ClockSkew:         {"w32tm.resync"},
	WAMCache:          {"dsregcmd.cleanupaccounts"},
	OfficeCreds:       {"credentials.remove"},
	BrokerPlugin:      {"wam.reregister"},
	Transient:         {"restart.schedule"},
	OfficeInstall:     {"office.repair"},
	JoinBroken:        {"dsregcmd.leave"},
	ConditionalAccess: {"escalate"},
	AVVPN:             {"escalate"},
}

// Fixes returns the step types that fix the family, nil for none.
func Fixes(family string) []string { return slices.Clone(fixes[family]) }

// FixedBy returns the families a step type fixes, in the order of
// [Families]; none for a step that fixes no family (aad.symptom, script).
func FixedBy(uses string) []string {
	var out []string
	for _, f := range Families() {
		if slices.Contains(fixes[f], uses) {
			out = append(out, f)
		}
	}
	return out
}
