package device

import (
	"fmt"
	"strings"
)

// Enrollment is one subkey of HKLM\SOFTWARE\Microsoft\Enrollments.
type Enrollment struct {
	ID         string // the subkey name: a GUID for an enrollment
	ProviderID string // "MS DM Server" for Intune and other MDM
}

// fakeEnrollment is an all-F GUID entry that Windows leaves on devices that
// were never enrolled; it proves nothing.
const fakeEnrollment = "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"

// mdmProvider is the ProviderID of an MDM enrollment.
const mdmProvider = "MS DM Server"

// ParseEnrollments parses the Enrollments subkeys as ConvertTo-Csv prints
// them ("PSChildName","ProviderID"). Empty output means no subkeys.
func ParseEnrollments(text string) ([]Enrollment, error) {
	t, err := readTable("enrollments", text, "PSChildName", "ProviderID")
	if err != nil {
		return nil, err
	}
	out := []Enrollment{}
	for i := range t.rows {
		id := t.get(i, "PSChildName")
		if id == "" {
			return nil, fmt.Errorf("enrollments: row %d: empty PSChildName", i+2)
		}
		out = append(out, Enrollment{ID: id, ProviderID: t.get(i, "ProviderID")})
	}
	return out, nil
}

// MDMEnrolled reports whether any enrollment is an MDM enrollment ("MS DM
// Server") other than the fake all-F GUID. MdmUrl in dsregcmd /status does
// not prove enrollment; this does. A stale enrollment left behind by an
// incomplete unenrollment still counts: for the policy gate, managed is the
// safe side.
func MDMEnrolled(es []Enrollment) bool {
	for _, e := range es {
		id := strings.Trim(e.ID, "{}")
		if strings.EqualFold(e.ProviderID, mdmProvider) && !strings.EqualFold(id, fakeEnrollment) {
			return true
		}
	}
	return false
}
