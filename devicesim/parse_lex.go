package devicesim

// This file holds the tokenizer's pieces: variables, quoted strings and
// the character classes of PowerShell's tokenizer.

import (
	"strings"
	"unicode"
)

// skipDoubleQuoted skips a double-quoted string without parsing the
// subexpressions inside it.
func (p *parser) skipDoubleQuoted() {
	start := p.pos
	p.pos++
	for {
		if p.eof() {
			p.fail(parseError{span{start, p.trimmedEnd()}, "The string is missing the terminator: \".", "TerminatorExpectedAtEndOfString"})
		}
		r := p.peek()
		switch {
		case isDoubleQuote(r) && isDoubleQuote(p.peekAt(1)):
			p.pos += 2
		case isDoubleQuote(r):
			p.pos++
			return
		case r == '`':
			p.pos = min(p.pos+2, len(p.src))
		case r == '$' && p.peekAt(1) == '(':
			p.pos++
			p.skipParen()
		default:
			p.pos++
		}
	}
}

// skipParen skips from an opening parenthesis to its match.
func (p *parser) skipParen() {
	open := p.pos
	p.open = append(p.open, openBracket{'(', open})
	p.pos++
	depth := 0
	for !p.eof() {
		r := p.peek()
		switch {
		case isSingleQuote(r):
			p.scanSingleQuoted()
			continue
		case isDoubleQuote(r):
			p.skipDoubleQuoted()
			continue
		case r == '`':
			p.pos = min(p.pos+2, len(p.src))
			continue
		case r == '(':
			depth++
		case r == ')' && depth == 0:
			p.pos++
			p.open = p.open[:len(p.open)-1]
			return
		case r == ')':
			depth--
		}
		p.pos++
	}
	p.failMissing(openBracket{'(', open})
}

// scanVariable scans $name, $scope:name, ${name}, $?, $_ or $$.
func (p *parser) scanVariable() (*varExpr, bool) {
	start := p.pos
	if p.peek() != '$' {
		return nil, false
	}
	p.pos++
	switch r := p.peek(); {
	case r == '?' || r == '$' || r == '^':
		p.pos++
		return &varExpr{name: string(r), sp: span{start, p.pos}}, true
	case r == '{':
		end := p.pos + 1
		for end < len(p.src) && p.src[end] != '}' {
			end++
		}
		if end >= len(p.src) {
			p.fail(parseError{span{start, start + 2}, "Missing '}' in variable expression.", "IncompleteDollarVariableReference"})
		}
		name := string(p.src[p.pos+1 : end])
		p.pos = end + 1
		scope, n := splitScope(name)
		return &varExpr{scope: scope, name: n, sp: span{start, p.pos}}, true
	case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
	default:
		p.pos = start
		return nil, false
	}
	nameStart := p.pos
	seenColon := false
	for !p.eof() {
		r := p.peek()
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			p.pos++
			continue
		}
		next := p.peekAt(1)
		if r == ':' && !seenColon && (unicode.IsLetter(next) || unicode.IsDigit(next) || next == '_') {
			seenColon = true
			p.pos++
			continue
		}
		break
	}
	scope, n := splitScope(string(p.src[nameStart:p.pos]))
	return &varExpr{scope: scope, name: n, sp: span{start, p.pos}}, true
}

func splitScope(name string) (string, string) {
	if scope, n, ok := strings.Cut(name, ":"); ok {
		return strings.ToLower(scope), n
	}
	return "", name
}

// scanSingleQuoted scans a single-quoted string. Inside, only the quote
// characters are special: a doubled quote (any two of ' and U+2018–U+201B)
// stands for its second character.
func (p *parser) scanSingleQuoted() expr {
	start := p.pos
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			p.fail(parseError{span{start, p.trimmedEnd()}, "The string is missing the terminator: '.", "TerminatorExpectedAtEndOfString"})
		}
		r := p.peek()
		if isSingleQuote(r) {
			if isSingleQuote(p.peekAt(1)) {
				b.WriteRune(p.peekAt(1))
				p.pos += 2
				continue
			}
			p.pos++
			return &strExpr{s: b.String(), sp: span{start, p.pos}}
		}
		b.WriteRune(r)
		p.pos++
	}
}

// scanDoubleQuoted scans a double-quoted string: backtick escapes, doubled
// quotes, and $variable and $( ) expansion.
func (p *parser) scanDoubleQuoted() expr {
	start := p.pos
	p.pos++
	e := &expandExpr{}
	var lit strings.Builder
	litStart := p.pos
	flush := func() {
		if lit.Len() > 0 {
			e.parts = append(e.parts, &strExpr{s: lit.String(), sp: span{litStart, p.pos}})
			lit.Reset()
		}
	}
	for {
		if p.eof() {
			p.fail(parseError{span{start, p.trimmedEnd()}, "The string is missing the terminator: \".", "TerminatorExpectedAtEndOfString"})
		}
		r := p.peek()
		switch {
		case isDoubleQuote(r):
			if isDoubleQuote(p.peekAt(1)) {
				lit.WriteRune(p.peekAt(1))
				p.pos += 2
				continue
			}
			p.pos++
			flush()
			e.sp = span{start, p.pos}
			if len(e.parts) == 0 {
				return &strExpr{s: "", sp: e.sp}
			}
			return e
		case r == '`':
			if p.pos+1 >= len(p.src) {
				p.pos++
				continue
			}
			lit.WriteString(backtickEscape(p.src[p.pos+1]))
			p.pos += 2
		case r == '$' && p.peekAt(1) == '(':
			flush()
			e.parts = append(e.parts, p.parseSubExpr())
			litStart = p.pos
		case r == '$':
			flush()
			v, ok := p.scanVariable()
			if !ok {
				lit.WriteRune('$')
				p.pos++
				continue
			}
			e.parts = append(e.parts, v)
			litStart = p.pos
		default:
			lit.WriteRune(r)
			p.pos++
		}
	}
}

func backtickEscape(r rune) string {
	switch r {
	case '0':
		return "\x00"
	case 'a':
		return "\a"
	case 'b':
		return "\b"
	case 'f':
		return "\f"
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 't':
		return "\t"
	case 'v':
		return "\v"
	}
	return string(r)
}

// isSingleQuote reports whether PowerShell's tokenizer takes r for a
// single quote: ' and U+2018–U+201B.
func isSingleQuote(r rune) bool {
	return r == '\'' || r == '\u2018' || r == '\u2019' || r == '\u201A' || r == '\u201B'
}

func isDoubleQuote(r rune) bool {
	return r == '"' || r == '\u201C' || r == '\u201D' || r == '\u201E'
}

func isQuote(r rune) bool { return isSingleQuote(r) || isDoubleQuote(r) }

// isDash: PowerShell accepts the en dash, em dash and horizontal bar
// wherever it accepts "-".
func isDash(r rune) bool {
	return r == '-' || r == '\u2013' || r == '\u2014' || r == '\u2015'
}

func isBlank(r rune) bool {
	return r == ' ' || r == '\t' || r == '\f' || r == '\v' || r == '\u00A0' || r == '\u0085'
}

func isArgDelimiter(r rune) bool {
	return isBlank(r) || strings.ContainsRune(";|(){},&\r\n", r)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}
