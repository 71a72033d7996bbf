package runbooks

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/hashicorp/go-multierror"

	"github.com/caafix/caafix/internal/strictyaml"
	"github.com/caafix/caafix/outcome"
)

// MaxSize is the largest runbook file accepted, in bytes.
const MaxSize = strictyaml.MaxSize

var (
	namePattern = regexp.MustCompile(`^[a-z0-9-]+$`)
	topKeys     = []string{"apiVersion", "kind", "name", "version", "title", "error", "detect", "steps"}
	stepKeys    = []string{"id", "uses", "with", "timeout", "rollback"}
	detectKeys  = []string{"uses", "with"}
)

// Load reads and parses the runbook file at path.
func Load(path string) (*Runbook, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, &LoadError{File: path, Problem: fmt.Sprintf("cannot read the runbook: %v; check the path, or run \"caafix runbook list\" for the embedded ones", errors.Unwrap(err))}
	}
	if info.Size() > MaxSize {
		return nil, &LoadError{File: path, Problem: fmt.Sprintf("the file is %d bytes; runbooks may be at most %d (1 MiB)", info.Size(), MaxSize)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{File: path, Problem: fmt.Sprintf("cannot read the runbook: %v", err)}
	}
	return Parse(path, data)
}

// Parse decodes and validates a runbook. The error, when not nil, holds
// every problem found, one *LoadError each, sorted by position.
func Parse(file string, data []byte) (*Runbook, error) {
	d := &decoder{file: file}
	root, probs := strictyaml.Parse(data)
	for _, p := range probs {
		d.add(p)
	}
	rb := &Runbook{Source: file}
	sum := sha256.Sum256(data)
	rb.SHA256 = hex.EncodeToString(sum[:])
	if len(probs) == 0 {
		if root == nil {
			d.add(strictyaml.Problem{Line: 1, Col: 1, Msg: "the file is empty: a runbook needs apiVersion, kind, name, version, title and steps"})
		} else {
			d.runbook(root, rb)
		}
	}
	if len(d.errs) > 0 {
		return nil, d.result()
	}
	return rb, nil
}

type decoder struct {
	file string
	errs []*LoadError
}

func (d *decoder) add(p strictyaml.Problem) {
	d.errs = append(d.errs, &LoadError{File: d.file, Line: p.Line, Col: p.Col, Problem: p.Msg})
}

func (d *decoder) at(n ast.Node, format string, args ...any) {
	d.add(strictyaml.At(n, format, args...))
}

func (d *decoder) result() error {
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i], d.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	var me *multierror.Error
	for _, e := range d.errs {
		me = multierror.Append(me, e)
	}
	me.ErrorFormat = func(es []error) string {
		lines := make([]string, len(es))
		for i, e := range es {
			lines[i] = e.Error()
		}
		return strings.Join(lines, "\n")
	}
	return me
}

// fields checks that n is a mapping with only known keys and returns it
// by key.
func (d *decoder) fields(n ast.Node, what string, known []string) map[string]strictyaml.Field {
	fs, probs, ok := strictyaml.Mapping(n)
	if !ok {
		d.at(n, "%s must be a mapping of keys to values", what)
		return nil
	}
	for _, p := range probs {
		d.add(p)
	}
	out := map[string]strictyaml.Field{}
	for _, f := range fs {
		if !contains(known, f.Key) {
			msg := fmt.Sprintf("unknown key %q in %s", f.Key, what)
			if near := strictyaml.Closest(f.Key, known); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			} else {
				msg += "; known keys: " + strings.Join(known, ", ")
			}
			d.at(f.KeyAt, "%s", msg)
			continue
		}
		out[f.Key] = f
	}
	return out
}

func (d *decoder) str(f map[string]strictyaml.Field, key, what string, required bool) (string, ast.Node) {
	fl, ok := f[key]
	if !ok || strictyaml.IsNull(fl.Value) {
		if required {
			d.add(strictyaml.Problem{Line: 1, Col: 1, Msg: fmt.Sprintf("%s: %q is required", what, key)})
		}
		return "", nil
	}
	s, ok := strictyaml.String(fl.Value)
	if !ok {
		d.at(fl.Value, "%s: %q must be text", what, key)
		return "", nil
	}
	return s, fl.Value
}

