package device

import (
	"fmt"
	"strings"
)

// ParseInteractiveUser reads Win32_ComputerSystem's UserName: the user
// signed in at the console (DOMAIN\user, AzureAD\user), "" when nobody is.
// More than one line, or control characters, is an error.
func ParseInteractiveUser(text string) (string, error) {
	var user string
	for _, l := range lines(text) {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if user != "" {
			return "", fmt.Errorf("interactive user: expected one user name, got a second line %q", clip(l, 80))
		}
		user = l
	}
	if hasControl(user) {
		return "", fmt.Errorf("interactive user: %q is not a user name", clip(user, 80))
	}
	return user, nil
}
