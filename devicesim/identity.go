package devicesim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// Identifiers on the simulated device are derived from the scenario, so
// that one scenario always prints the same device IDs, SIDs and
// thumbprints (and golden files stay stable).

func digest(seed string) []byte {
	sum := sha256.Sum256([]byte("devicesim/" + seed))
	return sum[:]
}

// guid returns a lower-case GUID derived from seed.
func guid(seed string) string {
	h := hex.EncodeToString(digest(seed)[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// hexID returns n upper-case hex digits derived from seed.
func hexID(seed string, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(strings.ToUpper(hex.EncodeToString(digest(fmt.Sprintf("%s/%d", seed, i)))))
	}
	return b.String()[:n]
}

// sidParts returns k 32-bit numbers derived from seed, for SIDs.
func sidParts(seed string, k int) []string {
	d := digest(seed)
	out := make([]string, k)
	for i := range out {
		out[i] = fmt.Sprint(binary.LittleEndian.Uint32(d[4*i:]))
	}
	return out
}

// userParts splits alex@contoso.com into alex and contoso.com.
func userParts(user string) (local, domain string) {
	local, domain, _ = strings.Cut(user, "@")
	if domain == "" {
		domain = "contoso.com"
	}
	return local, domain
}

// netbiosDomain is the NetBIOS name of the user's AD domain: CONTOSO.
func netbiosDomain(dev Device) string {
	_, domain := userParts(dev.User)
	first, _, _ := strings.Cut(domain, ".")
	return strings.ToUpper(first)
}

// tenantName is the Entra tenant's display name: Contoso.
func tenantName(dev Device) string {
	n := strings.ToLower(netbiosDomain(dev))
	return strings.ToUpper(n[:1]) + n[1:]
}

func tenantID(dev Device) string {
	_, domain := userParts(dev.User)
	return guid("tenant/" + domain)
}

// accountName is how Windows names the signed-in user for the join type:
// AzureAD\alex on Entra joined and registered devices, CONTOSO\alex on
// domain and hybrid joined ones, PC-0042\alex otherwise.
func accountName(dev Device) string {
	local, _ := userParts(dev.User)
	switch dev.Join {
	case JoinCloud, JoinRegistered:
		return `AzureAD\` + local
	case JoinHybrid, JoinDomain:
		return netbiosDomain(dev) + `\` + local
	}
	return strings.ToUpper(dev.Hostname) + `\` + local
}

// userSID is the signed-in user's SID: S-1-12-1-… for Entra ID accounts,
// S-1-5-21-… for domain and local ones.
func userSID(dev Device) string {
	switch dev.Join {
	case JoinCloud, JoinRegistered:
		return "S-1-12-1-" + strings.Join(sidParts("aaduser/"+dev.User, 4), "-")
	case JoinHybrid, JoinDomain:
		_, domain := userParts(dev.User)
		return "S-1-5-21-" + strings.Join(sidParts("domain/"+domain, 3), "-") + "-1104"
	}
	return "S-1-5-21-" + strings.Join(sidParts("machine/"+dev.Hostname, 3), "-") + "-1001"
}

// deviceFQDN is the computer name with the AD domain on domain-joined
// devices.
func deviceFQDN(dev Device) string {
	if dev.Join == JoinHybrid || dev.Join == JoinDomain {
		_, domain := userParts(dev.User)
		return dev.Hostname + "." + domain
	}
	return dev.Hostname
}
