package strictyaml

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// MaxSize is the largest document accepted, in bytes.
const MaxSize = 1 << 20

// Problem is one thing wrong at a position (1-based; 0 when unknown).
type Problem struct {
	Line, Col int
	Msg       string
}

// Parse parses one YAML document and checks it holds no anchors, aliases
// or merge keys. Before the parser runs it refuses data over [MaxSize]
// and YAML beyond lim (see [Limits]), each as one problem. A nil node
// with no problem means an empty document.
func Parse(data []byte, lim Limits) (ast.Node, []Problem) {
	if len(data) > MaxSize {
		return nil, []Problem{{Msg: fmt.Sprintf("the file is %d bytes; the limit is %d (1 MiB)", len(data), MaxSize)}}
	}
	if p := lim.check(string(data)); p != nil {
		return nil, []Problem{*p}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, []Problem{syntaxProblem(err)}
	}
	if len(f.Docs) == 0 || f.Docs[0] == nil || f.Docs[0].Body == nil {
		return nil, nil
	}
	if len(f.Docs) > 1 {
		return nil, []Problem{{Line: Line(f.Docs[1].Body), Col: 1, Msg: "more than one YAML document: a file holds exactly one"}}
	}
	var probs []Problem
	ast.Walk(visitor(func(n ast.Node) {
		switch n.(type) {
		case *ast.AnchorNode:
			probs = append(probs, at(n, "YAML anchors (&) are not allowed: write the value out"))
		case *ast.AliasNode:
			probs = append(probs, at(n, "YAML aliases (*) are not allowed: write the value out"))
		case *ast.MergeKeyNode:
			probs = append(probs, at(n, "YAML merge keys (<<) are not allowed: write the keys out"))
		}
	}), f.Docs[0].Body)
	if len(probs) > 0 {
		return nil, probs
	}
	return f.Docs[0].Body, nil
}

type visitor func(ast.Node)

func (v visitor) Visit(n ast.Node) ast.Visitor {
	v(n)
	return v
}

func syntaxProblem(err error) Problem {
	type tokener interface{ GetToken() *token.Token }
	type messager interface{ GetMessage() string }
	p := Problem{Msg: "YAML syntax error: " + err.Error()}
	if t, ok := err.(tokener); ok && t.GetToken() != nil {
		p.Line, p.Col = t.GetToken().Position.Line, t.GetToken().Position.Column
	}
	if m, ok := err.(messager); ok {
		p.Msg = "YAML syntax error: " + m.GetMessage()
	}
	return p
}

func at(n ast.Node, msg string) Problem {
	return Problem{Line: Line(n), Col: Col(n), Msg: msg}
}

// At returns a problem at n's position.
func At(n ast.Node, format string, args ...any) Problem {
	return at(n, fmt.Sprintf(format, args...))
}

// Line returns n's line, 0 when unknown.
func Line(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// Col returns n's column, 0 when unknown.
func Col(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Column
}

// Field is one key of a mapping.
type Field struct {
	Key   string
	KeyAt ast.Node
	Value ast.Node
}

// Mapping returns the fields of a mapping node, in order, or ok false when
// n is not a mapping. Duplicate keys are reported as problems.
func Mapping(n ast.Node) (fields []Field, probs []Problem, ok bool) {
	n = unwrap(n)
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	default:
		return nil, nil, false
	}
	seen := map[string]bool{}
	for _, mv := range values {
		key := strings.TrimSpace(mv.Key.String())
		if s, ok := mv.Key.(*ast.StringNode); ok {
			key = s.Value
		}
		if seen[key] {
			probs = append(probs, At(mv.Key, "key %q appears twice", key))
			continue
		}
		seen[key] = true
		fields = append(fields, Field{Key: key, KeyAt: mv.Key, Value: mv.Value})
	}
	return fields, probs, true
}

// Sequence returns the items of a sequence node, or ok false.
func Sequence(n ast.Node) ([]ast.Node, bool) {
	if s, ok := unwrap(n).(*ast.SequenceNode); ok {
		return s.Values, true
	}
	return nil, false
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.CommentGroupNode:
			return nil
		default:
			return n
		}
	}
}

// IsNull reports whether n is absent or null.
func IsNull(n ast.Node) bool {
	n = unwrap(n)
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// String returns a scalar as text; ok is false for mappings and sequences.
// Quoted and plain strings, numbers and booleans all read as their text.
func String(n ast.Node) (string, bool) {
	switch v := unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// IsString reports whether n is a string scalar (not a number or boolean).
func IsString(n ast.Node) bool {
	switch unwrap(n).(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return true
	}
	return false
}

// Int returns an integer scalar.
func Int(n ast.Node) (int, bool) {
	v, ok := unwrap(n).(*ast.IntegerNode)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(strings.ReplaceAll(v.GetToken().Value, "_", ""))
	return i, err == nil
}

// Bool returns a boolean scalar.
func Bool(n ast.Node) (bool, bool) {
	v, ok := unwrap(n).(*ast.BoolNode)
	if !ok {
		return false, false
	}
	return v.Value, true
}

// Closest returns the candidate nearest to s by edit distance, or "" when
// none is close enough to be a likely typo.
func Closest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		if d := distance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
