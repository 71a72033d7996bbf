package devicesim

import (
	"strings"
	"unicode"
)

// parseError is one PowerShell parse error: where, what and its error id.
type parseError struct {
	sp  span
	msg string
	id  string
}

// parseLine parses one line of PowerShell. A non-empty error list means
// PowerShell would refuse the whole line and run none of it.
func parseLine(line string) ([]stmt, []parseError) {
	p := &parser{src: []rune(line)}
	stmts, errs := p.parseScript()
	return stmts, errs
}

// The parser is recursive descent over runes. Two panics carry control
// flow inside it and never leave it: fatal (a parse error that rejects the
// line) and unsupported (a statement the simulator does not model, which
// the statement level turns into an unsupportedStmt).
type parser struct {
	src  []rune
	pos  int
	open []openBracket // blocks and parentheses not yet closed, innermost last
}

type openBracket struct {
	r   rune
	pos int
}

type fatal struct{ errs []parseError }

type unsupported struct{}

func (p *parser) parseScript() (stmts []stmt, errs []parseError) {
	defer func() {
		if r := recover(); r != nil {
			switch x := r.(type) {
			case fatal:
				stmts, errs = nil, x.errs
			case unsupported:
				// Only statements recover from this; should one escape,
				// the whole line is unsupported.
				stmts, errs = []stmt{&unsupportedStmt{text: string(p.src), sp: span{0, len(p.src)}}}, nil
			default:
				panic(r)
			}
		}
	}()
	stmts = p.parseStatements(0)
	if p.pos < len(p.src) {
		p.unexpected()
	}
	return stmts, nil
}

// fail rejects the line. Blocks still open when the line ends also get
// their "missing closing" errors, innermost first, as PowerShell reports.
func (p *parser) fail(e parseError) {
	errs := []parseError{e}
	if e.id == "TerminatorExpectedAtEndOfString" || e.id == "MissingEndCurlyBrace" || e.id == "MissingEndParenthesisInExpression" {
		for i := len(p.open) - 1; i >= 0; i-- {
			errs = append(errs, p.missingClose(p.open[i]))
		}
	}
	panic(fatal{errs})
}

// failMissing rejects the line because the bracket opened at o is never
// closed.
func (p *parser) failMissing(o openBracket) {
	for i := len(p.open) - 1; i >= 0; i-- {
		if p.open[i] == o {
			p.open = append(p.open[:i:i], p.open[i+1:]...)
			break
		}
	}
	p.fail(p.missingClose(o))
}

func (p *parser) missingClose(o openBracket) parseError {
	end := p.trimmedEnd()
	switch o.r {
	case '{':
		return parseError{span{o.pos, o.pos + 1}, "Missing closing '}' in statement block or type definition.", "MissingEndCurlyBrace"}
	case '[':
		return parseError{span{end, end}, "Missing ']' after array index expression.", "MissingEndSquareBracket"}
	default:
		return parseError{span{end, end}, "Missing closing ')' in expression.", "MissingEndParenthesisInExpression"}
	}
}

func (p *parser) trimmedEnd() int {
	end := len(p.src)
	for end > 0 && unicode.IsSpace(p.src[end-1]) {
		end--
	}
	return end
}

