package devicesim

// This file parses commands in argument mode: parameters, bare words
// and the values they are built from.

import (
	"strconv"
	"strings"
	"unicode"
)

// parseCommandElements parses a command's parameters and arguments.
func (p *parser) parseCommandElements() []cmdElement {
	var out []cmdElement
	for {
		p.skipSpace()
		if p.atStatementEnd() || p.peek() == '|' {
			return out
		}
		start := p.pos
		r := p.peek()
		switch {
		case r == '&':
			if p.peekAt(1) == '&' {
				p.fail(parseError{span{start, start + 2}, "The token '&&' is not a valid statement separator in this version.", "InvalidEndOfLine"})
			}
			p.fail(parseError{span{start, start + 1}, "The ampersand (&) character is not allowed. The & operator is reserved for future use; wrap an ampersand in double quotation marks (\"&\") to pass it as part of a string.", "AmpersandNotAllowed"})
		case r == '{' || r == '@' || r == '<' || r == '>' || r == ',':
			panic(unsupported{}) // script blocks, splatting, redirection, unary comma
		case isDash(r) && isDash(p.peekAt(1)) && p.peekAt(2) == '%':
			panic(unsupported{}) // the stop-parsing token
		case unicode.IsDigit(r) && p.redirectionAhead():
			panic(unsupported{})
		case isDash(r) && (unicode.IsLetter(p.peekAt(1)) || p.peekAt(1) == '_' || p.peekAt(1) == '?'):
			p.pos++
			nameStart := p.pos
			for !p.eof() && (unicode.IsLetter(p.peek()) || unicode.IsDigit(p.peek()) || p.peek() == '_' || p.peek() == '?') {
				p.pos++
			}
			el := cmdElement{param: string(p.src[nameStart:p.pos])}
			if p.peek() == ':' {
				p.pos++
				el.colon = true
				p.skipSpace()
				el.value = p.parseArgList()
			} else if !p.eof() && !isArgDelimiter(p.peek()) {
				// -foo.bar and the like: a bare word, not a parameter.
				p.pos = start
				el = cmdElement{value: p.parseArgList()}
			}
			el.sp = span{start, p.pos}
			out = append(out, el)
		default:
			v := p.parseArgList()
			if p.pos == start {
				panic(unsupported{})
			}
			out = append(out, cmdElement{value: v, sp: span{start, p.pos}})
		}
	}
}

// redirectionAhead reports whether digits here start a redirection (2>&1).
func (p *parser) redirectionAhead() bool {
	i := p.pos
	for i < len(p.src) && unicode.IsDigit(p.src[i]) {
		i++
	}
	return i < len(p.src) && (p.src[i] == '>' || p.src[i] == '<')
}

// parseArgList parses one argument, or a comma-separated list of them.
func (p *parser) parseArgList() expr {
	start := p.pos
	first := p.parseArgValue()
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
			p.fail(parseError{span{comma, comma + 1}, "Missing argument in parameter list.", "MissingArgument"})
		}
		arr.elems = append(arr.elems, p.parseArgValue())
		save = p.pos
		p.skipSpace()
		if p.peek() != ',' {
			p.pos = save
		}
	}
	arr.sp = span{start, p.pos}
	return arr
}

// parseArgValue parses one argument in command mode: a variable, a
// parenthesized expression, a number, or a bare word whose quoted and
// variable parts are joined.
func (p *parser) parseArgValue() expr {
	start := p.pos
	r := p.peek()
	switch {
	case r == '(':
		e := p.parsePostfix(p.parseParen())
		if !p.eof() && !isArgDelimiter(p.peek()) {
			panic(unsupported{})
		}
		return e
	case r == '$' && p.peekAt(1) == '(':
		return p.parsePostfix(p.parseSubExpr())
	case unicode.IsDigit(r):
		end := p.pos
		for end < len(p.src) && unicode.IsDigit(p.src[end]) {
			end++
		}
		if end >= len(p.src) || isArgDelimiter(p.src[end]) {
			n, err := strconv.ParseInt(string(p.src[p.pos:end]), 10, 64)
			if err == nil {
				p.pos = end
				return &numExpr{n: n, sp: span{start, end}}
			}
		}
	case r == '$':
		v, ok := p.scanVariable()
		if ok {
			e := p.parsePostfix(v)
			if p.eof() || isArgDelimiter(p.peek()) {
				return e
			}
			// $x followed by more text: one argument made of both.
			rest := p.parseGenericParts()
			return &expandExpr{parts: append([]expr{e}, rest...), sp: span{start, p.pos}}
		}
		p.pos = start
	}
	parts := p.parseGenericParts()
	if len(parts) == 1 {
		if s, ok := parts[0].(*strExpr); ok {
			s.sp = span{start, p.pos}
			return s
		}
		if _, ok := parts[0].(*expandExpr); ok {
			return parts[0]
		}
	}
	return &expandExpr{parts: parts, sp: span{start, p.pos}}
}

// parseGenericParts scans a bare word up to a delimiter, returning its
// literal text, quoted strings and variables as parts.
func (p *parser) parseGenericParts() []expr {
	var parts []expr
	var lit strings.Builder
	litStart := p.pos
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, &strExpr{s: lit.String(), sp: span{litStart, p.pos}})
			lit.Reset()
		}
	}
	for !p.eof() && !isArgDelimiter(p.peek()) {
		r := p.peek()
		switch {
		case isSingleQuote(r):
			flush()
			parts = append(parts, p.scanSingleQuoted())
			litStart = p.pos
		case isDoubleQuote(r):
			flush()
			parts = append(parts, p.scanDoubleQuoted())
			litStart = p.pos
		case r == '`':
			if p.pos+1 < len(p.src) {
				lit.WriteRune(p.src[p.pos+1])
			}
			p.pos = min(p.pos+2, len(p.src))
		case r == '$' && (unicode.IsLetter(p.peekAt(1)) || p.peekAt(1) == '_' || p.peekAt(1) == '{' || p.peekAt(1) == '?'):
			flush()
			v, ok := p.scanVariable()
			if !ok {
				panic(unsupported{})
			}
			parts = append(parts, v)
			litStart = p.pos
		case r == '$' && p.peekAt(1) == '(':
			flush()
			parts = append(parts, p.parseSubExpr())
			litStart = p.pos
		default:
			lit.WriteRune(r)
			p.pos++
		}
	}
	flush()
	return parts
}

// scanGenericWord scans a command name.
func (p *parser) scanGenericWord() string {
	var b strings.Builder
	for !p.eof() && !isArgDelimiter(p.peek()) {
		r := p.peek()
		switch {
		case isQuote(r) || r == '$':
			panic(unsupported{}) // names built from strings or variables
		case r == '`':
			if p.pos+1 < len(p.src) {
				b.WriteRune(p.src[p.pos+1])
			}
			p.pos = min(p.pos+2, len(p.src))
		default:
			b.WriteRune(r)
			p.pos++
		}
	}
	return b.String()
}
