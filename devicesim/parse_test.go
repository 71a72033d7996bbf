package devicesim

import (
	"slices"
	"strings"
	"testing"
)

// argsOf parses a one-command line and returns the arguments a native
// program would receive.
func argsOf(t *testing.T, line string) []string {
	t.Helper()
	stmts, errs := parseLine(line)
	if len(errs) > 0 {
		t.Fatalf("parse %q: %v", line, errs)
	}
	p, ok := stmts[0].(*pipelineStmt)
	if !ok || p.elems[0].cmd == nil {
		t.Fatalf("%q is not a command: %#v", line, stmts[0])
	}
	sc := &Scenario{Name: "x", Device: Device{Hostname: "PC-0042", User: "alex@contoso.com", Context: ContextUser}}
	in := &interp{s: &session{vars: map[string]any{"x": "ex"}, st: newState(sc, testNow)}, line: line}
	args, err := in.nativeArgs(p.elems[0].cmd)
	if err != nil {
		t.Fatalf("arguments of %q: %v", line, err)
	}
	return args
}

func TestParseArguments(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		line string
		want []string
	}{
		{"bare words are literal", `cmdkey /list`, []string{"/list"}},
		{"a single-quoted argument keeps its spaces", `cmdkey '/delete:OneDrive Cached Credential'`, []string{"/delete:OneDrive Cached Credential"}},
		{"a doubled quote is one quote", `x 'it''s'`, []string{"it's"}},
		{"Unicode single quotes delimit strings", "x \u2018it\u2019", []string{"it"}},
		{"a doubled Unicode quote is its second character", "x \u2018it\u2019\u2019s\u2019", []string{"it\u2019s"}},
		{"any single quote closes a string", "x '\u201Ba\u2018'", []string{"a"}},
		{"doubled quotes of any kind escape", "x '\u201B\u201Ba\u2018\u2018'", []string{"\u201Ba\u2018"}},
		{"a doubled pair of different quotes keeps the second", "x 'a'\u2019b'", []string{"a\u2019b"}},
		{"nothing expands inside single quotes", "x '$x `n \"'", []string{"$x `n \""}},
		{"double quotes expand variables", `x "a$x b"`, []string{"aex b"}},
		{"double quotes take backtick escapes", "x \"a`tb`$x\"", []string{"a\tb$x"}},
		{"a doubled double quote is one", `x "say ""hi"""`, []string{`say "hi"`}},
		{"Unicode double quotes delimit strings", "x \u201Cab\u201D", []string{"ab"}},
		{"quoted parts join a bare word", `x /c:'a b'c`, []string{"/c:a bc"}},
		{"a number is an argument", `shutdown /r /t 60`, []string{"/r", "/t", "60"}},
		{"a quoted number stays text", `shutdown /t '60'`, []string{"/t", "60"}},
		{"colons do not split bare words", `shutdown /d p:4:1`, []string{"/d", "p:4:1"}},
		{"/? is a bare word", `dsregcmd /?`, []string{"/?"}},
		{"parameters reach native programs as written", `x -Name:a -f`, []string{"-Name:a", "-f"}},
		{"a comment ends the line", `x a # b c`, []string{"a"}},
		{"an environment variable expands", `x $env:CommonProgramW6432`, []string{`C:\Program Files\Common Files`}},
		{"a parenthesized pipeline is one argument", `x (Join-Path 'C:\a' 'b\c.exe')`, []string{`C:\a\b\c.exe`}},
		{"a comma list is several arguments", `x a,b, 'c'`, []string{"a", "b", "c"}},
		{"an em dash starts a parameter", "x \u2014Name", []string{"-Name"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := argsOf(t, c.line); !slices.Equal(got, c.want) {
				t.Errorf("%s: got %q, want %q", c.line, got, c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		line  string
		id    string
		start int // rune offset of the first error
	}{
		{"an unterminated single-quoted string", `echo 'abc`, "TerminatorExpectedAtEndOfString", 5},
		{"an unterminated Unicode-quoted string", "echo \u2018abc", "TerminatorExpectedAtEndOfString", 5},
		{"an unterminated double-quoted string", `echo "abc`, "TerminatorExpectedAtEndOfString", 5},
		{"an unterminated string inside a subexpression", `echo "$('a)"`, "TerminatorExpectedAtEndOfString", 8},
		{"a block that never closes", `try { dsregcmd /status`, "MissingEndCurlyBrace", 4},
		{"a parenthesis that never closes", `echo ('a' + 'b'`, "MissingEndParenthesisInExpression", 15},
		{"a stray closing brace", `dsregcmd /status }`, "UnexpectedToken", 17},
		{"a stray closing parenthesis", `echo a)`, "UnexpectedToken", 6},
		{"try without catch or finally", `try { x }`, "MissingCatchOrFinally", 9},
		{"try without a block", `try x`, "MissingTryStatementBlock", 4},
		{"an empty pipe element", `a | | b`, "EmptyPipeElement", 2},
		{"a trailing pipe", `a |`, "EmptyPipeElement", 2},
		{"an expression after the first pipe element", `a | 'b'`, "ExpressionsMustBeFirstInPipeline", 4},
		{"&& is not a separator in Windows PowerShell", `a && b`, "InvalidEndOfLine", 2},
		{"+ without a right side", `echo ('a' +)`, "ExpectedValueExpression", 11},
		{"= without a value", `$x =`, "ExpectedValueExpression", 4},
		{"a word after an expression", `'a' b`, "UnexpectedToken", 4},
		{"an unclosed string in an unsupported statement", `if ($x) { 'a }`, "TerminatorExpectedAtEndOfString", 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, errs := parseLine(c.line)
			if len(errs) == 0 {
				t.Fatalf("%s parsed", c.line)
			}
			if errs[0].id != c.id || errs[0].sp.start != c.start {
				t.Errorf("%s: first error %s at %d, want %s at %d", c.line, errs[0].id, errs[0].sp.start, c.id, c.start)
			}
		})
	}
}

func TestUnsupportedStatements(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, line string }{
		{"if", `if ($x) { a }`},
		{"foreach", `foreach ($a in $b) { c }`},
		{"comparison operators", `$a -eq 1`},
		{"compound assignment", `$a += 1`},
		{"member assignment", `$a.b = 1`},
		{"redirection", `dsregcmd /status 2>&1`},
		{"script block arguments", `Get-Service | Where-Object { $_.Status }`},
		{"hashtables", `@{a=1}`},
		{"indexing", `$a[0]`},
		{"casts", `[int]'1'`},
		{"unary not", `!$a`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			stmts, errs := parseLine(c.line)
			if len(errs) > 0 {
				t.Fatalf("%s: parse errors %v", c.line, errs)
			}
			if _, ok := stmts[0].(*unsupportedStmt); !ok {
				t.Errorf("%s parsed as %#v, want unsupported", c.line, stmts[0])
			}
		})
	}
	t.Run("the statements around an unsupported one still run", func(t *testing.T) {
		t.Parallel()
		stmts, errs := parseLine(`echo a; if ($x) { b }; echo c`)
		if len(errs) > 0 || len(stmts) != 3 {
			t.Fatalf("stmts %d errs %v", len(stmts), errs)
		}
		if _, ok := stmts[2].(*pipelineStmt); !ok {
			t.Errorf("third statement %#v", stmts[2])
		}
	})
}

