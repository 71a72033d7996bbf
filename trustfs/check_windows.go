package trustfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"unsafe"

	"golang.org/x/sys/windows"
)

// ancestorAdvice: a folder above belongs to someone else (a profile, a
// share); the advice is to move caafix's file, not to change that folder.
const ancestorAdvice = true

// ownDirSDDL is caafix's own folders' security descriptor: a protected
// DACL (P: nothing inherited from %ProgramData%, whose default lets users
// add folders) with full control for SYSTEM and Administrators, passed on
// to files and folders inside (OICI).
const ownDirSDDL = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"

// The ACE types whose SID follows the mask directly (winnt.h); the object
// types put a GUID pair in between.
const (
	aceDenied         = 0x1
	aceDeniedCallback = 0xA
)

func inspect(path string, ancestor bool) (who, fix string, err error) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", "", fmt.Errorf("read its security descriptor: %w", err)
	}
	sec, err := security(sd)
	if err != nil {
		return "", "", err
	}
	gs := Writers(sec, ancestor)
	if len(gs) == 0 {
		return "", "", nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", "", err
	}
	return describe(gs), icaclsFix(path, info.IsDir(), slices.Contains(adminSIDs, sec.Owner), gs), nil
}

// security converts a real security descriptor for [Writers].
func security(sd *windows.SECURITY_DESCRIPTOR) (Security, error) {
	var sec Security
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return sec, fmt.Errorf("read its owner: %v", err)
	}
	sec.Owner, sec.OwnerName = owner.String(), account(owner)
	dacl, _, err := sd.DACL()
	switch {
	case errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND) || (err == nil && dacl == nil):
		sec.NullDACL = true
		return sec, nil
	case err != nil:
		return sec, fmt.Errorf("read its DACL: %w", err)
	}
	for i := uint32(0); i < uint32(dacl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return sec, fmt.Errorf("read entry %d of its DACL: %w", i, err)
		}
		e := ACE{Type: ace.Header.AceType, Flags: ace.Header.AceFlags, Mask: uint32(ace.Mask)}
		switch e.Type {
		case aceAllowed, aceAllowedCallback, aceDenied, aceDeniedCallback:
			sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
			e.SID = sid.String()
			if !slices.Contains(adminSIDs, e.SID) {
				e.Name = account(sid)
			}
		default:
			// An object entry's SID sits behind GUIDs; file systems do not
			// use them. Unread, it counts as someone else (fail closed).
			e.SID = fmt.Sprintf("(entry %d of type %#x)", i, e.Type)
		}
		sec.DACL = append(sec.DACL, e)
	}
	return sec, nil
}

// account is DOMAIN\name for sid, or "" when it cannot be looked up.
func account(sid *windows.SID) string {
	name, domain, _, err := sid.LookupAccount("")
	switch {
	case err != nil:
		return ""
	case domain == "":
		return name
	}
	return domain + `\` + name
}

// mkdirAll creates the missing folders of dir, outermost first, each with
// the admin-only DACL set as it is created. A folder that appears in the
// meantime is left to [Check].
func mkdirAll(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var missing []string
	for p := abs; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	sd, err := windows.SecurityDescriptorFromString(ownDirSDDL)
	if err != nil {
		return fmt.Errorf("build the folder's security descriptor: %w", err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	for i := len(missing) - 1; i >= 0; i-- {
		p, err := windows.UTF16PtrFromString(missing[i])
		if err != nil {
			return err
		}
		if err := windows.CreateDirectory(p, sa); err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
			return &fs.PathError{Op: "create", Path: missing[i], Err: err}
		}
	}
	return nil
}
