package devicesim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The pipeline cmdlets: Write-Output, Out-Null, Join-Path, Select-Object,
// ConvertTo-Csv and ConvertTo-Json.

func init() {
	register(&cmdletSpec{
		name:   "Write-Output",
		class:  "Microsoft.PowerShell.Commands.WriteOutputCommand",
		params: []paramSpec{{name: "InputObject", position: 0, remaining: true}, {name: "NoEnumerate", position: -1, isSwitch: true}},
		run: func(c *cmdletCtx, args boundArgs, input []any) ([]any, error) {
			if v, ok := args["InputObject"]; ok {
				return flatten([]any{v}), nil
			}
			return input, nil
		},
	}, "echo", "write")
	register(&cmdletSpec{
		name:   "Out-Null",
		class:  "Microsoft.PowerShell.Commands.OutNullCommand",
		params: []paramSpec{{name: "InputObject", position: -1}},
		run:    func(*cmdletCtx, boundArgs, []any) ([]any, error) { return nil, nil },
	})
	register(&cmdletSpec{
		name:   "Join-Path",
		class:  "Microsoft.PowerShell.Commands.JoinPathCommand",
		params: []paramSpec{{name: "Path", aliases: []string{"PSPath"}, position: 0}, {name: "ChildPath", position: 1}},
		run:    joinPath,
	})
	register(&cmdletSpec{
		name:  "Select-Object",
		class: "Microsoft.PowerShell.Commands.SelectObjectCommand",
		params: []paramSpec{
			{name: "Property", position: 0}, {name: "ExpandProperty", position: -1},
			{name: "InputObject", position: -1}, {name: "First", position: -1}, {name: "Unique", position: -1, isSwitch: true},
		},
		run: selectObject,
	}, "select")
	register(&cmdletSpec{
		name:  "ConvertTo-Csv",
		class: "Microsoft.PowerShell.Commands.ConvertToCsvCommand",
		params: []paramSpec{
			{name: "InputObject", position: 0}, {name: "NoTypeInformation", aliases: []string{"NTI"}, position: -1, isSwitch: true},
			{name: "Delimiter", position: 1},
		},
		run: convertToCsv,
	})
	register(&cmdletSpec{
		name:  "ConvertTo-Json",
		class: "Microsoft.PowerShell.Commands.ConvertToJsonCommand",
		params: []paramSpec{
			{name: "InputObject", position: 0}, {name: "Depth", position: -1}, {name: "Compress", position: -1, isSwitch: true},
		},
		run: convertToJSON,
	})
}

