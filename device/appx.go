package device

import (
	"fmt"
	"strings"
)

// BrokerPluginName is the Web Account Manager's Entra ID plug-in, a
// system app registered for every user.
const BrokerPluginName = "Microsoft.AAD.BrokerPlugin"

// AppxPackage is one row of Get-AppxPackage.
type AppxPackage struct {
	Name            string
	PackageFullName string
	Status          string // Ok, or the problems Windows found (e.g. Modified, Tampered)
}

// ParseAppxPackages parses Get-AppxPackage … | Select-Object Name,
// PackageFullName, Status | ConvertTo-Csv -NoTypeInformation. Empty output
// is an empty list: Get-AppxPackage -Name prints nothing when the package
// is not registered for the user.
func ParseAppxPackages(text string) ([]AppxPackage, error) {
	t, err := readTable("appx packages", text, "Name", "PackageFullName", "Status")
	if err != nil {
		return nil, err
	}
	out := []AppxPackage{}
	for i := range t.rows {
		out = append(out, AppxPackage{Name: t.get(i, "Name"), PackageFullName: t.get(i, "PackageFullName"), Status: t.get(i, "Status")})
	}
	return out, nil
}

// BrokerPluginRegistered reports whether the list holds the broker plug-in
// in a usable state (Status Ok).
func BrokerPluginRegistered(ps []AppxPackage) (bool, string) {
	for _, p := range ps {
		if !strings.EqualFold(p.Name, BrokerPluginName) {
			continue
		}
		if !strings.EqualFold(p.Status, "Ok") {
			return false, fmt.Sprintf("%s is registered but its status is %s", p.PackageFullName, p.Status)
		}
		return true, p.PackageFullName + " is registered"
	}
	return false, BrokerPluginName + " is not registered for this user"
}
