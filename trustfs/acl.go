package trustfs

import (
	"fmt"
	"slices"
	"strings"
)

// Well-known Windows SIDs.
const (
	SIDSystem         = "S-1-5-18"
	SIDAdministrators = "S-1-5-32-544"
	SIDTrustedInstall = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
	SIDCreatorOwner   = "S-1-3-0"
	SIDOwnerRights    = "S-1-3-4"
)

// adminSIDs may own and change what caafix trusts.
var adminSIDs = []string{SIDSystem, SIDAdministrators, SIDTrustedInstall}

// names are the well-known accounts as an error message shows them when
// the account's name could not be looked up.
var names = map[string]string{
	SIDSystem: `NT AUTHORITY\SYSTEM`, SIDAdministrators: `BUILTIN\Administrators`, SIDTrustedInstall: `NT SERVICE\TrustedInstaller`,
	SIDCreatorOwner: "CREATOR OWNER", SIDOwnerRights: "OWNER RIGHTS",
	"S-1-1-0": "Everyone", "S-1-5-11": `NT AUTHORITY\Authenticated Users`, "S-1-5-32-545": `BUILTIN\Users`,
	"S-1-5-4": `NT AUTHORITY\INTERACTIVE`, "S-1-5-32-547": `BUILTIN\Power Users`, "S-1-5-7": "ANONYMOUS LOGON",
}

// The ACE types an access check grants by (winnt.h); the others deny,
// audit or label.
const (
	aceAllowed         = 0x0
	aceAllowedObject   = 0x5
	aceAllowedCallback = 0x9
	aceAllowedCbObject = 0xB
)

// Access-mask bits (winnt.h) that change a file or folder.
var writeRights = []struct {
	bit     uint32
	name    string
	replace bool // lets the holder replace what is inside a folder
}{
	{0x00000002, "write data / add file", false},
	{0x00000004, "append data / add subfolder", false},
	{0x00000010, "write extended attributes", false},
	{0x00000040, "delete child", true},
	{0x00000100, "write attributes", false},
	{0x00010000, "delete", true},
	{0x00040000, "write DAC", true},
	{0x00080000, "write owner", true},
	{0x02000000, "maximum allowed", true},
	{0x10000000, "generic all", true},
	{0x40000000, "generic write", false},
}

// inheritOnly is the ACE flag INHERIT_ONLY_ACE.
const inheritOnly = 0x8

// An ACE is one entry of a DACL, as the decision needs it.
type ACE struct {
	SID   string // e.g. S-1-5-32-545
	Name  string // DOMAIN\name when it could be looked up; "" otherwise
	Type  byte   // AceType: 0 allowed, 1 denied, …
	Flags byte   // AceFlags: inheritance
	Mask  uint32
}

// Security is what Windows says about who controls a file or folder.
type Security struct {
	Owner     string // the owner's SID
	OwnerName string // DOMAIN\name, when known
	NullDACL  bool   // no DACL at all: everyone may do everything
	DACL      []ACE
}

// A Grant is an account other than the administrators that can change a
// file or folder, and how.
type Grant struct {
	SID    string
	Who    string   // the account's name, or its SID
	Rights []string // the rights that let it, e.g. "write data / add file"
}

// Writers returns the accounts other than SYSTEM, Administrators and
// TrustedInstaller that can change the object sd describes. ancestor is
// true for a folder above the checked path: there only the owner and the
// rights that replace what is inside count, and inherit-only entries do
// not (the folders below carry what they pass on). The result is sorted
// by SID, one Grant per account.
func Writers(sd Security, ancestor bool) []Grant {
	by := map[string]*Grant{}
	add := func(sid, name string, right string) {
		g, ok := by[sid]
		if !ok {
			g = &Grant{SID: sid, Who: display(sid, name)}
			by[sid] = g
		}
		if !slices.Contains(g.Rights, right) {
			g.Rights = append(g.Rights, right)
		}
	}
	ownerIsAdmin := slices.Contains(adminSIDs, sd.Owner)
	if !ownerIsAdmin {
		add(sd.Owner, sd.OwnerName, "owner (can change the DACL)")
	}
	if sd.NullDACL {
		add("S-1-1-0", "", "everything (the object has no DACL)")
	}
	for _, ace := range sd.DACL {
		switch ace.Type {
		case aceAllowed, aceAllowedCallback, aceAllowedObject, aceAllowedCbObject:
		default:
			continue // deny entries only take rights away; audit and label entries grant none
		}
		if ancestor && ace.Flags&inheritOnly != 0 {
			continue
		}
		if slices.Contains(adminSIDs, ace.SID) {
			continue
		}
		if (ace.SID == SIDCreatorOwner || ace.SID == SIDOwnerRights) && ownerIsAdmin {
			continue
		}
		for _, r := range writeRights {
			if ace.Mask&r.bit != 0 && (!ancestor || r.replace) {
				add(ace.SID, ace.Name, r.name)
			}
		}
	}
	out := make([]Grant, 0, len(by))
	for _, g := range by {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Grant) int { return strings.Compare(a.SID, b.SID) })
	return out
}

func display(sid, name string) string {
	if name == "" {
		name = names[sid]
	}
	if name == "" {
		return sid
	}
	return name + " (" + sid + ")"
}

// describe says who can change it, for an [Error].
func describe(gs []Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.Who + ": " + strings.Join(g.Rights, ", ")
	}
	return strings.Join(parts, "; ")
}

// icaclsFix is the fix for path itself: the owner set to Administrators
// when it is not an administrator, inheritance cut, full control for
// SYSTEM and Administrators, and the grants of every other account in gs
// removed. Each grant is quoted: PowerShell would read (OI) as code.
func icaclsFix(path string, dir bool, ownerIsAdmin bool, gs []Grant) string {
	inherit := ""
	if dir {
		inherit = "(OI)(CI)"
	}
	q := `"` + path + `"`
	fix := fmt.Sprintf(`icacls %s /inheritance:r /grant:r "*%s:%sF" "*%s:%sF"`, q, SIDSystem, inherit, SIDAdministrators, inherit)
	var remove []string
	for _, g := range gs {
		if !slices.Contains(adminSIDs, g.SID) {
			remove = append(remove, "*"+g.SID)
		}
	}
	if len(remove) > 0 {
		fix += " /remove:g " + strings.Join(remove, " ")
	}
	if !ownerIsAdmin {
		fix = fmt.Sprintf("icacls %s /setowner *%s, then %s", q, SIDAdministrators, fix)
	}
	return fix
}

// ancestorFix is the advice for a folder above the checked path that
// others control: its ACL belongs to someone else (a user profile, a
// share), so the fix is to move caafix's file, not to change it.
func ancestorFix(what, path string) string {
	return fmt.Sprintf("move %s %s into a folder that only administrators control, such as %%ProgramData%%\\caafix (caafix creates it so), and point caafix at it", what, path)
}
