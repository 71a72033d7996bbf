package strictyaml

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/hashicorp/go-multierror"
)

// small are limits low enough to reach in a line of YAML.
var small = Limits{MaxDepth: 2, MaxTokens: 8, DepthHint: "a test file needs two", TokensHint: "a test file is short"}

func TestParse(t *testing.T) {
	t.Parallel()
	var longFlow strings.Builder
	longFlow.WriteString("[")
	for range 5000 {
		longFlow.WriteString("1, ")
	}
	longFlow.WriteString("1]")
	cases := []struct {
		name     string
		src      string
		lim      Limits
		wantNode bool
		want     []Problem
	}{
		{"one mapping parses", "a: b\n", Limits{}, true, nil},
		{"a scalar document parses", "hello", Limits{}, true, nil},
		{"an empty file is an empty document", "", Limits{}, false, nil},
		{"only a comment is an empty document", "# nothing here\n", Limits{}, false, nil},
		{"only a document marker is an empty document", "---\n", Limits{}, false, nil},
		{"more than one document is refused at the second", "a: 1\n---\nb: 2\n", Limits{}, false, []Problem{
			{3, 1, "more than one YAML document: a file holds exactly one"},
		}},
		{"anchor and alias are refused where they stand", "a: &x 1\nb: *x\n", Limits{}, false, []Problem{
			{1, 4, "YAML anchors (&) are not allowed: write the value out"},
			{2, 4, "YAML aliases (*) are not allowed: write the value out"},
		}},
		{"merge key is refused with its anchor and alias", "base: &b {k: 1}\nc:\n  <<: *b\n", Limits{}, false, []Problem{
			{1, 7, "YAML anchors (&) are not allowed: write the value out"},
			{3, 3, "YAML merge keys (<<) are not allowed: write the keys out"},
			{3, 7, "YAML aliases (*) are not allowed: write the value out"},
		}},
		{"anchor and alias in a flow sequence are refused", "[1, &a 2, *a]", Limits{}, false, []Problem{
			{1, 5, "YAML anchors (&) are not allowed: write the value out"},
			{1, 11, "YAML aliases (*) are not allowed: write the value out"},
		}},
		{"a lone alias is refused", "*a", Limits{}, false, []Problem{
			{1, 1, "YAML aliases (*) are not allowed: write the value out"},
		}},
		{"syntax error names its position", "a: [1\n", Limits{}, false, []Problem{
			{1, 4, "YAML syntax error: sequence end token ']' not found"},
		}},
		{"duplicate key is a syntax error", "a: 1\n'a': 2\n", Limits{}, false, []Problem{
			{2, 1, `YAML syntax error: mapping key "a" already defined at [1:1]`},
		}},
		{"a file of exactly MaxSize bytes is read", "#" + strings.Repeat("x", MaxSize-1), Limits{}, false, nil},
		{"a file over MaxSize is refused", strings.Repeat("#", MaxSize+1), Limits{}, false, []Problem{
			{0, 0, fmt.Sprintf("the file is %d bytes; the limit is %d (1 MiB)", MaxSize+1, MaxSize)},
		}},
		{"nesting at the depth limit is read", "a:\n  b: [1]\n", Limits{MaxDepth: 3}, true, nil},
		{"flow nesting over the limit is refused with the hint", "[[[1]]]", small, false, []Problem{
			{1, 3, "the YAML nests more than 2 levels deep; a test file needs two"},
		}},
		{"block nesting over the limit is refused", "a:\n b:\n  c: 1\n", small, false, []Problem{
			{3, 4, "the YAML nests more than 2 levels deep; a test file needs two"},
		}},
		{"compact sequences count as nesting", "- - - x\n", small, false, []Problem{
			{1, 5, "the YAML nests more than 2 levels deep; a test file needs two"},
		}},
		{"flow inside block counts both", "a: {b: [c]}\n", small, false, []Problem{
			{1, 8, "the YAML nests more than 2 levels deep; a test file needs two"},
		}},
		{"tokens over the limit are refused with the hint", "[1, 2, 3, 4, 5]", small, false, []Problem{
			{1, 12, "the file has more than 8 YAML tokens; a test file is short"},
		}},
		{"no hint, no semicolon", "[1, 2, 3, 4, 5]", Limits{MaxTokens: 8}, false, []Problem{
			{1, 12, "the file has more than 8 YAML tokens"},
		}},
		{"limits come before anchors", "a: &x [[1]]\n", small, false, []Problem{
			{1, 8, "the YAML nests more than 2 levels deep; a test file needs two"},
		}},
		{"zero depth takes the default", strings.Repeat("[", DefaultMaxDepth+1), Limits{}, false, []Problem{
			{1, DefaultMaxDepth + 1, "the YAML nests more than 64 levels deep"},
		}},
		{"the default depth is reachable", strings.Repeat("[", DefaultMaxDepth) + strings.Repeat("]", DefaultMaxDepth), Limits{}, true, nil},
		{"zero tokens takes the default", longFlow.String(), Limits{}, false, []Problem{
			{1, 15000, "the file has more than 10000 YAML tokens"},
		}},
		{"hostile flow nesting is refused from the tokens", strings.Repeat("{a: ", 100_000), Limits{}, false, []Problem{
			{1, 257, "the YAML nests more than 64 levels deep"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n, probs := Parse([]byte(c.src), c.lim)
			if (n != nil) != c.wantNode {
				t.Errorf("node = %v, want a node: %v", n, c.wantNode)
			}
			if !slices.Equal(probs, c.want) {
				t.Errorf("problems = %#v\nwant %#v", probs, c.want)
			}
		})
	}
}

// node parses src as YAML, allowing duplicate keys so that Mapping's own
// check can be reached.
func node(t *testing.T, src string) ast.Node {
	t.Helper()
	f, err := parser.ParseBytes([]byte(src), 0, parser.AllowDuplicateMapKey())
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	if len(f.Docs) == 0 {
		return nil
	}
	return f.Docs[0].Body
}

func TestMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		src    string
		keys   []string
		probs  []Problem
		wantOK bool
	}{
		{"block mapping keeps file order", "b: 1\na: 2\n", []string{"b", "a"}, nil, true},
		{"one key", "a: 1\n", []string{"a"}, nil, true},
		{"flow mapping", "{x: 1, y: 2}", []string{"x", "y"}, nil, true},
		{"quoted key reads as its text", "'a b': 1\n", []string{"a b"}, nil, true},
		{"tagged mapping", "!!map {a: 1}", []string{"a"}, nil, true},
		{"duplicate key is reported at the second and dropped", "a: 1\nb: 2\na: 3\n", []string{"a", "b"}, []Problem{
			{3, 1, `key "a" appears twice`},
		}, true},
		{"quoted and plain keys are the same key", "a: 1\n\"a\": 2\n", []string{"a"}, []Problem{
			{2, 1, `key "a" appears twice`},
		}, true},
		{"sequence is not a mapping", "[1]", nil, nil, false},
		{"scalar is not a mapping", "x", nil, nil, false},
		{"empty is not a mapping", "", nil, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fields, probs, ok := Mapping(node(t, c.src))
			var keys []string
			for _, f := range fields {
				keys = append(keys, f.Key)
				if f.KeyAt == nil {
					t.Errorf("field %q has no key node", f.Key)
				}
			}
			if ok != c.wantOK || !slices.Equal(keys, c.keys) || !slices.Equal(probs, c.probs) {
				t.Errorf("Mapping = %q, %#v, %v; want %q, %#v, %v", keys, probs, ok, c.keys, c.probs, c.wantOK)
			}
		})
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		src          string
		want         string
		wantOK       bool
		wantIsString bool
	}{
		{"plain string", "hello world", "hello world", true, true},
		{"quoted number is a string", "'5'", "5", true, true},
		{"integer reads as its text", "0042", "0042", true, false},
		{"float reads as its text", "1.50", "1.50", true, false},
		{"boolean reads as its text", "true", "true", true, false},
		{"infinity reads as its text", ".inf", ".inf", true, false},
		{"literal block", "|\n  one\n  two\n", "one\ntwo\n", true, true},
		{"folded block", ">-\n  one\n  two\n", "one two", true, true},
		{"tag is looked through", "!!str x", "x", true, true},
		{"null is not text", "null", "", false, false},
		{"mapping is not text", "{a: 1}", "", false, false},
		{"sequence is not text", "[a]", "", false, false},
		{"empty is not text", "", "", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := node(t, c.src)
			got, ok := String(n)
			if got != c.want || ok != c.wantOK {
				t.Errorf("String = %q, %v; want %q, %v", got, ok, c.want, c.wantOK)
			}
			if is := IsString(n); is != c.wantIsString {
				t.Errorf("IsString = %v, want %v", is, c.wantIsString)
			}
		})
	}
}

