package device

import "fmt"

// ParseOfficeC2R parses the Click-to-Run configuration as ConvertTo-Csv
// prints it ("Platform","ClientCulture"). Empty output means the key does
// not exist: MSI Office or none. More than one row is an error.
func ParseOfficeC2R(text string) (Office, error) {
	t, err := readTable("office click-to-run", text, "Platform", "ClientCulture")
	if err != nil {
		return Office{}, err
	}
	switch len(t.rows) {
	case 0:
		return Office{}, nil
	case 1:
		return Office{Installed: true, Platform: t.get(0, "Platform"), Culture: t.get(0, "ClientCulture")}, nil
	}
	return Office{}, fmt.Errorf("office click-to-run: expected one configuration row, got %d", len(t.rows))
}