func TestInnerCommand(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, line, want string }{
		{"the envelope's command", envelope("dsregcmd /status"), "dsregcmd /status"},
		{"a command with its own statements", envelope("Start-Service -Name w32time; w32tm /resync /force"), "Start-Service -Name w32time; w32tm /resync /force"},
		{"a command with quotes and braces", envelope("cmdkey '/delete:a } b'"), "cmdkey '/delete:a } b'"},
		{"an envelope that does not parse", envelope("cmdkey 'broken"), "cmdkey 'broken"},
		{"a line without the envelope", "Write-Output 'x'; echo '$gorilla000000000000000000000001$'; [Console]::Error.WriteLine('$gorilla000000000000000000000002$')", "Write-Output 'x'"},
		{"a bare line", "exit", "exit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			stmts, _ := parseLine(c.line)
			if got := innerCommand(c.line, stmts); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestPositionMessage checks the "At line:1 char:N" block against
// PowerShell 5.1 console captures.
func TestPositionMessage(t *testing.T) {
	t.Parallel()
	long := `C:\Users\carucci_r\OneDrive - City of Hackensack\05_EXPORTS\_Summons\E_Ticket\2026\month\2026_03_eticket_export.csv`
	cases := []struct {
		name string
		line string
		sp   span
		want string
	}{
		{"a short line is shown whole", "pnpm dev", span{0, 4}, "At line:1 char:1\r\n+ pnpm dev\r\n+ ~~~~"},
		{"a long line is cut after the error", long, span{0, 27},
			"At line:1 char:1\r\n+ " + `C:\Users\carucci_r\OneDrive - City of Hackensack\05_EXPORTS\_Summons\ ...` + "\r\n+ " + strings.Repeat("~", 27)},
		{"an empty extent gets one squiggle", "try { x }", span{9, 9}, "At line:1 char:10\r\n+ try { x }\r\n+          ~"},
		{"a long line keeps the context before the error", strings.Repeat("a", 40) + " ERR " + strings.Repeat("b", 40), span{41, 44},
			"At line:1 char:42\r\n+ " + strings.Repeat("a", 40) + " ERR " + strings.Repeat("b", 24) + " ...\r\n+ " + strings.Repeat(" ", 41) + "~~~"},
		{"a longer line is cut before and after the error", strings.Repeat("a", 100) + " ERR " + strings.Repeat("b", 100), span{101, 104},
			"At line:1 char:102\r\n+ ... " + strings.Repeat("a", 57) + " ERR " + strings.Repeat("b", 7) + " ...\r\n+ " + strings.Repeat(" ", 62) + "~~~"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := positionMessage(c.line, c.sp); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// FuzzParseLine feeds the parser arbitrary lines: it must not panic, every
// span must lie in the line, and the error view must render.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		envelope("dsregcmd /status"), envelope("cmdkey '/delete:OneDrive Cached Credential'"),
		`& (Join-Path $env:CommonProgramW6432 'x\y.exe') 'a=b'`, "echo \u2018it\u2019\u2019s\u2019", `echo "a$(b 'c')d"`,
		`try { a } catch [System.Exception] { b } finally { c }`, `if ($x) { 'a }`, `$a = 'b' + $c`, "x `", `echo "$`,
		"[Console]::Error.WriteLine($_.ToString())", `a | b | c`, `@(1)`, `x -y:z --% w`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		stmts, errs := parseLine(line)
		n := len([]rune(line))
		for _, e := range errs {
			if e.sp.start < 0 || e.sp.end > n || e.sp.start > e.sp.end {
				t.Fatalf("error span %v outside %d runes", e.sp, n)
			}
		}
		if len(errs) > 0 {
			_ = parserErrorRecord(line, errs).render()
			return
		}
		for _, s := range stmts {
			if sp := s.stmtSpan(); sp.start < 0 || sp.end > n || sp.start > sp.end {
				t.Fatalf("statement span %v outside %d runes", sp, n)
			}
		}
		_ = innerCommand(line, stmts)
	})
}
