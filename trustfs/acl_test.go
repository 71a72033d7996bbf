package trustfs

import (
	"slices"
	"strings"
	"testing"
)

// Access masks and ACE flags as icacls abbreviates them (winnt.h values).
const (
	maskF       = 0x001F01FF // F: FILE_ALL_ACCESS
	maskM       = 0x001301BF // M: modify
	maskRX      = 0x001200A9 // RX: read and execute
	maskWDADWEA = 0x00000116 // (WD,AD,WEA,WA): add file, add subfolder, write EA and attributes
	maskGA      = 0x10000000 // (GA): generic all
	flagOI      = 0x1
	flagCI      = 0x2
	flagIO      = inheritOnly
	flagI       = 0x10 // inherited
	sidUsers    = "S-1-5-32-545"
	sidAuth     = "S-1-5-11"
	sidEveryone = "S-1-1-0"
	sidAlex     = "S-1-5-21-1004336348-1177238915-682003330-1001"
)

func allow(sid string, flags byte, mask uint32) ACE {
	return ACE{SID: sid, Type: aceAllowed, Flags: flags, Mask: mask}
}

// programData is %ProgramData%'s default DACL, as icacls prints it on
// Windows 10 and 11 (Microsoft's default; transcribed, not captured here):
//
//	NT AUTHORITY\SYSTEM:(OI)(CI)(F)
//	BUILTIN\Administrators:(OI)(CI)(F)
//	CREATOR OWNER:(OI)(CI)(IO)(F)
//	BUILTIN\Users:(OI)(CI)(RX)
//	BUILTIN\Users:(CI)(WD,AD,WEA,WA)
var programData = []ACE{
	allow(SIDSystem, flagOI|flagCI, maskF),
	allow(SIDAdministrators, flagOI|flagCI, maskF),
	allow(SIDCreatorOwner, flagOI|flagCI|flagIO, maskF),
	allow(sidUsers, flagOI|flagCI, maskRX),
	allow(sidUsers, flagCI, maskWDADWEA),
}

// inheritedBy is what a folder created inside a folder with dacl inherits.
func inheritedBy(dacl []ACE) []ACE {
	var out []ACE
	for _, a := range dacl {
		if a.Flags&flagCI == 0 {
			continue
		}
		// A CI entry applies to the subfolder itself and is passed on.
		a.Flags = (a.Flags | flagI) &^ flagIO
		if a.SID == SIDCreatorOwner {
			// CREATOR OWNER becomes the creator on the folder itself and
			// stays an inherit-only CREATOR OWNER entry for what is inside.
			a.Flags |= flagIO
		}
		out = append(out, a)
	}
	return out
}

// caafixOwn is the DACL EnsureDir sets: D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA).
var caafixOwn = []ACE{allow(SIDSystem, flagOI|flagCI, maskF), allow(SIDAdministrators, flagOI|flagCI, maskF)}

