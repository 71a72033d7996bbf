package runbooks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"

	"github.com/caafix/caafix/internal/strictyaml"
)

// MaxSize is the largest runbook accepted, in bytes. Runbooks are a page
// of YAML; anything near this size is a mistake or an attack.
const MaxSize = 1 << 20

// The v1 format's fixed values.
const (
	APIVersion = "caafix/v1"
	KindName   = "Runbook"
)

var (
	namePattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
	topKeys     = []string{"apiVersion", "kind", "name", "version", "title", "error", "expires", "detect", "order", "steps"}
	stepKeys    = []string{"id", "uses", "with", "timeout", "rollback"}
	detectKeys  = []string{"uses", "with"}
)

// Load reads and parses the runbook file at path. A file that cannot be
// read is a single [*LoadError] naming the path; otherwise see [Parse].
func Load(path string) (*Runbook, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// ReadFile reads the runbook file at path, refusing directories and files
// over [MaxSize], without parsing it: a signature is checked on these
// bytes before any parser sees them. Errors are [*LoadError]s.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &LoadError{File: path, Problem: fmt.Sprintf("cannot read the runbook: %v; check the path, or run \"caafix runbook list\" for the embedded runbooks", cause(err))}
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		if info.IsDir() {
			return nil, &LoadError{File: path, Problem: "is a directory, not a runbook file"}
		}
		if info.Size() > MaxSize {
			return nil, &LoadError{File: path, Problem: tooBig(info.Size())}
		}
	}
	// Read one byte past the limit: a file that grows after Stat is still
	// refused, without reading it all.
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, &LoadError{File: path, Problem: fmt.Sprintf("cannot read the runbook: %v", cause(err))}
	}
	if len(data) > MaxSize {
		return nil, &LoadError{File: path, Problem: tooBig(int64(len(data)))}
	}
	return data, nil
}

// cause drops the operation and path that *fs.PathError repeats: the
// LoadError names the file already.
func cause(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}

func tooBig(n int64) string {
	return fmt.Sprintf("the file is %d bytes; a runbook may be at most %d bytes (1 MiB)", n, MaxSize)
}

// Parse decodes and validates the runbook in data; file names it in
// errors and in [Runbook.Source]. Before the YAML parser builds a tree it
// refuses files over [MaxSize], text that is not UTF-8 (a UTF-8 BOM is
// fine), and YAML nested deeper than 64 levels or longer than 10,000
// tokens; before decoding it refuses anchors, aliases and merge keys. It
// rejects unknown keys anywhere and checks every value.
//
// The error, when not nil, is a *multierror.Error holding every problem
// found, each a [*LoadError], sorted by position; its text lists them one
// per line. errors.As finds the first *LoadError in it.
func Parse(file string, data []byte) (*Runbook, error) {
	d := &decoder{file: file}
	if len(data) > MaxSize {
		d.errs = append(d.errs, &LoadError{File: file, Problem: tooBig(int64(len(data)))})
		return nil, d.result()
	}
	if line, problem := encoding(data); problem != "" {
		d.errs = append(d.errs, &LoadError{File: file, Line: line, Col: 1, Problem: problem})
		return nil, d.result()
	}
	text := bytes.TrimPrefix(data, utf8BOM) // Notepad's; the hash keeps it
	root, probs := strictyaml.Parse(text, limits)
	for _, p := range probs {
		d.add(p.Line, p.Col, "%s", p.Msg)
	}
	if len(probs) > 0 {
		return nil, d.result()
	}
	if strictyaml.IsNull(root) {
		d.add(1, 1, "the file is empty: a runbook needs %s and %s", strings.Join(required[:len(required)-1], ", "), required[len(required)-1])
		return nil, d.result()
	}
	sum := sha256.Sum256(data)
	rb := &Runbook{Source: file, SHA256: hex.EncodeToString(sum[:])}
	d.runbook(root, rb)
	if len(d.errs) > 0 {
		return nil, d.result()
	}
	return rb, nil
}

// ParseVerified is [Parse] for bytes whose signature the caller has
// verified against the trust store: signer, the verified key's id, becomes
// [Runbook.Signer], which lets the runbook's script steps run. Call it
// only with the bytes that were verified, never with bytes read again.
func ParseVerified(file string, data []byte, signer string) (*Runbook, error) {
	rb, err := Parse(file, data)
	if err != nil {
		return nil, err
	}
	rb.Signer = signer
	return rb, nil
}

