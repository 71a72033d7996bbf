package devicesim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/caafix/caafix/outcome"
)

// A ScenarioError is one problem in a scenario file. Nothing has touched
// the simulated device yet, so the outcome is always a usage error.
type ScenarioError struct {
	File      string
	Line, Col int
	Problem   string // what is wrong, then what to do about it
}

func (e *ScenarioError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Problem)
}

// Outcome returns [outcome.Usage]: a bad scenario is a usage error.
func (e *ScenarioError) Outcome() outcome.Kind { return outcome.Usage }

// problems collects the problems of one scenario file.
type problems struct {
	file string
	list []*ScenarioError
}

func (p *problems) add(pos position, format string, args ...any) {
	p.list = append(p.list, &ScenarioError{File: p.file, Line: pos.line, Col: pos.col, Problem: fmt.Sprintf(format, args...)})
}

// err returns every problem, in file order, as one error whose text has
// one problem a line; nil when there is none.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	sort.SliceStable(p.list, func(i, j int) bool {
		a, b := p.list[i], p.list[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	var merr *multierror.Error
	for _, e := range p.list {
		merr = multierror.Append(merr, e)
	}
	merr.ErrorFormat = func(errs []error) string {
		lines := make([]string, len(errs))
		for i, e := range errs {
			lines[i] = e.Error()
		}
		return strings.Join(lines, "\n")
	}
	return merr
}

// position is a line and column in a scenario file, both from 1.
type position struct{ line, col int }
