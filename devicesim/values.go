package devicesim

import (
	"strconv"
	"strings"
	"time"
)

// Values in the interpreter are nil, string, int64, bool, time.Time,
// psEnum, *psObject, *errorRecord, or []any.

// psObject is an object with ordered properties, as cmdlets emit them.
type psObject struct {
	typeName string // e.g. System.ServiceProcess.ServiceController
	props    []psProp
}

type psProp struct {
	name  string
	value any
}

// get returns a property by name; names are case-insensitive.
func (o *psObject) get(name string) (any, bool) {
	for _, p := range o.props {
		if strings.EqualFold(p.name, name) {
			return p.value, true
		}
	}
	return nil, false
}

// psEnum is a .NET enum value: it prints as its name, and ConvertTo-Json
// writes its number.
type psEnum struct {
	name  string
	value int
}

func obj(typeName string, kv ...any) *psObject {
	o := &psObject{typeName: typeName}
	for i := 0; i+1 < len(kv); i += 2 {
		o.props = append(o.props, psProp{kv[i].(string), kv[i+1]})
	}
	return o
}

// toStr converts a value to a string as PowerShell does in string
// contexts (which use the invariant culture).
func toStr(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case time.Time:
		return x.Format("01/02/2006 15:04:05")
	case psEnum:
		return x.name
	case *errorRecord:
		return x.message
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = toStr(e)
		}
		return strings.Join(parts, " ")
	case *psObject:
		parts := make([]string, len(x.props))
		for i, p := range x.props {
			parts[i] = p.name + "=" + toStr(p.value)
		}
		return "@{" + strings.Join(parts, "; ") + "}"
	}
	return ""
}

// flatten enumerates arrays as the pipeline does.
func flatten(vals []any) []any {
	var out []any
	for _, v := range vals {
		if a, ok := v.([]any); ok {
			out = append(out, flatten(a)...)
			continue
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// add implements the + operator: string concatenation when the left side
// is a string, addition of numbers, array concatenation.
func add(l, r any) any {
	switch x := l.(type) {
	case string:
		return x + toStr(r)
	case int64:
		switch y := r.(type) {
		case int64:
			return x + y
		case nil:
			return x
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(y), 10, 64); err == nil {
				return x + n
			}
		}
		return toStr(x) + toStr(r)
	case []any:
		if a, ok := r.([]any); ok {
			return append(append([]any{}, x...), a...)
		}
		return append(append([]any{}, x...), r)
	case nil:
		return r
	}
	return toStr(l) + toStr(r)
}

// outDefault renders pipeline output as Out-Default writes it to a
// redirected standard output: one line a scalar, a table for objects
// (Windows PowerShell shows objects with up to four properties as a
// table; the simulator shows every object that way, which is enough for
// the commands it serves, which select scalars before they print).
func outDefault(vals []any) string {
	var b strings.Builder
	vals = flatten(vals)
	for i := 0; i < len(vals); i++ {
		o, ok := vals[i].(*psObject)
		if !ok {
			b.WriteString(toStr(vals[i]) + "\r\n")
			continue
		}
		j := i + 1
		for j < len(vals) {
			p, ok := vals[j].(*psObject)
			if !ok || !sameShape(o, p) {
				break
			}
			j++
		}
		b.WriteString(table(vals[i:j]))
		i = j - 1
	}
	return b.String()
}

func sameShape(a, b *psObject) bool {
	if len(a.props) != len(b.props) {
		return false
	}
	for i := range a.props {
		if !strings.EqualFold(a.props[i].name, b.props[i].name) {
			return false
		}
	}
	return true
}

func table(rows []any) string {
	first := rows[0].(*psObject)
	widths := make([]int, len(first.props))
	cells := make([][]string, len(rows))
	for i, p := range first.props {
		widths[i] = len([]rune(p.name))
	}
	for r, v := range rows {
		o := v.(*psObject)
		cells[r] = make([]string, len(o.props))
		for i, p := range o.props {
			cells[r][i] = toStr(p.value)
			widths[i] = max(widths[i], len([]rune(cells[r][i])))
		}
	}
	line := func(vals []string) string {
		var parts []string
		for i, v := range vals {
			if i == len(vals)-1 {
				parts = append(parts, v)
				continue
			}
			parts = append(parts, v+strings.Repeat(" ", widths[i]-len([]rune(v))))
		}
		return strings.TrimRight(strings.Join(parts, " "), " ") + "\r\n"
	}
	var b strings.Builder
	b.WriteString("\r\n")
	names := make([]string, len(first.props))
	dashes := make([]string, len(first.props))
	for i, p := range first.props {
		names[i] = p.name
		dashes[i] = strings.Repeat("-", len([]rune(p.name)))
	}
	b.WriteString(line(names))
	b.WriteString(line(dashes))
	for _, c := range cells {
		b.WriteString(line(c))
	}
	b.WriteString("\r\n\r\n")
	return b.String()
}