// limits are far above what a runbook needs (a page of YAML, a few
// hundred tokens, five levels deep) and far below where the YAML parser
// gets slow.
var limits = strictyaml.Limits{
	MaxDepth:   64,
	MaxTokens:  10000,
	DepthHint:  "a runbook needs about five",
	TokensHint: "a runbook is a page of YAML",
}

var (
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
	required = []string{"apiVersion", "kind", "name", "version", "title", "steps"}
)

// encoding returns what is wrong with the text encoding of data, and the
// line where it shows, or "" when data is UTF-8.
func encoding(data []byte) (line int, problem string) {
	// Windows PowerShell 5's > and Out-File write UTF-16 with a BOM: the
	// likeliest way for a runbook copied on a Windows device to break.
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.IndexByte(data, 0) >= 0 {
		return 1, "the file is UTF-16 text, as Windows PowerShell's > and Out-File write it; save it as UTF-8 (for example with Set-Content -Encoding utf8)"
	}
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return 1 + bytes.Count(data[:i], []byte{'\n'}), "the file is not UTF-8 text; save it as UTF-8"
			}
			i += size
		}
	}
	return 0, ""
}

type decoder struct {
	file string
	errs []*LoadError
}

func (d *decoder) add(line, col int, format string, args ...any) {
	d.errs = append(d.errs, &LoadError{File: d.file, Line: line, Col: col, Problem: fmt.Sprintf(format, args...)})
}

// at records a problem at n's position.
func (d *decoder) at(n ast.Node, format string, args ...any) {
	line, col := pos(n)
	d.add(line, col, format, args...)
}

func (d *decoder) result() error {
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i], d.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return strictyaml.JoinErrors(d.errs)
}

