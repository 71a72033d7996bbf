package devicesim

import (
	"errors"
	"strings"
)

// interp runs the statements of one line.
type interp struct {
	s    *session
	line string
}

// exitSignal unwinds the interpreter when a line says exit; code is the
// exit code a script file run with -File ends with.
type exitSignal struct{ code int }

func (exitSignal) Error() string { return "exit" }

// ioFailure unwinds the interpreter when standard output or error is gone.
type ioFailure struct{ err error }

func (e ioFailure) Error() string { return e.err.Error() }
func (e ioFailure) Unwrap() error { return e.err }

// runStmts runs statements. At the top level (tryDepth 0) a terminating
// error ends only its statement: PowerShell shows it and goes on with the
// next one. Inside a try body it unwinds to the catch block.
func (in *interp) runStmts(stmts []stmt, tryDepth int, out *[]any) error {
	for _, st := range stmts {
		err := in.runStmt(st, tryDepth, out)
		if err == nil {
			continue
		}
		var rec *errorRecord
		if errors.As(err, &rec) && tryDepth == 0 {
			in.s.lastOK = false
			if werr := in.s.writeErr(rec.render()); werr != nil {
				return werr
			}
			continue
		}
		return err
	}
	return nil
}

func (in *interp) runStmt(st stmt, tryDepth int, out *[]any) error {
	switch x := st.(type) {
	case *pipelineStmt:
		_, err := in.runPipeline(x, out)
		return err
	case *assignStmt:
		var vals []any
		if err := in.runStmt(x.value, tryDepth, &vals); err != nil {
			return err
		}
		in.setVar(x.target, collapse(vals))
		return nil
	case *tryStmt:
		return in.runTry(x, tryDepth, out)
	case *exitStmt:
		if x.code == nil {
			return exitSignal{}
		}
		v, err := in.eval(x.code)
		if err != nil {
			return err
		}
		return exitSignal{code: exitCodeOf(v)}
	case *unsupportedStmt:
		return unsupportedRecord(in.line, x.text, x.sp)
	}
	return unsupportedRecord(in.line, "statement", st.stmtSpan())
}

func (in *interp) runTry(t *tryStmt, tryDepth int, out *[]any) error {
	err := in.runStmts(t.body, tryDepth+1, out)
	var rec *errorRecord
	if errors.As(err, &rec) {
		for _, c := range t.catches {
			if !catches(c, rec) {
				continue
			}
			prev := in.s.vars["_"]
			in.s.vars["_"] = rec
			in.s.lastOK = false
			err = in.runStmts(c.body, tryDepth, out)
			in.s.vars["_"] = prev
			break
		}
	}
	if t.hasFinally {
		if ferr := in.runStmts(t.finally, tryDepth, out); ferr != nil {
			return ferr
		}
	}
	return err
}

// catches reports whether a catch clause takes the error: a clause without
// types takes every error; a typed one takes its exception type and the
// general exception types.
func catches(c catchClause, rec *errorRecord) bool {
	if len(c.types) == 0 {
		return true
	}
	for _, t := range c.types {
		name := t[strings.LastIndex(t, ".")+1:]
		if strings.EqualFold(name, rec.reason) || strings.EqualFold(name, "Exception") ||
			strings.EqualFold(name, "RuntimeException") || strings.EqualFold(name, "SystemException") {
			return true
		}
	}
	return false
}

// collapse turns a statement's output into one value, as an assignment
// stores it: nothing is $null, one object is itself, more are an array.
func collapse(vals []any) any {
	vals = flatten(vals)
	switch len(vals) {
	case 0:
		return nil
	case 1:
		return vals[0]
	}
	return vals
}

// runPipeline runs a pipeline. Its output goes to out, or, when out is
// nil, to the console through Out-Default.
func (in *interp) runPipeline(p *pipelineStmt, out *[]any) ([]any, error) {
	var input []any
	ok := true
	for i, el := range p.elems {
		last := i == len(p.elems)-1
		if el.expr != nil {
			v, err := in.eval(el.expr)
			if err != nil {
				return nil, err
			}
			input = []any{v}
			continue
		}
		res, elOK, err := in.runCommand(el.cmd, input, last && out == nil)
		if err != nil {
			return nil, err
		}
		ok = ok && elOK
		input = res
	}
	in.s.lastOK = ok
	if out != nil {
		*out = append(*out, input...)
		return input, nil
	}
	if text := outDefault(input); text != "" {
		if err := in.s.writeOut(text); err != nil {
			return nil, err
		}
	}
	return input, nil
}

// runCommand resolves and runs one command. toConsole is set when a native
// command's output goes straight to the console, as PowerShell lets a
// native command at the end of a pipeline write to its own handles.
func (in *interp) runCommand(c *commandAst, input []any, toConsole bool) ([]any, bool, error) {
	name, invocation := c.name, c.name
	if c.invoke {
		v, err := in.eval(c.nameExpr)
		if err != nil {
			return nil, false, err
		}
		name, invocation = toStr(v), "&"
	}
	if spec := lookupCmdlet(name); spec != nil {
		return in.runCmdlet(spec, c, invocation, input)
	}
	if fn := in.s.lookupNative(name); fn != nil {
		args, err := in.nativeArgs(c)
		if err != nil {
			return nil, false, err
		}
		return in.runNative(fn, args, toConsole)
	}
	if strings.TrimSpace(name) == "" {
		name = toStr(name)
	}
	return nil, false, commandNotFound(in.line, name, invocation, c.nameSp)
}

func (in *interp) runNative(fn nativeFunc, args []string, toConsole bool) ([]any, bool, error) {
	res := fn(in.s, args)
	if err := in.s.persist(); err != nil {
		return nil, false, err
	}
	in.s.vars["lastexitcode"] = int64(res.code)
	if res.stderr != "" {
		if err := in.s.writeErr(res.stderr); err != nil {
			return nil, false, err
		}
	}
	ok := res.code == 0
	if toConsole {
		if res.stdout != "" {
			if err := in.s.writeOut(res.stdout); err != nil {
				return nil, false, err
			}
		}
		return nil, ok, nil
	}
	var out []any
	text := strings.TrimSuffix(strings.ReplaceAll(res.stdout, "\r\n", "\n"), "\n")
	if res.stdout != "" {
		for _, l := range strings.Split(text, "\n") {
			out = append(out, l)
		}
	}
	return out, ok, nil
}

// nativeArgs turns a command's elements into the argument strings a
// native program receives.
func (in *interp) nativeArgs(c *commandAst) ([]string, error) {
	var args []string
	for _, el := range c.elems {
		if el.param != "" {
			a := "-" + el.param
			if el.colon {
				v, err := in.eval(el.value)
				if err != nil {
					return nil, err
				}
				a += ":" + toStr(v)
			}
			args = append(args, a)
			continue
		}
		v, err := in.eval(el.value)
		if err != nil {
			return nil, err
		}
		if arr, ok := v.([]any); ok {
			for _, e := range flatten(arr) {
				args = append(args, toStr(e))
			}
			continue
		}
		args = append(args, toStr(v))
	}
	return args, nil
}