func TestWriters(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		sd       Security
		ancestor bool
		want     []string // SIDs that can change it
	}{
		{"caafix's own folder: administrators only", Security{Owner: SIDAdministrators, DACL: caafixOwn}, false, nil},
		{"owned by SYSTEM", Security{Owner: SIDSystem, DACL: caafixOwn}, false, nil},
		{"owned by TrustedInstaller", Security{Owner: SIDTrustedInstall, DACL: caafixOwn}, false, nil},
		{"a folder pre-created in ProgramData inherits the users' add-file right", Security{Owner: SIDAdministrators, DACL: inheritedBy(programData)}, false, []string{sidUsers}},
		{"ProgramData above an existing folder is fine", Security{Owner: SIDSystem, DACL: programData}, true, nil},
		{"ProgramData itself is no place for a trust file", Security{Owner: SIDSystem, DACL: programData}, false, []string{sidUsers}},
		{"CREATOR OWNER counts as the owner: an admin", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), allow(SIDCreatorOwner, flagOI|flagCI|flagIO, maskF))}, false, nil},
		{"CREATOR OWNER counts as the owner: a user", Security{Owner: sidAlex, DACL: append(slices.Clone(caafixOwn), allow(SIDCreatorOwner, flagOI|flagCI|flagIO, maskF))}, false, []string{SIDCreatorOwner, sidAlex}},
		{"OWNER RIGHTS counts as the owner", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), allow(SIDOwnerRights, 0, maskF))}, false, nil},
		{"a user who owns it can change its DACL", Security{Owner: sidAlex, DACL: caafixOwn}, false, []string{sidAlex}},
		{"a user owning a folder above can too", Security{Owner: sidAlex, DACL: caafixOwn}, true, []string{sidAlex}},
		{"Everyone with full control", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), allow(sidEveryone, flagOI|flagCI, maskF))}, false, []string{sidEveryone}},
		{"Authenticated Users with modify", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), allow(sidAuth, flagOI|flagCI|flagI, maskM))}, false, []string{sidAuth}},
		{"users who may only read and run", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), allow(sidUsers, flagOI|flagCI, maskRX))}, false, nil},
		{"an inherit-only grant reaches the files caafix creates", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), allow(sidUsers, flagOI|flagIO, maskGA))}, false, []string{sidUsers}},
		{"an inherit-only grant on a folder above does not count", Security{Owner: SIDSystem, DACL: append(slices.Clone(caafixOwn), allow(sidUsers, flagOI|flagCI|flagIO, maskGA))}, true, nil},
		{"delete child on a folder above lets a user replace what is inside", Security{Owner: SIDSystem, DACL: append(slices.Clone(caafixOwn), allow(sidUsers, 0, 0x40))}, true, []string{sidUsers}},
		{"write DAC on a folder above", Security{Owner: SIDSystem, DACL: append(slices.Clone(caafixOwn), allow(sidUsers, 0, 0x40000))}, true, []string{sidUsers}},
		{"a deny entry grants nothing", Security{Owner: SIDAdministrators, DACL: append([]ACE{{SID: sidUsers, Type: aceDeniedType, Mask: maskF}}, caafixOwn...)}, false, nil},
		{"a NULL DACL grants everyone everything", Security{Owner: SIDAdministrators, NullDACL: true}, false, []string{sidEveryone}},
		{"an allowed-callback entry grants like an allowed one", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), ACE{SID: sidUsers, Type: aceAllowedCallback, Mask: 0x2})}, false, []string{sidUsers}},
		{"an entry that could not be read fails closed", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), ACE{SID: "(entry 2 of type 0x5)", Type: aceAllowedObject, Mask: 0x2})}, false, []string{"(entry 2 of type 0x5)"}},
		{"generic write", Security{Owner: SIDAdministrators, DACL: append(slices.Clone(caafixOwn), allow(sidUsers, 0, 0x40000000))}, false, []string{sidUsers}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			gs := Writers(c.sd, c.ancestor)
			var got []string
			for _, g := range gs {
				got = append(got, g.SID)
				if len(g.Rights) == 0 || g.Who == "" {
					t.Errorf("grant %+v names no account or right", g)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Writers = %q, want %q (%+v)", got, c.want, gs)
			}
		})
	}
}

// aceDeniedType is ACCESS_DENIED_ACE_TYPE.
const aceDeniedType = 0x1

func TestWritersSayWhoAndHow(t *testing.T) {
	t.Parallel()
	gs := Writers(Security{Owner: SIDAdministrators, DACL: inheritedBy(programData)}, false)
	got := describe(gs)
	want := `BUILTIN\Users (S-1-5-32-545): write data / add file, append data / add subfolder, write extended attributes, write attributes`
	if got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
}

func TestIcaclsFix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		path         string
		dir          bool
		ownerIsAdmin bool
		gs           []Grant
		want         string
	}{
		{"a weak folder", `C:\ProgramData\caafix\state`, true, true, []Grant{{SID: sidUsers}},
			`icacls "C:\ProgramData\caafix\state" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" /remove:g *S-1-5-32-545`},
		{"a weak file owned by a user", `C:\ProgramData\caafix\caafix.yaml`, false, false, []Grant{{SID: sidAlex}, {SID: sidEveryone}},
			`icacls "C:\ProgramData\caafix\caafix.yaml" /setowner *S-1-5-32-544, then icacls "C:\ProgramData\caafix\caafix.yaml" /inheritance:r /grant:r "*S-1-5-18:F" "*S-1-5-32-544:F" /remove:g *S-1-5-21-1004336348-1177238915-682003330-1001 *S-1-1-0`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := icaclsFix(c.path, c.dir, c.ownerIsAdmin, c.gs); got != c.want {
				t.Errorf("icaclsFix =\n %s\nwant\n %s", got, c.want)
			}
			if strings.Contains(c.want, "(OI)") != c.dir {
				t.Error("inheritance flags belong to folders only")
			}
		})
	}
}
