// Package trustfs decides whether the files caafix's trust rests on — the
// configuration file, the trust store's key files, the state dir (which
// holds the rollback record) and the audit log's dir — are safe from
// everyone but administrators, and creates caafix's own folders so that
// they are. Whoever can change one of them can change what caafix trusts:
// add a key, choose another state dir, reset the version record.
//
// # What is checked
//
// Elsewhere than Windows ([Check]): the path, with symlinks resolved,
// and every directory above it up to /. Each must be owned by root or by
// the user caafix runs as (an owner can chmod), and none may be group- or
// world-writable — except a directory above with the sticky bit (such as
// /tmp), where others cannot rename or remove what they do not own.
//
// On Windows: the owner and the DACL of the path (GetNamedSecurityInfo).
// Only SYSTEM, Administrators and TrustedInstaller may own it or hold a
// write-class right (write or append data, write attributes or extended
// attributes, delete, delete child, write DAC, write owner, or the
// generic write and all rights); CREATOR OWNER and OWNER RIGHTS count as
// the owner. Inherit-only entries count too: they give their rights to the
// files caafix creates inside. A missing (NULL) DACL grants everyone
// everything. Every directory above must be owned by those three and may
// grant no one else a right that replaces what is inside (delete, delete
// child, write DAC, write owner, generic all): %ProgramData%'s default lets
// users add folders, which is harmless above an existing caafix folder.
// The decision is [Writers], a pure function over the entries, so it is
// tested on every platform; only the conversion of the real DACL is
// Windows code.
//
// [EnsureDir] creates caafix's own folders: mode 0700 elsewhere, and on
// Windows a protected DACL that grants full control to SYSTEM and
// Administrators only (no inherited entries), set as the folder is created
// (CreateDirectory with its security descriptor), so there is no moment in
// which another account could open it. A folder that exists already is
// checked, never repaired: it is refused with the command that fixes it.
//
// # Limits
//
// Windows accounts are judged by SID: a user who is a member of
// Administrators but holds a right under their own SID is refused, since
// group membership can change. Deny entries are ignored (they could only
// make the answer kinder). The check is made when caafix starts; a change
// made while it runs is not seen.
package trustfs
