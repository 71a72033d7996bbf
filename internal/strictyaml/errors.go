package strictyaml

import (
	"strings"

	"github.com/hashicorp/go-multierror"
)

// JoinErrors returns errs, in order, as a *multierror.Error whose text is
// one error per line, so that a file's problems read like a compiler's
// ("caafix runbook lint", "caafix config check"). It returns a non-nil
// *multierror.Error even for no errors; callers join only when they have
// some.
func JoinErrors[E error](errs []E) *multierror.Error {
	me := &multierror.Error{ErrorFormat: oneLineEach}
	for _, e := range errs {
		me.Errors = append(me.Errors, e)
	}
	return me
}

// oneLineEach formats a multierror as one line per error.
func oneLineEach(es []error) string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
