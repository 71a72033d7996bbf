package runbooks

import (
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	for _, src := range []string{
		"# c\n\napiVersion: caafix/v1\nkind: Runbook\n",
		"apiVersion: caafix/v1\nkind: Runbook\nname: x\nversion: 1\ntitle: t\nsteps:\n  - id:\n    uses: escalate\n  -\n  - id: a\n    uses: w32tm.resync\n    with: {max_skwe: 5m}\n    timeout: 5\n  - {id: b, uses: credentials.remove, with: {prefixes: [\"Web Credentials\"]}}\n",
		"a: &a [1,2]\nb: *a\n",
		"",
		"- 1\n",
		"{",
		"apiVersion: caafix/v1\nkind: Runbook\nname: x\nversion: 1\ntitle: t\nsteps:\n  - id: a\n    uses: escalate\n    with:\n      message: |\n        hello\n        there\n",
	} {
		rb, err := Parse("f.yaml", []byte(src))
		fmt.Printf("---\n%+v\n%v\n", rb, err)
	}
}
