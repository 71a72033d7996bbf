package devicesim

import (
	"fmt"
	"sort"
	"strings"
)

// cmdletSpec describes one simulated cmdlet: its parameters and what it
// does with its bound arguments and pipeline input.
type cmdletSpec struct {
	name   string // Get-Service
	class  string // Microsoft.PowerShell.Commands.GetServiceCommand, for error ids
	params []paramSpec
	run    func(c *cmdletCtx, args boundArgs, input []any) ([]any, error)
}

type paramSpec struct {
	name     string
	aliases  []string
	position int // -1: named only
	isSwitch bool
	// remaining takes every positional value left, as Write-Output's
	// -InputObject does.
	remaining bool
}

// boundArgs maps canonical parameter names to values.
type boundArgs map[string]any

func (a boundArgs) str(name string) (string, bool) {
	v, ok := a[name]
	if !ok {
		return "", false
	}
	return toStr(collapse([]any{v})), true
}

func (a boundArgs) strs(name string) []string {
	v, ok := a[name]
	if !ok {
		return nil
	}
	var out []string
	for _, e := range flatten([]any{v}) {
		out = append(out, toStr(e))
	}
	return out
}

func (a boundArgs) flag(name string) bool {
	v, ok := a[name]
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	return !isBool || b
}

var cmdlets = map[string]*cmdletSpec{}
var cmdletAliases = map[string]string{}

func register(spec *cmdletSpec, aliases ...string) {
	cmdlets[strings.ToLower(spec.name)] = spec
	for _, a := range aliases {
		cmdletAliases[strings.ToLower(a)] = strings.ToLower(spec.name)
	}
}

func lookupCmdlet(name string) *cmdletSpec {
	n := strings.ToLower(name)
	if a, ok := cmdletAliases[n]; ok {
		n = a
	}
	return cmdlets[n]
}

// commonParams are the common parameters every cmdlet takes that the
// simulator honours.
var commonParams = []paramSpec{{name: "ErrorAction", aliases: []string{"ea"}, position: -1}}

var actionPreferences = []string{"SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend"}

// cmdletCtx is one invocation of a cmdlet.
type cmdletCtx struct {
	in          *interp
	spec        *cmdletSpec
	cmd         *commandAst
	invocation  string
	errorAction string
	failed      bool // a non-terminating error was written: $? is False
}

func (c *cmdletCtx) st() *state { return c.in.s.st }

func (c *cmdletCtx) changed() { c.in.s.dirty = true }

// record fills in what every error of this invocation shares.
func (c *cmdletCtx) record(id, category, message, targetName, targetType, reason string) *errorRecord {
	return &errorRecord{
		message: message, invocationName: c.invocation, line: c.in.line, sp: c.cmd.sp, hasPos: true,
		category: category, targetName: targetName, targetType: targetType,
		activity: c.spec.name, reason: reason, fqid: id + "," + c.spec.class,
	}
}

// writeError writes a non-terminating error as -ErrorAction says. Under
// Stop it returns the error, which the cmdlet must return to terminate.
// Whatever the preference, the pipeline has failed ($? is False): Windows
// PowerShell sets that before it looks at the preference.
func (c *cmdletCtx) writeError(rec *errorRecord) error {
	c.failed = true
	switch strings.ToLower(c.errorAction) {
	case "stop":
		return rec
	case "silentlycontinue", "ignore":
		return nil
	}
	return c.in.s.writeErr(rec.render())
}

func (in *interp) runCmdlet(spec *cmdletSpec, c *commandAst, invocation string, input []any) ([]any, bool, error) {
	ctx := &cmdletCtx{in: in, spec: spec, cmd: c, invocation: invocation, errorAction: "Continue"}
	args, err := in.bind(ctx)
	if err != nil {
		return nil, false, err
	}
	if ea, ok := args.str("ErrorAction"); ok {
		ctx.errorAction = ea
	}
	out, err := spec.run(ctx, args, flatten(input))
	if perr := in.s.persist(); perr != nil {
		return nil, false, perr
	}
	if err != nil {
		return nil, false, err
	}
	return out, !ctx.failed, nil
}

