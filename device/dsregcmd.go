package device

import (
	"errors"
	"regexp"
	"strings"
)

// DsregStatus is the parsed output of dsregcmd /status: boxed sections, each
// a list of "Label : Value" fields. Labels are keyed by section, because
// sections repeat labels (Work Account 1 has its own KeyContainerId and
// NgcSet).
type DsregStatus struct {
	sections []dsregSection
	index    map[string]int // lower-case section name → position in sections
}

type dsregSection struct {
	name   string
	fields []Field
}

// Field is one "Label : Value" line of dsregcmd /status.
type Field struct {
	Label string
	Value string
}

// ErrNotDsregStatus is returned for text that is not dsregcmd /status output.
var ErrNotDsregStatus = errors.New(`not dsregcmd /status output: expected a "| Device State |" section`)

var (
	dsregBorder = regexp.MustCompile(`^\s*\+-+\+$`)
	dsregTitle  = regexp.MustCompile(`^\s*\|(.*)\|$`)
)

// ParseDsregStatus parses the output of dsregcmd /status. A section starts
// with a box (+---+ / | Name | / +---+); a field line is the label
// right-aligned to 26 columns, " : ", and the value, which may be empty
// ("MdmUrl :"); the label ends at the first " : ", so values may hold
// colons. Other lines are ignored. Text without a Device State section is
// an error wrapping [ErrNotDsregStatus].
func ParseDsregStatus(text string) (*DsregStatus, error) {
	st := &DsregStatus{index: map[string]int{}}
	cur := -1
	ls := lines(text)
	for i := 0; i < len(ls); i++ {
		line := ls[i]
		if dsregBorder.MatchString(line) {
			if i+1 < len(ls) {
				if m := dsregTitle.FindStringSubmatch(ls[i+1]); m != nil {
					cur = st.section(strings.TrimSpace(m[1]))
					i++
					if i+1 < len(ls) && dsregBorder.MatchString(ls[i+1]) {
						i++
					}
				}
			}
			continue // a lone border closes the output (Microsoft's samples end with one)
		}
		label, value, ok := dsregField(line)
		if !ok || cur < 0 {
			continue
		}
		s := &st.sections[cur]
		s.fields = append(s.fields, Field{Label: label, Value: value})
	}
	if _, ok := st.find("Device State"); !ok {
		return nil, ErrNotDsregStatus
	}
	return st, nil
}

// section returns the index of the named section, adding it if new. A
// repeated section name adds to the first one's fields.
func (st *DsregStatus) section(name string) int {
	if i, ok := st.find(name); ok {
		return i
	}
	st.sections = append(st.sections, dsregSection{name: name})
	st.index[strings.ToLower(name)] = len(st.sections) - 1
	return len(st.sections) - 1
}

func (st *DsregStatus) find(name string) (int, bool) {
	i, ok := st.index[strings.ToLower(name)]
	return i, ok
}

// dsregField splits a field line on its first " : ".
func dsregField(line string) (label, value string, ok bool) {
	if i := strings.Index(line, " : "); i >= 0 {
		label, value = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+3:])
	} else if strings.HasSuffix(line, " :") {
		label = strings.TrimSpace(line[:len(line)-2])
	}
	return label, value, label != ""
}

// Sections returns the section names in the order dsregcmd printed them.
func (st *DsregStatus) Sections() []string {
	out := make([]string, len(st.sections))
	for i, s := range st.sections {
		out[i] = s.name
	}
	return out
}

// Fields returns the fields of a section in order, nil if there is no
// such section.
func (st *DsregStatus) Fields(section string) []Field {
	i, ok := st.find(section)
	if !ok {
		return nil
	}
	return append([]Field(nil), st.sections[i].fields...)
}

// Get returns the value of label in section (both matched without regard to
// case) and whether the field was printed. A field printed with an empty
// value returns "", true. When a section repeats a label, the first wins.
func (st *DsregStatus) Get(section, label string) (string, bool) {
	i, ok := st.find(section)
	if !ok {
		return "", false
	}
	for _, f := range st.sections[i].fields {
		if strings.EqualFold(f.Label, label) {
			return f.Value, true
		}
	}
	return "", false
}

// tri reads a YES/NO field; anything else, or a missing field, is unknown.
func (st *DsregStatus) tri(section, label string) Tri {
	v, _ := st.Get(section, label)
	switch strings.ToUpper(v) {
	case "YES":
		return TriYes
	case "NO":
		return TriNo
	}
	return TriUnknown
}

// Join returns the join state from Device State's AzureAdJoined and
// DomainJoined and, for a device joined to neither, User State's
// WorkplaceJoined. A missing or unreadable field makes it JoinUnknown.
func (st *DsregStatus) Join() Join {
	aad, dom := st.tri("Device State", "AzureAdJoined"), st.tri("Device State", "DomainJoined")
	switch {
	case aad == TriUnknown || dom == TriUnknown:
		return JoinUnknown
	case aad == TriYes && dom == TriYes:
		return JoinHybrid
	case aad == TriYes:
		return JoinCloud
	case dom == TriYes:
		return JoinDomain
	}
	switch st.tri("User State", "WorkplaceJoined") {
	case TriYes:
		return JoinRegistered
	case TriNo:
		return JoinNone
	}
	return JoinUnknown
}

// PRT returns SSO State's AzureAdPrt: whether the account that ran
// dsregcmd holds a primary refresh token. See [DsregStatus.RanAsSystem].
func (st *DsregStatus) PRT() Tri { return st.tri("SSO State", "AzureAdPrt") }

// DeviceAuthStatus returns Device Details' DeviceAuthStatus (SUCCESS, or
// a failure such as "FAILED. Device is either disabled or deleted"), ""
// when not printed.
func (st *DsregStatus) DeviceAuthStatus() string {
	v, _ := st.Get("Device Details", "DeviceAuthStatus")
	return v
}

// TenantName returns Tenant Details' TenantName, or for a registered
// device the first work account's WorkplaceTenantName; "" when neither is
// printed.
func (st *DsregStatus) TenantName() string {
	if v, _ := st.Get("Tenant Details", "TenantName"); v != "" {
		return v
	}
	for _, s := range st.sections {
		if strings.HasPrefix(strings.ToLower(s.name), "work account") {
			if v, _ := st.Get(s.name, "WorkplaceTenantName"); v != "" {
				return v
			}
		}
	}
	return ""
}

// DeviceName returns Device State's Device Name, "" when not printed
// (older builds do not).
func (st *DsregStatus) DeviceName() string {
	v, _ := st.Get("Device State", "Device Name")
	return v
}

// ExecutingAccount returns Diagnostic Data's Executing Account Name, the
// account dsregcmd ran as (DOMAIN\user), "" when not printed.
func (st *DsregStatus) ExecutingAccount() string {
	v, _ := st.Get("Diagnostic Data", "Executing Account Name")
	return v
}

// RanAsSystem reports whether dsregcmd says it ran as SYSTEM. The User
// State and SSO State sections then describe SYSTEM, not the signed-in
// user: AzureAdPrt is NO there on a healthy device. The domain part of the
// name is localized (NT AUTHORITY, NT-AUTORITÄT), the account name is not.
func (st *DsregStatus) RanAsSystem() bool {
	acct := st.ExecutingAccount()
	if i := strings.LastIndexByte(acct, '\\'); i >= 0 {
		acct = acct[i+1:]
	}
	return strings.EqualFold(acct, "SYSTEM")
}
