package runbooks

import (
	"fmt"
	"io"

	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"
)

// The YAML parser's cost grows with the square of nesting depth and of
// the entries of nested flow collections: under the 1 MiB limit a file of
// 400 KB of "{a: " takes minutes and tens of GB. Runbooks are a page of
// YAML, a few hundred tokens, five levels deep; these limits are far above
// that and far below where the parser gets slow. They are checked on the
// token stream, which is cheap and linear, before the parser runs.
const (
	maxTokens = 10000
	maxDepth  = 64
)

// complexity returns what makes src too costly to parse, and where, or ""
// when it is within the limits. It counts flow nesting ([ and {) and block
// nesting (the stack of strictly increasing columns of -, ? and keys).
func complexity(src string) (line, col int, problem string) {
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
				return tk.Position.Line, tk.Position.Column, fmt.Sprintf("the file has more than %d YAML tokens; a runbook is a page of YAML", maxTokens)
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
				return tk.Position.Line, tk.Position.Column, fmt.Sprintf("the YAML nests more than %d levels deep; a runbook needs about five", maxDepth)
			}
			prev = tk
		}
	}
	return 0, 0, ""
}
