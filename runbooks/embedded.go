package runbooks

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/caafix/caafix/outcome"
)

// The runbooks shipped inside the binary. The binary's own Authenticode
// signature covers them, so they need no detached signature.
//
//go:embed library/*.yaml
var library embed.FS

// EmbeddedSigner is the Signer of a runbook compiled into the binary.
const EmbeddedSigner = "embedded"

// Summary describes an embedded runbook.
type Summary struct {
	Name    string
	Version int
	Title   string
	Error   string
}

// EmbeddedSource returns the exact YAML of the embedded runbook name, for
// "caafix runbook show"; ok is false when there is none.
func EmbeddedSource(name string) ([]byte, bool) {
	// The pattern keeps the name from walking out of library/.
	if !namePattern.MatchString(name) {
		return nil, false
	}
	b, err := library.ReadFile("library/" + name + ".yaml")
	return b, err == nil
}

// Embedded returns the embedded runbook name, with Source "embedded:NAME".
// An unknown name is a usage error whose hint lists the embedded runbooks.
func Embedded(name string) (*Runbook, error) {
	src, ok := EmbeddedSource(name)
	if !ok {
		return nil, outcome.Errorf(outcome.Usage, "no embedded runbook %q", name).
			WithHint("the embedded runbooks are " + strings.Join(names(), ", ") + "; to run a file, give its path (for example ./" + name + ".yaml)")
	}
	rb, err := Parse("embedded:"+name, src)
	if err != nil {
		// The library is tested; a build with a broken one must not ship.
		return nil, fmt.Errorf("embedded runbook %s is invalid: %w", name, err)
	}
	rb.Signer = EmbeddedSigner
	return rb, nil
}

// List summarises the embedded runbooks, sorted by name.
func List() []Summary {
	var out []Summary
	for _, name := range names() {
		if rb, err := Embedded(name); err == nil {
			out = append(out, Summary{Name: rb.Name, Version: rb.Version, Title: rb.Title, Error: rb.Error})
		}
	}
	return out
}

// names lists the embedded runbooks by file name, sorted.
func names() []string {
	entries, _ := fs.Glob(library, "library/*.yaml") // sorted; the pattern is valid
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(e, "library/"), ".yaml"))
	}
	return out
}