func (d *decoder) runbook(root ast.Node, rb *Runbook) {
	f := d.fields(root, "the runbook", topKeys)
	if f == nil {
		return
	}
	const what = "runbook"
	var n ast.Node
	rb.APIVersion, n = d.str(f, "apiVersion", what, true)
	if n != nil && rb.APIVersion != "caafix/v1" {
		d.at(n, "apiVersion %q is not supported: use caafix/v1", rb.APIVersion)
	}
	rb.Kind, n = d.str(f, "kind", what, true)
	if n != nil && rb.Kind != "Runbook" {
		d.at(n, "kind %q is not supported: use Runbook", rb.Kind)
	}
	rb.Name, n = d.str(f, "name", what, true)
	if n != nil && (!namePattern.MatchString(rb.Name) || len(rb.Name) > 64) {
		d.at(n, "name %q must be 1 to 64 of a-z, 0-9 and -", rb.Name)
	}
	if fl, ok := f["version"]; !ok {
		d.add(strictyaml.Problem{Line: 1, Col: 1, Msg: "runbook: \"version\" is required (an integer >= 1, raised with every signed release)"})
	} else if v, ok := strictyaml.Int(fl.Value); !ok || v < 1 {
		d.at(fl.Value, "version must be an integer >= 1")
	} else {
		rb.Version = v
	}
	rb.Title, _ = d.str(f, "title", what, true)
	rb.Error, _ = d.str(f, "error", what, false)
	if fl, ok := f["detect"]; ok && !strictyaml.IsNull(fl.Value) {
		rb.Detect = d.detect(fl.Value)
	}
	fl, ok := f["steps"]
	if !ok {
		d.add(strictyaml.Problem{Line: 1, Col: 1, Msg: "runbook: \"steps\" is required: a list of at least one step"})
		return
	}
	items, ok := strictyaml.Sequence(fl.Value)
	if !ok || len(items) == 0 {
		d.at(fl.KeyAt, "steps must be a list of at least one step")
		return
	}
	ids := map[string]int{}
	for i, item := range items {
		st := d.step(item, i)
		if st.ID != "" {
			if prev, dup := ids[st.ID]; dup {
				d.at(item, "step id %q is used twice (first at line %d): ids must be unique", st.ID, prev)
			} else {
				ids[st.ID] = st.Line
			}
		}
		rb.Steps = append(rb.Steps, st)
	}
}

func (d *decoder) detect(n ast.Node) *Detect {
	f := d.fields(n, "detect", detectKeys)
	if f == nil {
		return nil
	}
	det := &Detect{}
	var un ast.Node
	det.Uses, un = d.str(f, "uses", "detect", true)
	if un != nil && det.Uses != "aad.symptom" {
		d.at(un, "detect.uses %q is not a symptom check: use aad.symptom", det.Uses)
	}
	if w, ok := f["with"]; ok && un != nil {
		det.With = d.with(w.Value, det.Uses, "detect")
	}
	return det
}

func (d *decoder) step(n ast.Node, i int) Step {
	st := Step{Line: strictyaml.Line(n), Col: strictyaml.Col(n)}
	what := fmt.Sprintf("step %d", i+1)
	f := d.fields(n, what, stepKeys)
	if f == nil {
		return st
	}
	var in, un ast.Node
	st.ID, in = d.str(f, "id", what, true)
	if in == nil {
		if _, has := f["id"]; !has {
			d.errs[len(d.errs)-1].Line, d.errs[len(d.errs)-1].Col = st.Line, st.Col
		}
	} else if !namePattern.MatchString(st.ID) || len(st.ID) > 64 {
		d.at(in, "step id %q must be 1 to 64 of a-z, 0-9 and -", st.ID)
	}
	if st.ID != "" {
		what = fmt.Sprintf("step %q", st.ID)
	}
	st.Uses, un = d.str(f, "uses", what, true)
	if un == nil {
		if _, has := f["uses"]; !has {
			d.errs[len(d.errs)-1].Line, d.errs[len(d.errs)-1].Col = st.Line, st.Col
		}
	} else if _, ok := Types[st.Uses]; !ok {
		msg := fmt.Sprintf("%s: unknown step type %q", what, st.Uses)
		if near := strictyaml.Closest(st.Uses, TypeNames()); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		d.at(un, "%s; the types are: %s", msg, strings.Join(TypeNames(), ", "))
		un = nil
	}
	if w, ok := f["with"]; ok && un != nil {
		st.With = d.with(w.Value, st.Uses, what)
	}
	if fl, ok := f["timeout"]; ok {
		if s, ok := strictyaml.String(fl.Value); !ok {
			d.at(fl.Value, "%s: timeout must be a duration such as 2m", what)
		} else if t, err := time.ParseDuration(s); err != nil {
			d.at(fl.Value, "%s: timeout %q is not a duration: write it like 90s, 2m or 1h30m", what, s)
		} else if t < time.Second || t > time.Hour {
			d.at(fl.Value, "%s: timeout %s must be between 1s and 1h", what, t)
		} else {
			st.Timeout = t
		}
	}
	st.Rollback, _ = d.str(f, "rollback", what, false)
	return st
}