// unexpected fails on the token at the current position.
func (p *parser) unexpected() {
	if p.eof() {
		// The line ended inside something: report what is left open.
		if n := len(p.open); n > 0 {
			p.failMissing(p.open[n-1])
		}
		p.fail(parseError{span{p.pos, p.pos}, "Missing expression.", "MissingExpression"})
	}
	start := p.pos
	end := start + 1
	if isWordRune(p.src[start]) {
		for end < len(p.src) && !isArgDelimiter(p.src[end]) {
			end++
		}
	}
	tok := string(p.src[start:end])
	p.fail(parseError{span{start, end}, "Unexpected token '" + tok + "' in expression or statement.", "UnexpectedToken"})
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() rune {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) peekAt(off int) rune {
	if p.pos+off < len(p.src) {
		return p.src[p.pos+off]
	}
	return 0
}

// skipSpace skips blanks and a # comment, which runs to the end of the
// line.
func (p *parser) skipSpace() {
	for !p.eof() {
		r := p.peek()
		switch {
		case isBlank(r):
			p.pos++
		case r == '#':
			p.pos = len(p.src)
		case r == '`' && p.pos+1 >= len(p.src):
			// A line continuation: PowerShell would wait for the next
			// line; the simulator reads one line per command and takes
			// the line as it is.
			p.pos++
		default:
			return
		}
	}
}

// atStatementEnd reports whether the current statement ends here.
func (p *parser) atStatementEnd() bool {
	if p.eof() {
		return true
	}
	switch p.peek() {
	case ';', '}', ')':
		return true
	}
	return false
}

// parseStatements parses statements up to the closing rune (0: the end
// of the line) without consuming it.
func (p *parser) parseStatements(closing rune) []stmt {
	var out []stmt
	for {
		p.skipSpace()
		if p.eof() {
			return out
		}
		r := p.peek()
		if r == closing && closing != 0 {
			return out
		}
		if r == ';' {
			p.pos++
			continue
		}
		if r == '}' || r == ')' {
			p.unexpected()
		}
		out = append(out, p.parseStatement())
		p.skipSpace()
		if !p.eof() && p.peek() != ';' && p.peek() != closing {
			if p.peek() == '}' || p.peek() == ')' || isWordRune(p.peek()) || isQuote(p.peek()) {
				p.unexpected()
			}
			// An operator the simulator does not model follows a
			// statement it parsed: the whole statement is unsupported.
			last := out[len(out)-1]
			out[len(out)-1] = p.skipUnsupported(last.stmtSpan().start)
		}
	}
}

// parseStatement parses one statement; a statement the simulator does not
// model becomes an unsupportedStmt spanning to the statement's end.
func (p *parser) parseStatement() (s stmt) {
	start := p.pos
	openDepth := len(p.open)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(unsupported); !ok {
				panic(r)
			}
			p.open = p.open[:openDepth]
			s = p.skipUnsupported(start)
		}
	}()
	switch strings.ToLower(p.peekWord()) {
	case "try":
		return p.parseTry()
	case "exit":
		return p.parseExit()
	case "if", "elseif", "else", "foreach", "for", "while", "do", "until", "switch", "function",
		"filter", "workflow", "param", "begin", "process", "end", "trap", "throw", "return",
		"break", "continue", "data", "dynamicparam", "class", "enum", "using", "catch", "finally":
		panic(unsupported{})
	}
	if p.peek() == '$' {
		if a := p.tryAssignment(); a != nil {
			return a
		}
	}
	return p.parsePipeline()
}

// skipUnsupported consumes the rest of a statement the simulator does not
// model, honouring quotes and brackets (whose errors still reject the
// line), and returns it as an unsupportedStmt.
func (p *parser) skipUnsupported(start int) stmt {
	p.pos = start
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
		case r == '#' && (p.pos == 0 || isBlank(p.src[p.pos-1])):
			p.pos = len(p.src)
			continue
		case r == '{' || r == '(' || r == '[':
			p.open = append(p.open, openBracket{r, p.pos})
			depth++
		case (r == '}' || r == ')') && depth == 0:
			return p.unsupportedFrom(start)
		case r == ']' && depth == 0:
		case r == '}' || r == ')' || r == ']':
			o := p.open[len(p.open)-1]
			if closer(o.r) != r {
				p.unexpected()
			}
			p.open = p.open[:len(p.open)-1]
			depth--
		case r == ';' && depth == 0:
			return p.unsupportedFrom(start)
		}
		p.pos++
	}
	if depth > 0 {
		o := p.open[len(p.open)-1]
		p.failMissing(o)
	}
	return p.unsupportedFrom(start)
}