// pos returns where n starts, 1-based; 0, 0 when unknown. goccy places a
// block mapping at the colon of its first key, which reads badly in an
// error: point at the key instead.
func pos(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if v := reflect.ValueOf(n); v.Kind() == reflect.Pointer && v.IsNil() {
		return 0, 0
	}
	switch t := n.(type) {
	case *ast.MappingNode:
		if !t.IsFlowStyle && len(t.Values) > 0 {
			return pos(t.Values[0])
		}
	case *ast.MappingValueNode:
		if t.Key != nil {
			return pos(t.Key)
		}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// fields checks that n is a mapping with only known keys and returns its
// fields by key; ok is false when n is not a mapping.
func (d *decoder) fields(n ast.Node, what string, known []string) (map[string]strictyaml.Field, bool) {
	fs, probs, ok := strictyaml.Mapping(n)
	if !ok {
		d.at(n, "%s must be a mapping of keys to values, not %s", what, describe(n))
		return nil, false
	}
	for _, p := range probs {
		d.add(p.Line, p.Col, "%s", p.Msg)
	}
	out := make(map[string]strictyaml.Field, len(fs))
	for _, f := range fs {
		if slices.Contains(known, f.Key) {
			out[f.Key] = f
			continue
		}
		msg := fmt.Sprintf("unknown key %q in %s", f.Key, what)
		if near := strictyaml.Closest(f.Key, known); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		} else {
			msg += "; the keys are: " + strings.Join(known, ", ")
		}
		d.at(f.KeyAt, "%s", msg)
	}
	return out, true
}

// text reads the text at key of the mapping m. A missing required key is
// reported at the mapping, an empty or non-text value at the value.
func (d *decoder) text(m ast.Node, f map[string]strictyaml.Field, key, what string, required bool) (string, ast.Node) {
	fl, ok := f[key]
	if !ok {
		if required {
			d.at(m, "%s: %q is required", what, key)
		}
		return "", nil
	}
	if strictyaml.IsNull(fl.Value) {
		if required {
			d.at(fl.KeyAt, "%s: %q is empty; it is required", what, key)
		}
		return "", nil
	}
	s, ok := strictyaml.String(fl.Value)
	if !ok {
		d.at(fl.Value, "%s: %q must be text, not %s", what, key, describe(fl.Value))
		return "", nil
	}
	if s == "" && required {
		d.at(fl.Value, "%s: %q is empty; it is required", what, key)
		return "", nil
	}
	return s, fl.Value
}

func (d *decoder) runbook(root ast.Node, rb *Runbook) {
	const what = "runbook"
	f, ok := d.fields(root, "the runbook", topKeys)
	if !ok {
		return
	}
	var n ast.Node
	if rb.APIVersion, n = d.text(root, f, "apiVersion", what, true); n != nil && rb.APIVersion != APIVersion {
		d.at(n, "apiVersion %q is not supported: use %s", rb.APIVersion, APIVersion)
	}
	if rb.Kind, n = d.text(root, f, "kind", what, true); n != nil && rb.Kind != KindName {
		d.at(n, "kind %q is not supported: use %s", rb.Kind, KindName)
	}
	if rb.Name, n = d.text(root, f, "name", what, true); n != nil && !namePattern.MatchString(rb.Name) {
		d.at(n, "name %q must be 1 to 64 of a-z, 0-9 and -", rb.Name)
	}
	if fl, ok := f["version"]; !ok {
		d.at(root, "runbook: \"version\" is required: an integer >= 1, raised with every signed release")
	} else if v, ok := strictyaml.Int(fl.Value); !ok || v < 1 {
		at := fl.Value
		if strictyaml.IsNull(at) {
			at = fl.KeyAt
		}
		d.at(at, "version must be an integer >= 1, not %s", describe(fl.Value))
	} else {
		rb.Version = v
	}
	rb.Title, _ = d.text(root, f, "title", what, true)
	rb.Error, _ = d.text(root, f, "error", what, false)
	if fl, ok := f["expires"]; ok {
		rb.Expires = d.expires(fl)
	}
	rb.Order = OrderListed
	if order, n := d.text(root, f, "order", what, false); n != nil {
		if order != OrderListed && order != OrderEvidence {
			d.at(n, "order %q is not known: use %s (the steps as written, the default) or %s (the most likely cause's fix first)", order, OrderListed, OrderEvidence)
		} else {
			rb.Order = order
		}
	}
	if fl, ok := f["detect"]; ok && !strictyaml.IsNull(fl.Value) {
		rb.Detect = d.detect(fl.Value)
	}
	fl, ok := f["steps"]
	if !ok {
		d.at(root, "runbook: \"steps\" is required: a list of at least one step")
		return
	}
	items, ok := strictyaml.Sequence(fl.Value)
	switch {
	case !ok && strictyaml.IsNull(fl.Value):
		d.at(fl.KeyAt, "steps must be a list of at least one step")
		return
	case !ok:
		d.at(fl.Value, "steps must be a list of at least one step, not %s", describe(fl.Value))
		return
	case len(items) == 0:
		d.at(fl.Value, "steps must be a list of at least one step")
		return
	}
	first := map[string]int{} // step id → line of its first use
	for i, item := range items {
		st, idAt := d.step(item, i)
		if idAt != nil { // a valid id
			if line, dup := first[st.ID]; dup {
				d.at(idAt, "step id %q is used twice (first at line %d): ids must be unique", st.ID, line)
			} else {
				first[st.ID], _ = pos(idAt)
			}
		}
		rb.Steps = append(rb.Steps, st)
	}
}

func (d *decoder) detect(n ast.Node) *Detect {
	const what = "detect"
	f, ok := d.fields(n, what, detectKeys)
	if !ok {
		return nil
	}
	det := &Detect{}
	uses, un := d.text(n, f, "uses", what, true)
	det.Uses = uses
	if un == nil {
		return det
	}
	if uses != "aad.symptom" {
		d.at(un, "detect.uses %q is not a symptom check: use aad.symptom", uses)
		return det
	}
	if w, ok := f["with"]; ok {
		det.With = d.with(w.Value, uses, what)
	}
	return det
}

// step decodes the i-th step; idAt is the node of its id, nil when it has
// none.
func (d *decoder) step(n ast.Node, i int) (st Step, idAt ast.Node) {
	st.Line, st.Col = pos(n)
	what := fmt.Sprintf("step %d", i+1)
	f, ok := d.fields(n, what, stepKeys)
	if !ok {
		return st, nil
	}
	if st.ID, idAt = d.text(n, f, "id", what, true); idAt != nil {
		if !namePattern.MatchString(st.ID) {
			d.at(idAt, "step id %q must be 1 to 64 of a-z, 0-9 and -", st.ID)
			idAt = nil
		} else {
			what = fmt.Sprintf("step %q", st.ID)
		}
	}
	var un ast.Node
	if st.Uses, un = d.text(n, f, "uses", what, true); un != nil {
		if _, known := Types[st.Uses]; !known {
			msg := fmt.Sprintf("%s: unknown step type %q", what, st.Uses)
			if near := strictyaml.Closest(st.Uses, TypeNames()); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			d.at(un, "%s; the types are: %s", msg, strings.Join(TypeNames(), ", "))
			un = nil
		}
	}
	// Parameters are checked only against a known type: against an
	// unknown one every parameter would be a second, useless error.
	if w, ok := f["with"]; ok && un != nil {
		st.With = d.with(w.Value, st.Uses, what)
	} else if un != nil {
		d.required(n, nil, st.Uses, what)
	}
	if fl, ok := f["timeout"]; ok {
		if t, ok := d.duration(fl.Value, what, "timeout"); ok {
			if t < time.Second || t > time.Hour {
				d.at(fl.Value, "%s: timeout must be between 1s and 1h, not %s", what, short(t))
			} else {
				st.Timeout = t
			}
		}
	}
	st.Rollback, _ = d.text(n, f, "rollback", what, false)
	if _, given := f["rollback"]; un != nil && OwnRollback(st.Uses) && !given {
		d.at(n, "%s: %s needs rollback: say how to undo what it does, or that nothing needs undoing", what, st.Uses)
	}
	return st, idAt
}

// expires reads the runbook's expiry: an RFC 3339 timestamp with its
// offset, or a date, which expires at the end of that day in UTC.
func (d *decoder) expires(fl strictyaml.Field) time.Time {
	const want = "an RFC 3339 timestamp such as 2027-03-31T18:00:00Z, or a date such as 2027-03-31 (valid to the end of that day, UTC)"
	at := fl.Value
	if strictyaml.IsNull(at) {
		d.at(fl.KeyAt, "expires is empty; it must be %s, or be left out", want)
		return time.Time{}
	}
	s, ok := strictyaml.String(at)
	if !ok {
		d.at(at, "expires must be %s, not %s", want, describe(at))
		return time.Time{}
	}
	t, err := ParseExpires(s)
	if err != nil {
		d.at(at, "expires %s: it must be %s", describe(at), want)
		return time.Time{}
	}
	return t
}

// ParseExpires reads an expires value: an RFC 3339 timestamp, or a date
// (YYYY-MM-DD), which expires at 00:00 UTC on the day after it. The
// instant returned is the first moment the runbook is refused.
func ParseExpires(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 timestamp nor a date", s)
	}
	return day.AddDate(0, 0, 1), nil
}

