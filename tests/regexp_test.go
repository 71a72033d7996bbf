package tests

import (
	"regexp"

	"github.com/rogpeppe/go-internal/testscript"
)

func regexpMatch(ts *testscript.TestScript, pattern, s string) bool {
	re, err := regexp.Compile(pattern)
	if err != nil {
		ts.Fatalf("bad regexp %q: %v", pattern, err)
	}
	return re.MatchString(s)
}