// with decodes a step's parameters against the type's specs.
func (d *decoder) with(n ast.Node, uses, what string) map[string]any {
	specs := Types[uses]
	if strictyaml.IsNull(n) {
		return nil
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	fs, probs, ok := strictyaml.Mapping(n)
	if !ok {
		d.at(n, "%s: with must be a mapping of parameters", what)
		return nil
	}
	for _, p := range probs {
		d.add(p)
	}
	out := map[string]any{}
	for _, f := range fs {
		spec, ok := findSpec(specs, f.Key)
		if !ok {
			msg := fmt.Sprintf("%s: %s has no parameter %q", what, uses, f.Key)
			switch {
			case len(names) == 0:
				msg += "; it takes none"
			case strictyaml.Closest(f.Key, names) != "":
				msg += fmt.Sprintf("; did you mean %q?", strictyaml.Closest(f.Key, names))
			default:
				msg += "; it takes: " + strings.Join(names, ", ")
			}
			d.at(f.KeyAt, "%s", msg)
			continue
		}
		v, ok := decodeParam(f.Value, spec.Kind)
		if !ok {
			d.at(f.Value, "%s: %s must be %s", what, f.Key, spec.Kind)
			continue
		}
		if spec.Check != nil {
			if err := spec.Check(v); err != nil {
				d.at(f.Value, "%s: %s %v", what, f.Key, err)
				continue
			}
		}
		out[f.Key] = v
	}
	return out
}

func decodeParam(n ast.Node, k ParamKind) (any, bool) {
	switch k {
	case Duration:
		s, ok := strictyaml.String(n)
		if !ok {
			return nil, false
		}
		if s == "0" {
			return time.Duration(0), true
		}
		t, err := time.ParseDuration(s)
		return t, err == nil
	case Int:
		return strictyaml.Int(n)
	case Bool:
		return strictyaml.Bool(n)
	case String:
		if !strictyaml.IsString(n) {
			return nil, false
		}
		return strictyaml.String(n)
	case StringList:
		items, ok := strictyaml.Sequence(n)
		if !ok {
			return nil, false
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := strictyaml.String(it)
			if !ok || !strictyaml.IsString(it) {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func findSpec(specs []ParamSpec, name string) (ParamSpec, bool) {
	for _, s := range specs {
		if s.Name == name {
			return s, true
		}
	}
	return ParamSpec{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

//go:embed library/*.yaml
var library embed.FS

// Summary describes an embedded runbook.
type Summary struct {
	Name    string
	Version int
	Title   string
	Error   string
}

// EmbeddedSource returns the YAML of the embedded runbook name.
func EmbeddedSource(name string) ([]byte, bool) {
	if !namePattern.MatchString(name) {
		return nil, false
	}
	b, err := library.ReadFile("library/" + name + ".yaml")
	return b, err == nil
}

// Embedded returns the embedded runbook name.
func Embedded(name string) (*Runbook, error) {
	src, ok := EmbeddedSource(name)
	if !ok {
		names := []string{}
		for _, s := range List() {
			names = append(names, s.Name)
		}
		return nil, outcome.Errorf(outcome.Usage, "no embedded runbook %q", name).
			WithHint("the embedded runbooks are: " + strings.Join(names, ", ") + "; to run a file, give its path (for example ./" + name + ".yaml)")
	}
	rb, err := Parse("embedded:"+name, src)
	if err != nil {
		// The library is tested; this is a build that should never ship.
		return nil, fmt.Errorf("embedded runbook %s is invalid: %w", name, err)
	}
	return rb, nil
}

// List summarises the embedded runbooks, sorted by name.
func List() []Summary {
	entries, _ := fs.Glob(library, "library/*.yaml")
	var out []Summary
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(e, "library/"), ".yaml")
		if rb, err := Embedded(name); err == nil {
			out = append(out, Summary{Name: rb.Name, Version: rb.Version, Title: rb.Title, Error: rb.Error})
		}
	}
	return out
}
