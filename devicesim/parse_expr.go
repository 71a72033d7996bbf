package devicesim

// This file parses expressions: strings, variables, parentheses, member
// access and the + operator.

import (
	"strconv"
	"strings"
	"unicode"
)

// parseExpression parses an expression in expression mode: additions and
// comma lists of postfix expressions.
func (p *parser) parseExpression() expr {
	start := p.pos
	first := p.parseAdditive()
	save := p.pos
	p.skipSpace()
	if p.peek() != ',' {
		p.pos = save
		return first
	}
	arr := &arrayExpr{elems: []expr{first}}
	for p.peek() == ',' {
		comma := p.pos
		p.pos++
		p.skipSpace()
		if p.atStatementEnd() || p.peek() == '|' {
			p.fail(parseError{span{comma + 1, comma + 1}, "Missing expression after ','.", "MissingExpressionAfterToken"})
		}
		arr.elems = append(arr.elems, p.parseAdditive())
		save = p.pos
		p.skipSpace()
		if p.peek() != ',' {
			p.pos = save
		}
	}
	arr.sp = span{start, p.pos}
	return arr
}

func (p *parser) parseAdditive() expr {
	start := p.pos
	left := p.parsePostfix(p.parsePrimary())
	for {
		save := p.pos
		p.skipSpace()
		r := p.peek()
		switch {
		case r == '+' && p.peekAt(1) != '+' && p.peekAt(1) != '=':
			op := p.pos
			p.pos++
			p.skipSpace()
			if p.atStatementEnd() || p.peek() == '|' || p.peek() == ',' {
				p.fail(parseError{span{op + 1, op + 1}, "You must provide a value expression following the '+' operator.", "ExpectedValueExpression"})
			}
			right := p.parsePostfix(p.parsePrimary())
			left = &binExpr{left: left, right: right, sp: span{start, p.pos}}
		case isDash(r) || strings.ContainsRune("*/%!.[=?<>", r) || r == '+':
			panic(unsupported{}) // other operators
		default:
			p.pos = save
			return left
		}
	}
}

// parsePostfix parses member access and method calls after a primary.
func (p *parser) parsePostfix(e expr) expr {
	start := e.exprSpan().start
	for {
		static := false
		switch {
		case p.peek() == '.' && (unicode.IsLetter(p.peekAt(1)) || p.peekAt(1) == '_'):
			p.pos++
		case p.peek() == ':' && p.peekAt(1) == ':':
			p.pos += 2
			static = true
		case p.peek() == '[':
			panic(unsupported{}) // indexing
		default:
			return e
		}
		nameStart := p.pos
		for !p.eof() && (unicode.IsLetter(p.peek()) || unicode.IsDigit(p.peek()) || p.peek() == '_') {
			p.pos++
		}
		if nameStart == p.pos {
			p.fail(parseError{span{nameStart, nameStart}, "Missing property name after reference operator.", "MissingPropertyName"})
		}
		m := &memberExpr{target: e, name: string(p.src[nameStart:p.pos]), static: static}
		if p.peek() == '(' {
			m.call = true
			m.args = p.parseCallArgs()
		}
		m.sp = span{start, p.pos}
		e = m
	}
}

func (p *parser) parseCallArgs() []expr {
	open := p.pos
	p.open = append(p.open, openBracket{'(', open})
	p.pos++
	var args []expr
	p.skipSpace()
	if p.peek() == ')' {
		p.pos++
		p.open = p.open[:len(p.open)-1]
		return nil
	}
	for {
		p.skipSpace()
		if p.eof() {
			p.failMissing(openBracket{'(', open})
		}
		args = append(args, p.parseAdditive())
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
			continue
		case ')':
			p.pos++
			p.open = p.open[:len(p.open)-1]
			return args
		case 0:
			p.failMissing(openBracket{'(', open})
		default:
			p.unexpected()
		}
	}
}

func (p *parser) parsePrimary() expr {
	start := p.pos
	r := p.peek()
	switch {
	case isSingleQuote(r):
		return p.scanSingleQuoted()
	case isDoubleQuote(r):
		return p.scanDoubleQuoted()
	case r == '$' && p.peekAt(1) == '(':
		return p.parseSubExpr()
	case r == '$':
		v, ok := p.scanVariable()
		if !ok {
			panic(unsupported{})
		}
		return v
	case r == '(':
		return p.parseParen()
	case r == '[':
		p.pos++
		for !p.eof() && p.peek() != ']' {
			if isBlank(p.peek()) || p.peek() == '[' {
				panic(unsupported{}) // generic and array types
			}
			p.pos++
		}
		if p.eof() {
			p.fail(parseError{span{start, start + 1}, "Missing ] at end of type token.", "EndSquareBracketExpectedAtEndOfType"})
		}
		p.pos++
		t := &typeExpr{name: string(p.src[start+1 : p.pos-1]), sp: span{start, p.pos}}
		if !(p.peek() == ':' && p.peekAt(1) == ':') {
			panic(unsupported{}) // casts
		}
		return t
	case unicode.IsDigit(r):
		end := p.pos
		for end < len(p.src) && unicode.IsDigit(p.src[end]) {
			end++
		}
		if end < len(p.src) && (unicode.IsLetter(p.src[end]) || p.src[end] == '.') {
			panic(unsupported{}) // 1kb, 0x10, 1.5
		}
		n, err := strconv.ParseInt(string(p.src[start:end]), 10, 64)
		if err != nil {
			panic(unsupported{})
		}
		p.pos = end
		return &numExpr{n: n, sp: span{start, end}}
	case r == 0:
		p.fail(parseError{span{start, start}, "You must provide a value expression following the '+' operator.", "ExpectedValueExpression"})
	case isWordRune(r):
		p.unexpected()
	}
	panic(unsupported{})
}

// parseParen parses `( pipeline )`.
func (p *parser) parseParen() expr {
	open := p.pos
	p.open = append(p.open, openBracket{'(', open})
	p.pos++
	p.skipSpace()
	if p.eof() {
		p.failMissing(openBracket{'(', open})
	}
	if p.peek() == ')' {
		p.fail(parseError{span{open + 1, open + 1}, "An expression was expected after '('.", "ExpectedExpression"})
	}
	var inner stmt
	if p.peek() == '$' {
		inner = p.tryAssignment()
	}
	if inner == nil {
		inner = p.parsePipeline()
	}
	p.skipSpace()
	if p.eof() {
		p.failMissing(openBracket{'(', open})
	}
	if p.peek() != ')' {
		if p.peek() == ';' {
			panic(unsupported{})
		}
		p.unexpected()
	}
	p.pos++
	p.open = p.open[:len(p.open)-1]
	return &parenExpr{inner: inner, sp: span{open, p.pos}}
}

// parseSubExpr parses `$( statements )`.
func (p *parser) parseSubExpr() expr {
	start := p.pos
	p.open = append(p.open, openBracket{'(', start + 1})
	p.pos += 2
	stmts := p.parseStatements(')')
	if p.eof() {
		p.failMissing(openBracket{'(', start + 1})
	}
	p.pos++
	p.open = p.open[:len(p.open)-1]
	return &subExpr{stmts: stmts, sp: span{start, p.pos}}
}
