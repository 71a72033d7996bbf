package devicesim

// This file evaluates expressions: variables, members, method calls and
// the + operator.

import (
	"strings"
)

// eval evaluates an expression.
func (in *interp) eval(e expr) (any, error) {
	switch x := e.(type) {
	case *strExpr:
		return x.s, nil
	case *numExpr:
		return x.n, nil
	case *expandExpr:
		var b strings.Builder
		for _, part := range x.parts {
			v, err := in.eval(part)
			if err != nil {
				return nil, err
			}
			b.WriteString(toStr(v))
		}
		return b.String(), nil
	case *varExpr:
		return in.getVar(x), nil
	case *parenExpr:
		var vals []any
		if err := in.runStmt(x.inner, 1, &vals); err != nil {
			return nil, err
		}
		return collapse(vals), nil
	case *subExpr:
		var vals []any
		if err := in.runStmts(x.stmts, 1, &vals); err != nil {
			return nil, err
		}
		return collapse(vals), nil
	case *typeExpr:
		return psType{name: x.name, sp: x.sp}, nil
	case *memberExpr:
		return in.evalMember(x)
	case *binExpr:
		l, err := in.eval(x.left)
		if err != nil {
			return nil, err
		}
		r, err := in.eval(x.right)
		if err != nil {
			return nil, err
		}
		return add(l, r), nil
	case *arrayExpr:
		out := make([]any, 0, len(x.elems))
		for _, el := range x.elems {
			v, err := in.eval(el)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, unsupportedRecord(in.line, "expression", e.exprSpan())
}

// simulatedEnv is the environment the simulated PowerShell sees.
func (in *interp) envVar(name string) any {
	dev := in.s.st.Scenario.Device
	user := "SYSTEM"
	if dev.Context == ContextUser {
		user, _, _ = strings.Cut(dev.User, "@")
	}
	env := map[string]string{
		"commonprogramw6432":     `C:\Program Files\Common Files`,
		"commonprogramfiles":     `C:\Program Files\Common Files`,
		"programfiles":           `C:\Program Files`,
		"programdata":            `C:\ProgramData`,
		"systemroot":             `C:\WINDOWS`,
		"windir":                 `C:\WINDOWS`,
		"computername":           strings.ToUpper(dev.Hostname),
		"username":               user,
		"processor_architecture": "AMD64",
	}
	if v, ok := env[strings.ToLower(name)]; ok {
		return v
	}
	return nil
}

func (in *interp) getVar(v *varExpr) any {
	if v.scope == "env" {
		return in.envVar(v.name)
	}
	switch name := strings.ToLower(v.name); name {
	case "?":
		return in.s.lastOK
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	default:
		return in.s.vars[name]
	}
}

func (in *interp) setVar(v *varExpr, value any) {
	if v.scope == "env" {
		return // the simulated environment is fixed
	}
	in.s.vars[strings.ToLower(v.name)] = value
}

// psType is a type literal such as [Console].
type psType struct {
	name string
	sp   span
}

// psWriter is [Console]::Out or [Console]::Error.
type psWriter struct{ stderr bool }

// psException is an error record's Exception.
type psException struct{ message string }

func (in *interp) evalMember(m *memberExpr) (any, error) {
	target, err := in.eval(m.target)
	if err != nil {
		return nil, err
	}
	var args []any
	for _, a := range m.args {
		v, err := in.eval(a)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	if t, ok := target.(psType); ok {
		return in.staticMember(t, m, args)
	}
	if m.call && target == nil {
		return nil, in.methodNotFound(nil, m)
	}
	if !m.call {
		return property(target, m.name), nil
	}
	switch x := target.(type) {
	case psWriter:
		switch strings.ToLower(m.name) {
		case "writeline", "write":
			text := ""
			if len(args) > 0 {
				text = toStr(args[0])
			}
			if strings.EqualFold(m.name, "WriteLine") {
				text += "\r\n"
			}
			if x.stderr {
				return nil, in.s.writeErr(text)
			}
			return nil, in.s.writeOut(text)
		}
	}
	if strings.EqualFold(m.name, "ToString") && len(args) == 0 {
		return toStr(target), nil
	}
	return nil, in.methodNotFound(target, m)
}

func (in *interp) staticMember(t psType, m *memberExpr, args []any) (any, error) {
	name := strings.ToLower(strings.TrimPrefix(strings.ToLower(t.name), "system."))
	if name != "console" {
		return nil, &errorRecord{
			message: "Unable to find type [" + t.name + "].", line: in.line, sp: t.sp, hasPos: true,
			category: "InvalidOperation", targetName: t.name, targetType: "TypeName",
			reason: "RuntimeException", fqid: "TypeNotFound",
		}
	}
	switch strings.ToLower(m.name) {
	case "error":
		if !m.call {
			return psWriter{stderr: true}, nil
		}
	case "out":
		if !m.call {
			return psWriter{}, nil
		}
	case "writeline", "write":
		if m.call {
			text := ""
			if len(args) > 0 {
				text = toStr(args[0])
			}
			if strings.EqualFold(m.name, "WriteLine") {
				text += "\r\n"
			}
			return nil, in.s.writeOut(text)
		}
	}
	if !m.call {
		return nil, nil
	}
	return nil, in.methodNotFound(t, m)
}

func (in *interp) methodNotFound(target any, m *memberExpr) error {
	if target == nil {
		return &errorRecord{
			message: "You cannot call a method on a null-valued expression.",
			line:    in.line, sp: m.sp, hasPos: true,
			category: "InvalidOperation", reason: "RuntimeException", fqid: "InvokeMethodOnNull",
		}
	}
	return &errorRecord{
		message: "Method invocation failed because [" + dotnetType(target) + "] does not contain a method named '" + m.name + "'.",
		line:    in.line, sp: m.sp, hasPos: true,
		category: "InvalidOperation", reason: "RuntimeException", fqid: "MethodNotFound",
	}
}

// property reads a property as PowerShell does outside strict mode: a
// missing property is $null.
func property(target any, name string) any {
	switch x := target.(type) {
	case *psObject:
		v, _ := x.get(name)
		return v
	case *errorRecord:
		switch strings.ToLower(name) {
		case "exception":
			return psException{x.message}
		case "fullyqualifiederrorid":
			return x.fqid
		case "categoryinfo":
			return x.categoryInfo()
		}
	case psException:
		if strings.EqualFold(name, "Message") {
			return x.message
		}
	case string:
		if strings.EqualFold(name, "Length") {
			return int64(len([]rune(x)))
		}
	case []any:
		if strings.EqualFold(name, "Count") || strings.EqualFold(name, "Length") {
			return int64(len(x))
		}
		var out []any
		for _, e := range x {
			if v := property(e, name); v != nil {
				out = append(out, v)
			}
		}
		return collapse(out)
	}
	return nil
}

func dotnetType(v any) string {
	switch x := v.(type) {
	case string:
		return "System.String"
	case int64:
		return "System.Int32"
	case bool:
		return "System.Boolean"
	case []any:
		return "System.Object[]"
	case *psObject:
		return x.typeName
	case *errorRecord:
		return "System.Management.Automation.ErrorRecord"
	case psType:
		return "System.RuntimeType"
	case psWriter:
		return "System.IO.TextWriter"
	}
	return "System.Object"
}