func (p *parser) unsupportedFrom(start int) stmt {
	end := p.pos
	for end > start && isBlank(p.src[end-1]) {
		end--
	}
	return &unsupportedStmt{text: string(p.src[start:end]), sp: span{start, end}}
}

func closer(r rune) rune {
	switch r {
	case '{':
		return '}'
	case '(':
		return ')'
	}
	return ']'
}

// peekWord returns the bare word at the current position, if it is
// followed by a delimiter (so that "tryme" is not the keyword try).
func (p *parser) peekWord() string {
	end := p.pos
	for end < len(p.src) && (unicode.IsLetter(p.src[end]) || p.src[end] == '_') {
		end++
	}
	if end == p.pos {
		return ""
	}
	if end < len(p.src) && !isBlank(p.src[end]) && !strings.ContainsRune("{(;})", p.src[end]) {
		return ""
	}
	return string(p.src[p.pos:end])
}

func (p *parser) parseTry() stmt {
	start := p.pos
	p.pos += 3
	p.skipSpace()
	if p.peek() != '{' {
		p.fail(parseError{span{p.pos, p.pos}, "The Try statement is missing its statement block.", "MissingTryStatementBlock"})
	}
	t := &tryStmt{body: p.parseBlock()}
	afterBody := p.pos
	for {
		p.skipSpace()
		if strings.ToLower(p.peekWord()) != "catch" {
			break
		}
		p.pos += 5
		var c catchClause
		for {
			p.skipSpace()
			if p.peek() != '[' {
				break
			}
			t0 := p.pos
			for !p.eof() && p.peek() != ']' {
				p.pos++
			}
			if p.eof() {
				p.fail(parseError{span{t0, t0 + 1}, "Missing ] at end of type token.", "EndSquareBracketExpectedAtEndOfType"})
			}
			p.pos++
			c.types = append(c.types, string(p.src[t0+1:p.pos-1]))
			p.skipSpace()
			if p.peek() == ',' {
				p.pos++
			}
		}
		if p.peek() != '{' {
			p.fail(parseError{span{p.pos, p.pos}, "Missing statement block in catch block.", "MissingCatchHandlerBlock"})
		}
		c.body = p.parseBlock()
		t.catches = append(t.catches, c)
	}
	p.skipSpace()
	if strings.ToLower(p.peekWord()) == "finally" {
		p.pos += 7
		p.skipSpace()
		if p.peek() != '{' {
			p.fail(parseError{span{p.pos, p.pos}, "Missing statement block in finally block.", "MissingFinallyStatementBlock"})
		}
		t.finally = p.parseBlock()
		t.hasFinally = true
	}
	if len(t.catches) == 0 && !t.hasFinally {
		p.fail(parseError{span{afterBody, afterBody}, "The Try statement is missing its Catch or Finally block.", "MissingCatchOrFinally"})
	}
	t.sp = span{start, p.pos}
	return t
}

// parseBlock parses `{ statements }`.
func (p *parser) parseBlock() []stmt {
	open := p.pos
	p.open = append(p.open, openBracket{'{', open})
	p.pos++
	body := p.parseStatements('}')
	if p.eof() {
		p.failMissing(openBracket{'{', open})
	}
	p.pos++
	p.open = p.open[:len(p.open)-1]
	return body
}

func (p *parser) parseExit() stmt {
	start := p.pos
	p.pos += 4
	p.skipSpace()
	e := &exitStmt{}
	if !p.atStatementEnd() && p.peek() != '|' {
		e.code = p.parseExpression()
	}
	e.sp = span{start, p.pos}
	return e
}