// duration reads a Go duration: 90s, 5m, 1h30m.
func (d *decoder) duration(n ast.Node, what, key string) (time.Duration, bool) {
	s, ok := strictyaml.String(n)
	if !ok || strictyaml.IsNull(n) {
		d.at(n, "%s: %s must be %s", what, key, Duration)
		return 0, false
	}
	t, err := time.ParseDuration(s)
	if err != nil {
		d.at(n, "%s: %s must be %s%s", what, key, Duration, durationHint(s))
		return 0, false
	}
	return t, true
}

// durationHint explains the two likeliest mistakes in a Go duration.
func durationHint(s string) string {
	switch {
	case strings.Trim(s, "0123456789") == "":
		return "; a number needs a unit: 90s, 5m, 2h"
	case strings.HasSuffix(s, "d") && strings.Trim(strings.TrimSuffix(s, "d"), "0123456789") == "":
		return "; there is no unit for days: write 24h for a day"
	}
	return ""
}

// with decodes parameters against the specs of the step type uses.
func (d *decoder) with(n ast.Node, uses, what string) map[string]any {
	if strictyaml.IsNull(n) {
		return nil
	}
	specs := Types[uses]
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	fs, probs, ok := strictyaml.Mapping(n)
	if !ok {
		d.at(n, "%s: with must be a mapping of parameters, not %s", what, describe(n))
		return nil
	}
	for _, p := range probs {
		d.add(p.Line, p.Col, "%s", p.Msg)
	}
	out := map[string]any{}
	for _, f := range fs {
		i := slices.Index(names, f.Key)
		if i < 0 {
			msg := fmt.Sprintf("%s: %s has no parameter %q", what, uses, f.Key)
			switch near := strictyaml.Closest(f.Key, names); {
			case len(names) == 0:
				msg += "; it takes none"
			case near != "":
				msg += fmt.Sprintf("; did you mean %q?", near)
			default:
				msg += "; it takes " + strings.Join(names, ", ")
			}
			d.at(f.KeyAt, "%s", msg)
			continue
		}
		if v, ok := d.param(f.Value, specs[i], what); ok {
			out[f.Key] = v
		}
	}
	d.required(n, fs, uses, what)
	return out
}

