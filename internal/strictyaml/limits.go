package strictyaml

import (
	"fmt"
	"io"

	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"
)

// Default limits, for a [Limits] field left at zero.
const (
	DefaultMaxDepth  = 64
	DefaultMaxTokens = 10000
)

// Limits bound what [Parse] hands to the YAML parser. The parser's cost
// grows with the square of nesting depth and of the entries of nested
// flow collections: under the 1 MiB [MaxSize] a file of 400 KB of "{a: "
// takes minutes and tens of GB. caafix's formats are a page of YAML, a
// few hundred tokens, a few levels deep; limits far above that and far
// below where the parser gets slow are checked on the token stream, which
// is cheap and linear, before the parser runs.
//
// A zero field takes its default ([DefaultMaxDepth], [DefaultMaxTokens]),
// so a forgotten limit fails closed rather than open.
type Limits struct {
	// MaxDepth is the deepest nesting accepted: flow collections ([ and
	// {) and block collections (-, ? and keys at increasing columns)
	// together.
	MaxDepth int
	// MaxTokens is the most YAML tokens accepted.
	MaxTokens int
	// DepthHint and TokensHint follow the problem text after "; ", to say
	// what a file of the format needs, such as "a runbook needs about
	// five". Empty means no hint.
	DepthHint, TokensHint string
}

// check returns the first limit src breaks, or nil. It counts flow
// nesting ([ and {) and block nesting (the stack of strictly increasing
// columns of -, ? and keys).
func (lim Limits) check(src string) *Problem {
	maxDepth, maxTokens := lim.MaxDepth, lim.MaxTokens
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	var s scanner.Scanner
	s.Init(src)
	var (
		count  int
		flow   int
		block  []int // columns of the open block collections
		prev   *token.Token
		tokens token.Tokens
	)
	for {
		// As lexer.Tokenize does: Scan returns io.EOF at the end, and
		// any other error comes with the invalid token, for the parser
		// to report.
		var err error
		if tokens, err = s.Scan(); err == io.EOF {
			break
		}
		for _, tk := range tokens {
			count++
			if count > maxTokens {
				return &Problem{Line: tk.Position.Line, Col: tk.Position.Column, Msg: withHint(fmt.Sprintf("the file has more than %d YAML tokens", maxTokens), lim.TokensHint)}
			}
			switch tk.Type {
			case token.SequenceStartType, token.MappingStartType:
				flow++
			case token.SequenceEndType, token.MappingEndType:
				flow = max(flow-1, 0)
			case token.SequenceEntryType, token.MappingKeyType, token.MappingValueType:
				if flow > 0 {
					break
				}
				c := tk.Position.Column
				if tk.Type == token.MappingValueType && prev != nil {
					c = prev.Position.Column // the key's column
				}
				for len(block) > 0 && block[len(block)-1] >= c {
					block = block[:len(block)-1]
				}
				block = append(block, c)
			}
			if flow+len(block) > maxDepth {
				return &Problem{Line: tk.Position.Line, Col: tk.Position.Column, Msg: withHint(fmt.Sprintf("the YAML nests more than %d levels deep", maxDepth), lim.DepthHint)}
			}
			prev = tk
		}
	}
	return nil
}

func withHint(msg, hint string) string {
	if hint == "" {
		return msg
	}
	return msg + "; " + hint
}
