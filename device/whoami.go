package device

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Account is the account caafix runs as, from whoami /user.
type Account struct {
	Name string // DOMAIN\user; localized for built-in accounts (nt authority\system)
	SID  string // never localized
}

// The SIDs of the built-in service accounts. Their names are localized;
// their SIDs are not.
const (
	SIDLocalSystem    = "S-1-5-18"
	SIDLocalService   = "S-1-5-19"
	SIDNetworkService = "S-1-5-20"
)

// System reports whether the account is LocalSystem or another built-in
// service account: an account with no user profile of interest, so user
// steps must not run as it.
func (a Account) System() bool {
	switch a.SID {
	case SIDLocalSystem, SIDLocalService, SIDNetworkService:
		return true
	}
	return false
}

var sidPattern = regexp.MustCompile(`^S-1-\d+(-\d+)+$`)

// ParseWhoamiUser parses whoami /user /fo csv /nh: one row, the account
// name and its SID.
func ParseWhoamiUser(text string) (Account, error) {
	recs, err := readCSV(text)
	if err != nil {
		return Account{}, fmt.Errorf("whoami /user: not CSV: %w", err)
	}
	for _, r := range recs {
		if len(r) == 2 && sidPattern.MatchString(strings.TrimSpace(r[1])) {
			return Account{Name: strings.TrimSpace(r[0]), SID: strings.TrimSpace(r[1])}, nil
		}
	}
	return Account{}, errors.New(`whoami /user: expected a row such as "desktop\alex","S-1-5-21-…-1001"`)
}

// Integrity is a Windows mandatory integrity level: the last part of the
// S-1-16-… label SID.
type Integrity int

// The integrity levels.
const (
	IntegrityUntrusted  Integrity = 0
	IntegrityLow        Integrity = 4096
	IntegrityMedium     Integrity = 8192
	IntegrityMediumPlus Integrity = 8448
	IntegrityHigh       Integrity = 12288 // an elevated administrator
	IntegritySystem     Integrity = 16384 // SYSTEM and services
	IntegrityProtected  Integrity = 20480
)

// Elevated reports whether the level is high or above.
func (i Integrity) Elevated() bool { return i >= IntegrityHigh }

var labelSID = regexp.MustCompile(`^S-1-16-(\d+)$`)

// ParseWhoamiGroups returns the integrity level from whoami /groups /fo
// csv /nh: the group whose SID is a mandatory label (S-1-16-…). The group
// names and types are localized, the SID is not.
func ParseWhoamiGroups(text string) (Integrity, error) {
	recs, err := readCSV(text)
	if err != nil {
		return 0, fmt.Errorf("whoami /groups: not CSV: %w", err)
	}
	for _, r := range recs {
		for _, f := range r {
			if m := labelSID.FindStringSubmatch(strings.TrimSpace(f)); m != nil {
				n, err := strconv.Atoi(m[1])
				if err != nil {
					return 0, fmt.Errorf("whoami /groups: label SID %q out of range", f)
				}
				return Integrity(n), nil
			}
		}
	}
	return 0, errors.New(`whoami /groups: no mandatory label: expected a row with a SID such as "S-1-16-12288"`)
}
