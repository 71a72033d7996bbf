package devicesim

import (
	"strings"
)

// whoami simulates whoami.exe: the bare name, and /user and /groups as
// CSV with or without the header line.
func whoami(s *session, args []string) nativeResult {
	dev := s.st.Scenario.Device
	if len(args) == 0 {
		return nativeResult{stdout: crlf(strings.ToLower(whoamiName(dev)))}
	}
	sw := switches(args)
	var what string
	csv, header := false, true
	for i := 0; i < len(sw); i++ {
		switch sw[i] {
		case "/user", "/groups":
			if what != "" {
				return notSimulated("whoami", args)
			}
			what = sw[i]
		case "/fo":
			if i+1 >= len(sw) || sw[i+1] != "csv" {
				return notSimulated("whoami", args)
			}
			csv = true
			i++
		case "/nh":
			header = false
		default:
			return notSimulated("whoami", args)
		}
	}
	if what == "" || !csv {
		return notSimulated("whoami", args)
	}
	var lines []string
	if what == "/user" {
		if header {
			lines = append(lines, `"User Name","SID"`)
		}
		lines = append(lines, csvRow(strings.ToLower(whoamiName(dev)), whoamiSID(dev)))
	} else {
		if header {
			lines = append(lines, `"Group Name","Type","SID","Attributes"`)
		}
		lines = append(lines, groupRows(dev)...)
	}
	return nativeResult{stdout: crlf(lines...)}
}

func whoamiName(dev Device) string {
	if dev.Context == ContextSystem {
		return `NT AUTHORITY\SYSTEM`
	}
	return accountName(dev)
}

func whoamiSID(dev Device) string {
	if dev.Context == ContextSystem {
		return "S-1-5-18"
	}
	return userSID(dev)
}

func csvRow(cells ...string) string {
	for i, c := range cells {
		cells[i] = `"` + c + `"`
	}
	return strings.Join(cells, ",")
}

const (
	groupOn   = "Mandatory group, Enabled by default, Enabled group"
	labelType = "Label"
	wellKnown = "Well-known group"
)

// groupRows are the token's groups. The mandatory label tells the
// integrity level: System (S-1-16-16384) for SYSTEM, High (S-1-16-12288)
// when elevated, Medium (S-1-16-8192) otherwise, where Administrators is
// present for deny only.
func groupRows(dev Device) []string {
	if dev.Context == ContextSystem {
		return []string{
			csvRow(`BUILTIN\Administrators`, "Alias", "S-1-5-32-544", "Enabled by default, Enabled group, Group owner"),
			csvRow("Everyone", wellKnown, "S-1-1-0", groupOn),
			csvRow(`NT AUTHORITY\Authenticated Users`, wellKnown, "S-1-5-11", groupOn),
			csvRow(`Mandatory Label\System Mandatory Level`, labelType, "S-1-16-16384", ""),
		}
	}
	admins := csvRow(`BUILTIN\Administrators`, "Alias", "S-1-5-32-544", "Mandatory group, Enabled by default, Enabled group, Group owner")
	label := csvRow(`Mandatory Label\High Mandatory Level`, labelType, "S-1-16-12288", "")
	if !dev.Elevated {
		admins = csvRow(`BUILTIN\Administrators`, "Alias", "S-1-5-32-544", "Group used for deny only")
		label = csvRow(`Mandatory Label\Medium Mandatory Level`, labelType, "S-1-16-8192", "")
	}
	rows := []string{
		csvRow("Everyone", wellKnown, "S-1-1-0", groupOn),
		admins,
		csvRow(`BUILTIN\Users`, "Alias", "S-1-5-32-545", groupOn),
		csvRow(`NT AUTHORITY\INTERACTIVE`, wellKnown, "S-1-5-4", groupOn),
		csvRow("CONSOLE LOGON", wellKnown, "S-1-2-1", groupOn),
		csvRow(`NT AUTHORITY\Authenticated Users`, wellKnown, "S-1-5-11", groupOn),
		csvRow(`NT AUTHORITY\This Organization`, wellKnown, "S-1-5-15", groupOn),
		csvRow("LOCAL", wellKnown, "S-1-2-0", groupOn),
	}
	return append(rows, label)
}
