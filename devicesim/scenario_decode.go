package devicesim

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	yamlparser "github.com/goccy/go-yaml/parser"
)

// The raw types mirror the YAML format. Pointers mark optional values whose
// default is not the zero value; the `yaml` tags are the one list of keys
// both the decoder and the key check below use, so they cannot drift.
type rawScenario struct {
	Name   string     `yaml:"name"`
	Device *rawDevice `yaml:"device"`
	Faults []string   `yaml:"faults"`
}

type rawDevice struct {
	Hostname       string     `yaml:"hostname"`
	Join           string     `yaml:"join"`
	Locale         string     `yaml:"locale"`
	Managed        bool       `yaml:"managed"`
	Compliant      *bool      `yaml:"compliant"`
	Elevated       *bool      `yaml:"elevated"`
	Context        string     `yaml:"context"`
	User           string     `yaml:"user"`
	DsregcmdStatus string     `yaml:"dsregcmd_status"`
	ClockSkew      any        `yaml:"clock_skew"` // "20m", "-7m", or 0
	TimeService    string     `yaml:"time_service"`
	Credentials    []string   `yaml:"credentials"`
	Office         *rawOffice `yaml:"office"`
	Security       []string   `yaml:"security"`
	NTPBlocked     bool       `yaml:"ntp_blocked"`
}

type rawOffice struct {
	Installed bool   `yaml:"installed"`
	Platform  string `yaml:"platform"`
	Culture   string `yaml:"culture"`
}

// parseScenario decodes and validates one scenario file.
func parseScenario(file string, data []byte) (sc *Scenario, err error) {
	p := &problems{file: file}
	defer func() {
		// go-yaml has panicked on malformed input (a nil dereference
		// decoding tagged sequences, found by FuzzLoadScenario). A
		// scenario file is untrusted input: report it, do not crash.
		if r := recover(); r != nil {
			p.list = nil
			p.add(position{1, 1}, "the YAML decoder failed on this file (%v): simplify the YAML", r)
			sc, err = nil, p.err()
		}
	}()
	if len(data) > maxScenarioSize {
		p.add(position{1, 1}, "the file is larger than %d bytes: a scenario describes one device and fits in a few kilobytes", maxScenarioSize)
		return nil, p.err()
	}
	doc, ok := parseYAML(p, data)
	if !ok {
		return nil, p.err()
	}
	w := &walker{p: p, pos: map[string]position{}}
	w.walk(doc, reflect.TypeOf(rawScenario{}), "")
	if w.refused {
		// Anchors, aliases and tags make the decoder resolve or convert
		// what we refuse to follow: stop before decoding.
		return nil, p.err()
	}
	raw, ok := decodeStrict(p, data, len(w.unknown) > 0)
	if !ok {
		return nil, p.err()
	}
	sc = validate(p, raw, w.pos)
	if err := p.err(); err != nil {
		return nil, err
	}
	sc.File = file
	return sc, nil
}

// parseYAML parses data into one document body, or adds the problem.
func parseYAML(p *problems, data []byte) (ast.Node, bool) {
	f, err := yamlparser.ParseBytes(data, 0)
	if err != nil {
		p.add(yamlErrorPos(err), "%s: fix the YAML syntax", yamlMessage(err))
		return nil, false
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		p.add(position{1, 1}, "the file is empty: a scenario needs at least name and device")
		return nil, false
	case len(docs) > 1:
		at := nodePos(docs[1].Body)
		if tk := docs[1].Start; tk != nil && tk.Position != nil {
			at = position{tk.Position.Line, tk.Position.Column}
		}
		p.add(at, "a scenario file holds one YAML document: remove the second one")
		return nil, false
	}
	return docs[0].Body, true
}

// decodeStrict decodes data with unknown keys refused. When the walker has
// already reported unknown keys, it decodes leniently so that the other
// problems can be reported in the same run.
func decodeStrict(p *problems, data []byte, knownUnknown bool) (*rawScenario, bool) {
	var raw rawScenario
	err := yaml.NewDecoder(bytes.NewReader(data), yaml.Strict()).Decode(&raw)
	var unknown *yaml.UnknownFieldError
	if err != nil && errors.As(err, &unknown) && knownUnknown {
		raw = rawScenario{}
		err = yaml.NewDecoder(bytes.NewReader(data)).Decode(&raw)
	}
	if err != nil {
		p.add(yamlErrorPos(err), "%s: fix the value's type", yamlMessage(err))
		return nil, false
	}
	return &raw, true
}

// walker checks the YAML tree before decoding: it reports every unknown key
// (the decoder stops at the first), refuses anchors, aliases and tags, and
// records the position of every value for the validation messages.
type walker struct {
	p       *problems
	pos     map[string]position // "device.join", "faults[1]", …
	unknown []string
	refused bool
}

func (w *walker) walk(n ast.Node, typ reflect.Type, path string) {
	if n == nil {
		return
	}
	switch v := n.(type) {
	case *ast.AnchorNode:
		w.refused = true
		w.p.add(nodePos(n), "YAML anchors (&%s) are not allowed in scenario files: write the value out", strings.TrimSpace(v.Name.String()))
		return
	case *ast.AliasNode:
		w.refused = true
		w.p.add(nodePos(n), "YAML aliases (*%s) are not allowed in scenario files: write the value out", strings.TrimSpace(v.Value.String()))
		return
	case *ast.TagNode:
		w.refused = true
		w.p.add(nodePos(n), "YAML tags (%s) are not allowed in scenario files: write the plain value", strings.TrimSpace(v.Start.Value))
		return
	}
	w.pos[path] = nodePos(n)
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Struct:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			return // the decoder reports the type mismatch
		}
		fields := yamlFields(typ)
		for _, mv := range m.Values {
			if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
				w.refused = true
				w.p.add(nodePos(mv.Key), "YAML merge keys (<<) are not allowed in scenario files: write the keys out")
				continue
			}
			key := strings.TrimSpace(mv.Key.String())
			child := keyPath(path, key)
			f, ok := fields[key]
			if !ok {
				w.unknown = append(w.unknown, child)
				w.p.add(nodePos(mv.Key), "unknown key %q%s: use one of %s", key, where(path), strings.Join(sortedKeys(fields), ", "))
				continue
			}
			w.walk(mv.Value, f, child)
		}
	case reflect.Slice:
		s, ok := n.(*ast.SequenceNode)
		if !ok {
			return
		}
		for i, e := range s.Values {
			w.walk(e, typ.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

func keyPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// yamlFields maps the YAML keys of a struct type to their field types.
func yamlFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out[name] = f.Type
		}
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func nodePos(n ast.Node) position {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return position{1, 1}
	}
	p := n.GetToken().Position
	return position{max(p.Line, 1), max(p.Column, 1)}
}

// yamlErrorPos returns where a go-yaml error points.
func yamlErrorPos(err error) position {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
		p := ye.GetToken().Position
		return position{max(p.Line, 1), max(p.Column, 1)}
	}
	return position{1, 1}
}

// yamlMessage returns a go-yaml error's message without the source
// excerpt it appends: the position is already in the file:line:col prefix.
func yamlMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	return err.Error()
}