// tryAssignment parses `$name = …` or returns nil, leaving the position
// unchanged, when the statement is not an assignment.
func (p *parser) tryAssignment() stmt {
	start := p.pos
	v, ok := p.scanVariable()
	if !ok {
		p.pos = start
		return nil
	}
	p.skipSpace()
	switch {
	case p.peek() == '=' && p.peekAt(1) != '=':
	case strings.ContainsRune("+-*/%", p.peek()) && p.peekAt(1) == '=':
		panic(unsupported{})
	default:
		p.pos = start
		return nil
	}
	opPos := p.pos
	p.pos++
	p.skipSpace()
	if p.atStatementEnd() {
		p.fail(parseError{span{opPos + 1, opPos + 1}, "You must provide a value expression following the '=' operator.", "ExpectedValueExpression"})
	}
	var value stmt
	if strings.ToLower(p.peekWord()) == "try" {
		panic(unsupported{})
	}
	value = p.parsePipeline()
	return &assignStmt{target: v, value: value, sp: span{start, p.pos}}
}

func (p *parser) parsePipeline() stmt {
	start := p.pos
	s := &pipelineStmt{}
	for {
		p.skipSpace()
		elem := p.parsePipeElement(len(s.elems) == 0)
		s.elems = append(s.elems, elem)
		p.skipSpace()
		if p.peek() != '|' {
			break
		}
		if p.peekAt(1) == '|' {
			p.fail(parseError{span{p.pos, p.pos + 2}, "The token '||' is not a valid statement separator in this version.", "InvalidEndOfLine"})
		}
		bar := p.pos
		p.pos++
		p.skipSpace()
		if p.atStatementEnd() || p.peek() == '|' {
			p.fail(parseError{span{bar, bar + 1}, "An empty pipe element is not allowed.", "EmptyPipeElement"})
		}
	}
	s.sp = span{start, p.pos}
	return s
}

func (p *parser) parsePipeElement(first bool) pipeElem {
	start := p.pos
	r := p.peek()
	switch {
	case r == '&' && p.peekAt(1) != '&':
		p.pos++
		p.skipSpace()
		if p.atStatementEnd() || p.peek() == '|' {
			p.fail(parseError{span{start, start + 1}, "Missing expression after '&' in pipeline element.", "MissingExpression"})
		}
		c := &commandAst{invoke: true}
		nameStart := p.pos
		c.nameExpr = p.parseArgValue()
		c.nameSp = span{nameStart, p.pos}
		c.elems = p.parseCommandElements()
		c.sp = span{start, p.pos}
		return pipeElem{cmd: c, sp: c.sp}
	case r == '.' && (p.pos+1 >= len(p.src) || isBlank(p.src[p.pos+1])):
		panic(unsupported{}) // dot-sourcing
	case r == ',' || r == '{' || r == '!':
		panic(unsupported{}) // unary comma, script blocks, -not
	case p.startsExpression():
		if !first {
			e := p.parseExpression()
			p.fail(parseError{e.exprSpan(), "Expressions are only allowed as the first element of a pipeline.", "ExpressionsMustBeFirstInPipeline"})
		}
		e := p.parseExpression()
		return pipeElem{expr: e, sp: span{start, p.pos}}
	}
	c := &commandAst{}
	name := p.scanGenericWord()
	if name == "" {
		p.unexpected()
	}
	c.name = name
	c.nameSp = span{start, p.pos}
	c.elems = p.parseCommandElements()
	c.sp = span{start, p.pos}
	for c.sp.end > c.sp.start && isBlank(p.src[c.sp.end-1]) {
		c.sp.end--
	}
	return pipeElem{cmd: c, sp: c.sp}
}

// startsExpression reports whether a pipeline element starting here is an
// expression rather than a command.
func (p *parser) startsExpression() bool {
	r := p.peek()
	switch {
	case r == '$' || r == '(' || r == '[' || isQuote(r):
		return true
	case r == '@':
		panic(unsupported{})
	case isDash(r):
		panic(unsupported{}) // unary operators and negative numbers
	case unicode.IsDigit(r):
		end := p.pos
		for end < len(p.src) && unicode.IsDigit(p.src[end]) {
			end++
		}
		return end >= len(p.src) || isArgDelimiter(p.src[end]) || p.src[end] == '+'
	}
	return false
}