// required reports the required parameters of uses missing from fs, the
// fields of the step's with (nil when it has none), at n.
func (d *decoder) required(n ast.Node, fs []strictyaml.Field, uses, what string) {
	for _, spec := range Types[uses] {
		if !spec.Required || slices.ContainsFunc(fs, func(f strictyaml.Field) bool { return f.Key == spec.Name }) {
			continue
		}
		d.at(n, "%s: %s needs with.%s (%s)", what, uses, spec.Name, spec.Kind)
	}
}

// param decodes and checks one parameter value.
func (d *decoder) param(n ast.Node, spec ParamSpec, what string) (any, bool) {
	var v any
	switch spec.Kind {
	case Duration:
		t, ok := d.duration(n, what, spec.Name)
		if !ok {
			return nil, false
		}
		v = t
	case Int:
		i, ok := strictyaml.Int(n)
		if !ok {
			d.at(n, "%s: %s must be %s", what, spec.Name, spec.Kind)
			return nil, false
		}
		v = i
	case Bool:
		b, ok := strictyaml.Bool(n)
		if !ok {
			d.at(n, "%s: %s must be %s", what, spec.Name, spec.Kind)
			return nil, false
		}
		v = b
	case String:
		// Strict: a number or true where text belongs is more likely a
		// mistake than a message.
		s, ok := strictyaml.String(n)
		if !ok || !strictyaml.IsString(n) {
			d.at(n, "%s: %s must be %s", what, spec.Name, spec.Kind)
			return nil, false
		}
		v = s
	case StringList:
		items, ok := strictyaml.Sequence(n)
		if !ok {
			d.at(n, "%s: %s must be %s", what, spec.Name, spec.Kind)
			return nil, false
		}
		list := make([]string, 0, len(items))
		bad := false
		for _, it := range items {
			s, ok := strictyaml.String(it)
			if !ok || !strictyaml.IsString(it) {
				d.at(it, "%s: every item of %s must be text, not %s", what, spec.Name, describe(it))
				bad = true
				continue
			}
			list = append(list, s)
			// Point at each item the rule refuses on its own.
			if spec.Check != nil {
				if err := spec.Check([]string{s}); err != nil {
					d.at(it, "%s: %s: %v", what, spec.Name, err)
					bad = true
				}
			}
		}
		if bad {
			return nil, false
		}
		v = list
	default:
		d.at(n, "%s: %s has an unsupported kind %d", what, spec.Name, int(spec.Kind))
		return nil, false
	}
	if spec.Check != nil {
		if err := spec.Check(v); err != nil {
			d.at(n, "%s: %s %v", what, spec.Name, err)
			return nil, false
		}
	}
	return v, true
}

// describe names what n is, for "must be X, not Y" messages: text is
// quoted, other scalars are written as they are.
func describe(n ast.Node) string {
	switch {
	case strictyaml.IsNull(n):
		return "empty"
	case strictyaml.IsString(n):
		s, _ := strictyaml.String(n)
		if r := []rune(s); len(r) > 40 {
			s = string(r[:37]) + "..."
		}
		return fmt.Sprintf("%q", s)
	}
	if _, ok := strictyaml.Sequence(n); ok {
		return "a list"
	}
	if _, _, ok := strictyaml.Mapping(n); ok {
		return "a mapping"
	}
	if s, ok := strictyaml.String(n); ok {
		return s
	}
	return "a " + n.Type().String()
}
