package devicesim

import (
	"strings"
)

// cmdkey simulates cmdkey.exe's /list and /delete:TARGET on the vault of
// the profile caafix runs in: cmdkey run as SYSTEM sees SYSTEM's vault,
// not the signed-in user's.
func cmdkey(s *session, args []string) nativeResult {
	if len(args) != 1 {
		return notSimulated("cmdkey", args)
	}
	arg := args[0]
	lower := strings.ToLower(arg)
	switch {
	case lower == "/list" || lower == "-list":
		return cmdkeyList(s.st, "")
	case strings.HasPrefix(lower, "/list:"):
		return cmdkeyList(s.st, arg[len("/list:"):])
	case strings.HasPrefix(lower, "/delete:"):
		return cmdkeyDelete(s, arg[len("/delete:"):])
	}
	return notSimulated("cmdkey", args)
}

// cmdkeyText holds cmdkey's messages in the simulated locales. The
// English list layout is fixture cmdkey-list-en-indented.txt (note the
// trailing space after "Generic" and the separator line of four spaces);
// the German one is cmdkey-list-de.txt, where a LegacyGeneric credential
// has no persistence line. Captures of an empty list ("* NONE *") show
// that cmdkey starts its output with an empty line. The German delete
// messages are not in any capture we found: "Element nicht gefunden." is
// Windows' German text for ERROR_NOT_FOUND, the success line is the
// simulator's translation.
type cmdkeyText struct {
	header, target, typ, user, persistence, none, deleted, notFound string
}

var cmdkeyTexts = map[string]cmdkeyText{
	LocaleEnUS: {
		header: "Currently stored credentials:", target: "Target: ", typ: "Type: Generic ", user: "User: ",
		persistence: "Local machine persistence", none: "* NONE *",
		deleted: "CMDKEY: Credential deleted successfully.", notFound: "CMDKEY: Element not found.",
	},
	LocaleDeDE: {
		header: "Momentan gespeicherte Anmeldeinformationen:", target: "Ziel: ", typ: "Typ: Allgemeine", user: "Benutzer: ",
		none:    "* KEINE *",
		deleted: "CMDKEY: Die Anmeldeinformationen wurden erfolgreich gelöscht.", notFound: "CMDKEY: Element nicht gefunden.",
	},
}

func texts(st *state) cmdkeyText {
	if t, ok := cmdkeyTexts[st.Scenario.Device.Locale]; ok {
		return t
	}
	return cmdkeyTexts[LocaleEnUS]
}

func cmdkeyList(st *state, only string) nativeResult {
	t := texts(st)
	lines := []string{"", t.header, ""}
	n := 0
	for _, target := range st.Vaults[st.profile()] {
		if only != "" && !sameTarget(target, only) {
			continue
		}
		n++
		lines = append(lines, "    "+t.target+"LegacyGeneric:target="+target, "    "+t.typ, "    "+t.user+credentialUser(target, st.Scenario.Device.User))
		if t.persistence != "" {
			lines = append(lines, "    "+t.persistence)
		}
		lines = append(lines, "    ")
	}
	if n == 0 {
		lines = append(lines, t.none)
	}
	return nativeResult{stdout: crlf(lines...)}
}

// sameTarget compares a stored name with one given to cmdkey, which may
// carry the LegacyGeneric:target= prefix /list prints.
func sameTarget(stored, given string) bool {
	const prefix = "legacygeneric:target="
	if strings.HasPrefix(strings.ToLower(given), prefix) {
		given = given[len(prefix):]
	}
	return strings.EqualFold(stored, given)
}

// credentialUser is the user name stored with a generic credential.
func credentialUser(target, user string) string {
	if i := strings.LastIndexAny(target, ":="); i >= 0 && strings.Contains(target[i+1:], "@") {
		return target[i+1:]
	}
	if strings.EqualFold(target, "OneDrive Cached Credential") {
		return strings.ToLower(hexID("onedrive/"+user, 16))
	}
	local, _ := userParts(user)
	if local == "" {
		return "user"
	}
	return local
}

func cmdkeyDelete(s *session, target string) nativeResult {
	st := s.st
	t := texts(st)
	profile := st.profile()
	vault := st.Vaults[profile]
	for i, stored := range vault {
		if !sameTarget(stored, target) {
			continue
		}
		st.Vaults[profile] = append(vault[:i:i], vault[i+1:]...)
		if profile != profileSystem && !hasOfficeTarget(st.Vaults[profile]) {
			st.clearFault(FaultOfficeCreds, s.now())
		}
		s.dirty = true
		return nativeResult{stdout: crlf("", t.deleted)}
	}
	// cmdkey's exit code for a missing target is not documented; the
	// simulator uses 1, the code of its other failures.
	return nativeResult{stdout: crlf("", t.notFound), code: 1}
}
