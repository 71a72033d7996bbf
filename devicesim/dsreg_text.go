package devicesim

import (
	"regexp"
	"strings"
)

// dsregcmd prints each field as the label right-aligned to 26 columns,
// " : ", and the value; an empty value leaves just " :". Labels are not
// localized (see the fixtures' SOURCES.md).
var dsregFieldRE = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9 -]*?) :(?: (.*))?$`)

// dsregFields returns the first value of each label in a dsregcmd /status
// text.
func dsregFields(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		m := dsregFieldRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, dup := out[m[1]]; !dup {
			out[m[1]] = strings.TrimSpace(m[2])
		}
	}
	return out
}

// joinFromStatus reads the join type from a dsregcmd /status text.
func joinFromStatus(text string) (Join, bool) {
	f := dsregFields(text)
	aad, ok := f["AzureAdJoined"]
	if !ok {
		return "", false
	}
	domain := f["DomainJoined"] == "YES"
	switch {
	case aad == "YES" && domain:
		return JoinHybrid, true
	case aad == "YES":
		return JoinCloud, true
	case domain:
		return JoinDomain, true
	case f["WorkplaceJoined"] == "YES":
		return JoinRegistered, true
	}
	return JoinNone, true
}

// setDsregField replaces the value of every line with that label, keeping
// the label's alignment; lines of other labels are untouched.
func setDsregField(text, label, value string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		m := dsregFieldRE.FindStringSubmatchIndex(strings.TrimRight(line, "\r"))
		if m == nil || line[m[2]:m[3]] != label {
			continue
		}
		cr := ""
		if strings.HasSuffix(line, "\r") {
			cr = "\r"
		}
		lines[i] = line[:m[3]] + " : " + value + cr
	}
	return strings.Join(lines, "\n")
}