// bind binds a command's elements to the cmdlet's parameters as
// PowerShell's parameter binder does for the cases the simulator needs:
// names or unambiguous prefixes, aliases, -Name:value, switches, and
// positional values in order.
func (in *interp) bind(c *cmdletCtx) (boundArgs, error) {
	params := append(append([]paramSpec{}, c.spec.params...), commonParams...)
	args := boundArgs{}
	elems := c.cmd.elems
	for i := 0; i < len(elems); i++ {
		el := elems[i]
		if el.param == "" {
			v, err := in.eval(el.value)
			if err != nil {
				return nil, err
			}
			if p := remainingParam(params); p != nil {
				if prev, ok := args[p.name].([]any); ok {
					args[p.name] = append(prev, v)
				} else {
					args[p.name] = []any{v}
				}
				continue
			}
			p := nextPositional(params, args)
			if p == nil {
				return nil, c.bindError(el.sp, "PositionalParameterNotFound",
					fmt.Sprintf("A positional parameter cannot be found that accepts argument '%s'.", toStr(v)))
			}
			args[p.name] = v
			continue
		}
		p, err := c.resolveParam(params, el)
		if err != nil {
			return nil, err
		}
		if _, dup := args[p.name]; dup {
			return nil, c.bindError(el.sp, "ParameterAlreadyBound",
				fmt.Sprintf("Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", p.name))
		}
		switch {
		case el.colon:
			v, err := in.eval(el.value)
			if err != nil {
				return nil, err
			}
			args[p.name] = v
		case p.isSwitch:
			args[p.name] = true
		case i+1 < len(elems) && elems[i+1].param == "":
			v, err := in.eval(elems[i+1].value)
			if err != nil {
				return nil, err
			}
			args[p.name] = v
			i++
		default:
			return nil, c.bindError(el.sp, "MissingArgument",
				fmt.Sprintf("Missing an argument for parameter '%s'. Specify a parameter of type 'System.String' and try again.", p.name))
		}
	}
	if v, ok := args["ErrorAction"]; ok {
		s := toStr(v)
		found := false
		for _, a := range actionPreferences {
			if strings.EqualFold(a, s) {
				args["ErrorAction"] = a
				found = true
			}
		}
		if !found {
			return nil, c.bindError(c.cmd.sp, "CannotConvertArgumentNoMessage",
				fmt.Sprintf("Cannot bind parameter 'ErrorAction'. Cannot convert value \"%s\" to type \"System.Management.Automation.ActionPreference\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n%s\"", s, s, strings.Join(actionPreferences, ", ")))
		}
	}
	return args, nil
}

func remainingParam(params []paramSpec) *paramSpec {
	for i := range params {
		if params[i].remaining {
			return &params[i]
		}
	}
	return nil
}

func nextPositional(params []paramSpec, args boundArgs) *paramSpec {
	var best *paramSpec
	for i := range params {
		p := &params[i]
		if p.position < 0 {
			continue
		}
		if _, bound := args[p.name]; bound {
			continue
		}
		if best == nil || p.position < best.position {
			best = p
		}
	}
	return best
}

func (c *cmdletCtx) resolveParam(params []paramSpec, el cmdElement) (*paramSpec, error) {
	name := strings.ToLower(el.param)
	var prefix []*paramSpec
	for i := range params {
		p := &params[i]
		if strings.ToLower(p.name) == name {
			return p, nil
		}
		for _, a := range p.aliases {
			if strings.ToLower(a) == name {
				return p, nil
			}
		}
		if strings.HasPrefix(strings.ToLower(p.name), name) {
			prefix = append(prefix, p)
		}
	}
	switch len(prefix) {
	case 1:
		return prefix[0], nil
	case 0:
		return nil, c.bindError(el.sp, "NamedParameterNotFound",
			fmt.Sprintf("A parameter cannot be found that matches parameter name '%s'.", el.param))
	}
	var names []string
	for _, p := range prefix {
		names = append(names, "-"+p.name)
	}
	sort.Strings(names)
	return nil, c.bindError(el.sp, "AmbiguousParameter",
		fmt.Sprintf("Parameter cannot be processed because the parameter name '%s' is ambiguous. Possible matches include: %s.", el.param, strings.Join(names, " ")))
}

func (c *cmdletCtx) bindError(sp span, id, message string) *errorRecord {
	rec := c.record(id, "InvalidArgument", message, "", "", "ParameterBindingException")
	rec.sp = sp
	return rec
}
