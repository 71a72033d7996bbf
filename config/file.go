package config

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"

	"github.com/caafix/caafix/internal/strictyaml"
	"github.com/caafix/caafix/outcome"
)

// node is where a value sits in the configuration file.
type node struct {
	line, col int
	text      string // a scalar's text, "" otherwise
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// checkFile decodes the file strictly, with positions: unknown keys and
// values of the wrong shape are reported here, with their lines, and the
// position of every value is indexed for the value checks that follow.
// It returns false when the file cannot be read as YAML at all.
func (l *loader) checkFile(data []byte) bool {
	if problem := encoding(data); problem != "" {
		l.add(&Error{File: l.file, Problem: problem})
		return false
	}
	text := bytes.TrimPrefix(data, utf8BOM)
	root, probs := strictyaml.Parse(text, limits)
	for _, p := range probs {
		l.add(&Error{File: l.file, Line: p.Line, Col: p.Col, Problem: p.Msg})
	}
	if len(probs) > 0 {
		return false
	}
	if strictyaml.IsNull(root) {
		return true // empty, or only comments: all defaults
	}
	if _, _, ok := strictyaml.Mapping(root); !ok {
		line, col := pos(root)
		l.add(&Error{File: l.file, Line: line, Col: col, Problem: "the configuration must be a mapping of keys to values, such as output: json"})
		return false
	}
	l.section(root, "")
	return true
}

// encoding returns what is wrong with the text encoding of data, or "".
func encoding(data []byte) string {
	// Windows PowerShell 5's > and Out-File write UTF-16: the likeliest
	// way for a configuration written on the device to break.
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.IndexByte(data, 0) >= 0 {
		return "the file is UTF-16 text, as Windows PowerShell's > and Out-File write it; save it as UTF-8 (for example with Set-Content -Encoding utf8)"
	}
	if !utf8.Valid(data) {
		return "the file is not UTF-8 text; save it as UTF-8"
	}
	return ""
}

// fileErr records a problem at n in the file.
func (l *loader) fileErr(n ast.Node, key, format string, args ...any) {
	line, col := pos(n)
	l.add(&Error{File: l.file, Line: line, Col: col, Key: key, Problem: fmt.Sprintf(format, args...)})
}

// remember indexes where the value of key is.
func (l *loader) remember(key string, n ast.Node) {
	line, col := pos(n)
	text, _ := strictyaml.String(n)
	l.index[strings.ToLower(key)] = node{line: line, col: col, text: text}
}

// section checks the keys of the mapping n at prefix ("" or "host.").
func (l *loader) section(n ast.Node, prefix string) {
	fields, probs, ok := strictyaml.Mapping(n)
	if !ok {
		key := strings.TrimSuffix(prefix, ".")
		l.fileErr(n, key, "must be a mapping of keys to values, not %s", describe(n))
		return
	}
	for _, p := range probs {
		l.add(&Error{File: l.file, Line: p.Line, Col: p.Col, Problem: p.Msg})
	}
	for _, f := range fields {
		key := prefix + f.Key
		k, known := keys[key]
		if !known {
			l.unknownKey(f, key, prefix)
			continue
		}
		l.remember(key, f.Value)
		if strictyaml.IsNull(f.Value) {
			continue // an empty value means the default
		}
		switch k {
		case kSection:
			l.section(f.Value, key+".")
		case kText, kDuration:
			if _, ok := strictyaml.String(f.Value); !ok {
				l.fileErr(f.Value, key, "must be %s, not %s", map[kind]string{kText: "text", kDuration: "a duration such as 2m"}[k], describe(f.Value))
			}
		case kBool:
			if _, ok := strictyaml.Bool(f.Value); !ok {
				l.fileErr(f.Value, key, "must be true or false, not %s", describe(f.Value))
			}
		case kDeny:
			l.denyList(f.Value, key)
		case kExitCode:
			l.exitCodeMap(f.Value, key)
		case kList:
			l.textList(f.Value, key)
		case kInt:
			if _, ok := strictyaml.Int(f.Value); !ok {
				l.fileErr(f.Value, key, "must be a whole number, not %s", describe(f.Value))
			}
		}
	}
}

// unknownKey reports a key the configuration does not have, with the
// likeliest one meant.
func (l *loader) unknownKey(f strictyaml.Field, key, prefix string) {
	all := sortedKeys(keys)
	problem := "unknown key"
	if near := strictyaml.Closest(key, all); near != "" {
		problem += fmt.Sprintf("; did you mean %q?", near)
	} else {
		var here []string
		for _, k := range all {
			if rest, ok := strings.CutPrefix(k, prefix); ok && !strings.Contains(rest, ".") {
				here = append(here, k)
			}
		}
		problem += "; the keys here are: " + strings.Join(here, ", ")
	}
	l.fileErr(f.KeyAt, key, "%s", problem)
}

func (l *loader) denyList(n ast.Node, key string) {
	items, ok := strictyaml.Sequence(n)
	if !ok {
		l.fileErr(n, key, "must be a list of rules such as - {uses: office.repair, reason: ...}, not %s", describe(n))
		return
	}
	for i, item := range items {
		ikey := fmt.Sprintf("%s[%d]", key, i)
		l.remember(ikey, item)
		fields, probs, ok := strictyaml.Mapping(item)
		if !ok {
			l.fileErr(item, ikey, "must be a mapping with one of uses, id or risk, and an optional reason, not %s", describe(item))
			continue
		}
		for _, p := range probs {
			l.add(&Error{File: l.file, Line: p.Line, Col: p.Col, Problem: p.Msg})
		}
		for _, f := range fields {
			fkey := ikey + "." + f.Key
			if !slices.Contains(denyKeys, f.Key) {
				problem := "unknown key in a deny rule"
				if near := strictyaml.Closest(f.Key, denyKeys); near != "" {
					problem += fmt.Sprintf("; did you mean %q?", near)
				} else {
					problem += "; it has " + strings.Join(denyKeys, ", ")
				}
				l.fileErr(f.KeyAt, fkey, "%s", problem)
				continue
			}
			l.remember(fkey, f.Value)
			if !strictyaml.IsString(f.Value) {
				l.fileErr(f.Value, fkey, "must be text, not %s", describe(f.Value))
			}
		}
	}
}

// textList checks a list of text values, such as trust.public_keys.
func (l *loader) textList(n ast.Node, key string) {
	items, ok := strictyaml.Sequence(n)
	if !ok {
		l.fileErr(n, key, "must be a list such as - RWQ… or - keys/caafix.pub, not %s", describe(n))
		return
	}
	for i, item := range items {
		ikey := fmt.Sprintf("%s[%d]", key, i)
		l.remember(ikey, item)
		if !strictyaml.IsString(item) {
			l.fileErr(item, ikey, "must be text, not %s", describe(item))
		}
	}
}

func (l *loader) exitCodeMap(n ast.Node, key string) {
	fields, probs, ok := strictyaml.Mapping(n)
	if !ok {
		l.fileErr(n, key, "must be a mapping of outcome names to exit codes, such as reboot-pending: 3010, not %s", describe(n))
		return
	}
	for _, p := range probs {
		l.add(&Error{File: l.file, Line: p.Line, Col: p.Col, Problem: p.Msg})
	}
	for _, f := range fields {
		fkey := key + "." + f.Key
		// Exact names: viper folds case, so "Fixed" would pass it.
		if _, err := outcome.Parse(f.Key); err != nil {
			l.fileErr(f.KeyAt, fkey, "%v", err)
			continue
		}
		l.remember(fkey, f.Value)
		if code, ok := strictyaml.Int(f.Value); !ok || code < 0 || code > 65535 {
			text, _ := strictyaml.String(f.Value)
			if text == "" {
				text = describe(f.Value)
			}
			l.fileErr(f.Value, fkey, "%s is not an exit code: use a whole number from 0 to 65535", text)
		}
	}
}

// pos returns where n starts; a block mapping at its first key (goccy
// places it at the colon).
func pos(n ast.Node) (line, col int) {
	if m, ok := n.(*ast.MappingNode); ok && m != nil && !m.IsFlowStyle && len(m.Values) > 0 {
		return pos(m.Values[0].Key)
	}
	if mv, ok := n.(*ast.MappingValueNode); ok && mv != nil && mv.Key != nil {
		return pos(mv.Key)
	}
	return strictyaml.Line(n), strictyaml.Col(n)
}

// describe names what n is, for "must be X, not Y" messages.
func describe(n ast.Node) string {
	switch {
	case strictyaml.IsNull(n):
		return "empty"
	case strictyaml.IsString(n):
		s, _ := strictyaml.String(n)
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

// limits keep the YAML parser fast on a hostile file: a configuration is
// a dozen lines, four levels deep.
var limits = strictyaml.Limits{
	MaxDepth:   32,
	MaxTokens:  10000,
	DepthHint:  "a configuration needs four",
	TokensHint: "a configuration is a few lines",
}