func TestInt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		src    string
		want   int
		wantOK bool
	}{
		{"integer", "3010", 3010, true},
		{"negative", "-1", -1, true},
		{"underscores are digit separators", "65_535", 65535, true},
		{"zero", "0", 0, true},
		{"quoted number is not an integer", "'1'", 0, false},
		{"float is not an integer", "1.5", 0, false},
		{"boolean is not an integer", "true", 0, false},
		{"text is not an integer", "one", 0, false},
		{"null is not an integer", "~", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Int(node(t, c.src))
			if got != c.want || ok != c.wantOK {
				t.Errorf("Int = %d, %v; want %d, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestBool(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		src          string
		want, wantOK bool
	}{
		{"true", "true", true, true},
		{"false", "false", false, true},
		{"quoted true is text", "'true'", false, false},
		{"yes is text in YAML 1.2", "yes", false, false},
		{"one is a number", "1", false, false},
		{"null is not a boolean", "null", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Bool(node(t, c.src))
			if got != c.want || ok != c.wantOK {
				t.Errorf("Bool = %v, %v; want %v, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestIsNull(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		n    func(t *testing.T) ast.Node
		want bool
	}{
		{"absent", func(*testing.T) ast.Node { return nil }, true},
		{"null", func(t *testing.T) ast.Node { return node(t, "null") }, true},
		{"tilde", func(t *testing.T) ast.Node { return node(t, "~") }, true},
		{"empty value of a key", func(t *testing.T) ast.Node {
			fs, _, _ := Mapping(node(t, "a:\n"))
			return fs[0].Value
		}, true},
		{"quoted null is text", func(t *testing.T) ast.Node { return node(t, "'null'") }, false},
		{"zero", func(t *testing.T) ast.Node { return node(t, "0") }, false},
		{"empty sequence", func(t *testing.T) ast.Node { return node(t, "[]") }, false},
		{"empty mapping", func(t *testing.T) ast.Node { return node(t, "{}") }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := IsNull(c.n(t)); got != c.want {
				t.Errorf("IsNull = %v, want %v", got, c.want)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	keys := []string{"apiVersion", "kind", "name", "steps", "title"}
	cases := []struct {
		name       string
		s          string
		candidates []string
		want       string
	}{
		{"swapped letters", "stpes", keys, "steps"},
		{"one letter wrong case", "Kind", keys, "kind"},
		{"missing letter", "apiVersio", keys, "apiVersion"},
		{"exact match", "title", keys, "title"},
		{"nothing close", "description", keys, ""},
		{"no candidates", "steps", nil, ""},
		{"too far for a short word", "abcd", []string{"wxyz"}, ""},
		{"half a word away is close", "abcd", []string{"abxy"}, "abxy"},
		{"a tie goes to the first candidate", "cat", []string{"bat", "hat"}, "bat"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Closest(c.s, c.candidates); got != c.want {
				t.Errorf("Closest(%q) = %q, want %q", c.s, got, c.want)
			}
		})
	}
}

type posError struct{ line int }

func (e *posError) Error() string { return fmt.Sprintf("f.yaml:%d: wrong", e.line) }

func TestJoinErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		errs []*posError
		want string
	}{
		{"one error per line, in order", []*posError{{3}, {1}}, "f.yaml:3: wrong\nf.yaml:1: wrong"},
		{"one error is one line", []*posError{{2}}, "f.yaml:2: wrong"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var err error = JoinErrors(c.errs)
			if err.Error() != c.want {
				t.Errorf("text = %q, want %q", err.Error(), c.want)
			}
			var me *multierror.Error
			if !errors.As(err, &me) || len(me.Errors) != len(c.errs) {
				t.Errorf("not a *multierror.Error of %d: %#v", len(c.errs), err)
			}
			var pe *posError
			if !errors.As(err, &pe) || pe != c.errs[0] {
				t.Errorf("errors.As found %v, want the first error", pe)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a: b\n", "", "a: &x 1\nb: *x\n", "base: &b {k: 1}\nc:\n  <<: *b\n", "a: 1\n---\nb: 2\n",
		"a:\n  - b: [1, {c: d}]\n", "? a\n: 1\n", "|\n  text\n", "a: [1\n", "\t- x", "'a\n",
		strings.Repeat("{a: ", 1000), strings.Repeat("- ", 1000), strings.Repeat("[", 100),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, probs := Parse(data, Limits{})
		if n != nil && len(probs) > 0 {
			t.Fatalf("a node and problems: %v", probs)
		}
		for _, p := range probs {
			if p.Msg == "" || p.Line < 0 || p.Col < 0 {
				t.Fatalf("bad problem %#v", p)
			}
		}
		ast.Walk(visitor(func(n ast.Node) {
			// None of the readers may panic on what Parse accepts.
			Mapping(n)
			Sequence(n)
			String(n)
			IsString(n)
			Int(n)
			Bool(n)
			IsNull(n)
		}), n)
		// Whatever follows it, nesting deeper than the limit is refused
		// before the parser sees it.
		hostile := append([]byte(strings.Repeat("[", DefaultMaxDepth+1)), data...)
		if n, probs := Parse(hostile, Limits{}); n != nil || len(probs) == 0 {
			t.Fatalf("deep nesting accepted: %q", hostile)
		}
	})
}
