package devicesim

// The syntax tree of the PowerShell subset the simulator understands.
// Spans are rune offsets into the line, end exclusive, so that error
// positions count characters as PowerShell does.

type span struct{ start, end int }

type stmt interface{ stmtSpan() span }

// pipelineStmt is `a | b | c`; its first element may be an expression.
type pipelineStmt struct {
	elems []pipeElem
	sp    span
}

type pipeElem struct {
	cmd  *commandAst // a command, or
	expr expr        // an expression (first element only)
	sp   span
}

// assignStmt is `$name = value`.
type assignStmt struct {
	target *varExpr
	value  stmt
	sp     span
}

type tryStmt struct {
	body       []stmt
	catches    []catchClause
	finally    []stmt
	hasFinally bool
	sp         span
}

type catchClause struct {
	types []string
	body  []stmt
}

type exitStmt struct {
	code expr // may be nil
	sp   span
}

// unsupportedStmt is valid-looking PowerShell the simulator does not
// model; running it is a terminating error that says so.
type unsupportedStmt struct {
	text string
	sp   span
}

func (s *pipelineStmt) stmtSpan() span    { return s.sp }
func (s *assignStmt) stmtSpan() span      { return s.sp }
func (s *tryStmt) stmtSpan() span         { return s.sp }
func (s *exitStmt) stmtSpan() span        { return s.sp }
func (s *unsupportedStmt) stmtSpan() span { return s.sp }

// commandAst is a command with its arguments: `name args` or `& expr args`.
type commandAst struct {
	invoke   bool   // the & call operator
	name     string // the command name as written (when !invoke)
	nameExpr expr   // what follows & (when invoke)
	nameSp   span
	elems    []cmdElement
	sp       span
}

// cmdElement is `-Param`, `-Param:value` or a value.
type cmdElement struct {
	param string // without the dash; "" for a value
	value expr   // nil for a bare -Param
	colon bool
	sp    span
}

type expr interface{ exprSpan() span }

type strExpr struct { // single-quoted string or bare word
	s  string
	sp span
}

type expandExpr struct { // double-quoted string, or a bare word with variables
	parts []expr
	sp    span
}

type numExpr struct {
	n  int64
	sp span
}

type varExpr struct {
	scope string // "global", "env", … or ""
	name  string
	sp    span
}

type subExpr struct { // $( … )
	stmts []stmt
	sp    span
}

type parenExpr struct { // ( pipeline )
	inner stmt
	sp    span
}

type typeExpr struct { // [Console]
	name string
	sp   span
}

type memberExpr struct {
	target expr
	name   string
	static bool // ::
	call   bool
	args   []expr
	sp     span
}

type binExpr struct { // a + b
	left, right expr
	sp          span
}

type arrayExpr struct { // a, b
	elems []expr
	sp    span
}

func (e *strExpr) exprSpan() span    { return e.sp }
func (e *expandExpr) exprSpan() span { return e.sp }
func (e *numExpr) exprSpan() span    { return e.sp }
func (e *varExpr) exprSpan() span    { return e.sp }
func (e *subExpr) exprSpan() span    { return e.sp }
func (e *parenExpr) exprSpan() span  { return e.sp }
func (e *typeExpr) exprSpan() span   { return e.sp }
func (e *memberExpr) exprSpan() span { return e.sp }
func (e *binExpr) exprSpan() span    { return e.sp }
func (e *arrayExpr) exprSpan() span  { return e.sp }