func joinPath(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	for _, name := range []string{"Path", "ChildPath"} {
		if v, ok := args[name]; !ok || v == nil {
			rec := c.record("ParameterArgumentValidationErrorNullNotAllowed", "InvalidData",
				fmt.Sprintf("Cannot bind argument to parameter '%s' because it is null.", name), "", "", "ParameterBindingValidationException")
			return nil, rec
		}
	}
	base, _ := args.str("Path")
	child, _ := args.str("ChildPath")
	return []any{strings.TrimRight(base, `\/`) + `\` + strings.TrimLeft(child, `\/`)}, nil
}

func selectObject(c *cmdletCtx, args boundArgs, input []any) ([]any, error) {
	if v, ok := args["InputObject"]; ok {
		input = flatten([]any{v})
	}
	if n, ok := args["First"]; ok {
		first, err := strconv.Atoi(toStr(n))
		if err == nil && first < len(input) {
			input = input[:max(first, 0)]
		}
	}
	expand, hasExpand := args.str("ExpandProperty")
	props := args.strs("Property")
	var out []any
	for _, in := range input {
		if hasExpand {
			v, found := propertyOf(in, expand)
			if !found {
				rec := c.record("ExpandPropertyNotFound", "InvalidArgument",
					fmt.Sprintf("Property \"%s\" cannot be found.", expand), toStr(in), "PSObject", "PSArgumentException")
				if err := c.writeError(rec); err != nil {
					return nil, err
				}
				continue
			}
			out = append(out, flatten([]any{v})...)
			continue
		}
		if len(props) == 0 {
			out = append(out, in)
			continue
		}
		sel := &psObject{typeName: "Selected." + dotnetType(in)}
		for _, p := range props {
			if p == "*" {
				if o, ok := in.(*psObject); ok {
					sel.props = append(sel.props, o.props...)
				}
				continue
			}
			v, _ := propertyOf(in, p)
			sel.props = append(sel.props, psProp{name: propertyName(in, p), value: v})
		}
		out = append(out, sel)
	}
	return out, nil
}

// propertyOf reads a property and says whether the object has it.
func propertyOf(v any, name string) (any, bool) {
	switch x := v.(type) {
	case *psObject:
		return x.get(name)
	case string:
		if strings.EqualFold(name, "Length") {
			return int64(len([]rune(x))), true
		}
		return nil, false
	}
	p := property(v, name)
	return p, p != nil
}

// propertyName is the property's own spelling when the object has it.
func propertyName(v any, name string) string {
	if o, ok := v.(*psObject); ok {
		for _, p := range o.props {
			if strings.EqualFold(p.name, name) {
				return p.name
			}
		}
	}
	return name
}

// convertToCsv writes CSV as Windows PowerShell 5.1 does: every value in
// double quotes (doubled inside), a $null value as nothing at all, and a
// #TYPE line unless -NoTypeInformation.
func convertToCsv(c *cmdletCtx, args boundArgs, input []any) ([]any, error) {
	if v, ok := args["InputObject"]; ok {
		input = flatten([]any{v})
	}
	delim := ","
	if d, ok := args.str("Delimiter"); ok && d != "" {
		delim = d
	}
	var out []any
	var header []string
	for i, in := range input {
		o := asObject(in)
		if i == 0 {
			if !args.flag("NoTypeInformation") {
				out = append(out, "#TYPE "+o.typeName)
			}
			for _, p := range o.props {
				header = append(header, p.name)
			}
			cells := make([]string, len(header))
			for j, h := range header {
				cells[j] = csvQuote(h)
			}
			out = append(out, strings.Join(cells, delim))
		}
		cells := make([]string, len(header))
		for j, h := range header {
			if v, ok := o.get(h); ok && v != nil {
				cells[j] = csvQuote(cultureString(v))
			}
		}
		out = append(out, strings.Join(cells, delim))
	}
	return out, nil
}

func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// asObject views a value as an object with properties: a string has its
// Length.
func asObject(v any) *psObject {
	switch x := v.(type) {
	case *psObject:
		return x
	case string:
		return obj("System.String", "Length", int64(len([]rune(x))))
	}
	return obj(dotnetType(v))
}

// cultureString is a value's ToString() in the en-US culture, as
// ConvertTo-Csv writes it.
func cultureString(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.Format("1/2/2006 3:04:05 PM")
	}
	return toStr(v)
}

// convertToJSON writes JSON as Windows PowerShell 5.1 does: one input
// object becomes an object, not an array of one; no input, no output;
// DateTime values are "\/Date(ms)\/"; enums are numbers; and strings are
// escaped as JavaScriptSerializer escapes them.
func convertToJSON(c *cmdletCtx, args boundArgs, input []any) ([]any, error) {
	if v, ok := args["InputObject"]; ok {
		input = []any{v}
	}
	depth := 2
	if d, ok := args.str("Depth"); ok {
		if n, err := strconv.Atoi(d); err == nil {
			depth = n
		}
	}
	if len(input) == 0 {
		return nil, nil
	}
	var v any = input
	if len(input) == 1 {
		v = input[0]
	}
	var b strings.Builder
	writeJSON(&b, v, depth, 0, !args.flag("Compress"))
	return []any{b.String()}, nil
}

func writeJSON(b *strings.Builder, v any, depth, level int, pretty bool) {
	indent := func(n int) {
		if pretty {
			b.WriteString("\r\n" + strings.Repeat("    ", n))
		}
	}
	colon := ":"
	if pretty {
		colon = ":  "
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(jsonString(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case time.Time:
		b.WriteString(`"\/Date(` + strconv.FormatInt(x.UnixMilli(), 10) + `)\/"`)
	case psEnum:
		b.WriteString(strconv.Itoa(x.value))
	case []any:
		if level > depth {
			b.WriteString(jsonString(toStr(x)))
			return
		}
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",")
			}
			indent(level + 1)
			writeJSON(b, e, depth, level+1, pretty)
		}
		indent(level)
		b.WriteString("]")
	case *psObject:
		if level > depth {
			b.WriteString(jsonString(toStr(x)))
			return
		}
		b.WriteString("{")
		for i, p := range x.props {
			if i > 0 {
				b.WriteString(",")
			}
			indent(level + 1)
			b.WriteString(jsonString(p.name) + colon)
			writeJSON(b, p.value, depth, level+1, pretty)
		}
		indent(level)
		b.WriteString("}")
	default:
		b.WriteString(jsonString(toStr(x)))
	}
}

// jsonString quotes s as .NET's JavaScriptSerializer does, which escapes
// <, >, & and ' as \u003c, \u003e, \u0026 and \u0027 besides the control
// characters.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '<', '>', '&', '\'':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
