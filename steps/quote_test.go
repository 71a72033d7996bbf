package steps_test

import (
	"context"
	"slices"
	"testing"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/steps"
)

// hostile are values that try to end their string and run a command of
// their own. They reach commands from the device (credential targets,
// Office's platform and culture) and from runbooks (messages).
var hostile = []struct {
	name  string
	value string
}{
	{"apostrophe breakout", `x'; Remove-Item C:\ -Recurse; '`},
	{"left single quotation mark U+2018 breakout", "x\u2018; Remove-Item C:\\ -Recurse; \u2018"},
	{"right single quotation mark U+2019 breakout", "x\u2019; Remove-Item C:\\ -Recurse; \u2019"},
	{"single low-9 quotation mark U+201A breakout", "x\u201A; Remove-Item C:\\ -Recurse; \u201A"},
	{"single high-reversed-9 quotation mark U+201B breakout", "x\u201B; Remove-Item C:\\ -Recurse; \u201B"},
	{"mixed quotes that pair up across kinds", "x'\u2019; Remove-Item C:\\; \u201B'"},
	{"an already doubled quote", `x''; Remove-Item C:\; ''`},
	{"a trailing quote", `x'`},
	{"a lone curly quote", "\u2019"},
	{"subexpression and variable", `$(Remove-Item C:\ -Recurse) $env:TEMP`},
	{"backtick and double quotes", "x`\"; Remove-Item C:\\; \"`"},
	{"operators", `x & calc.exe | Out-Null; { }`},
}

// TestHostileValuesStayOneLiteral builds every command that takes a value
// with each hostile value and checks that PowerShell would read the value
// back, unchanged, as one single-quoted literal; the action sends exactly
// those commands.
func TestHostileValuesStayOneLiteral(t *testing.T) {
	t.Parallel()
	type build struct {
		uses  string
		env   func(v string) *steps.Env
		want  func(v string) [][]psToken
		named string
	}
	builds := []build{
		{named: "credential target", uses: "credentials.remove",
			env: func(v string) *steps.Env {
				env := newEnv(t, "credentials.remove", nil, nil, nil)
				for _, p := range steps.OfficePrefixes {
					env.Pre.Targets = append(env.Pre.Targets, p+v)
				}
				env.Pre.Needed = true
				return env
			},
			want: func(v string) [][]psToken {
				var out [][]psToken
				for _, p := range steps.OfficePrefixes {
					out = append(out, []psToken{word("cmdkey"), lit("/delete:" + p + v)})
				}
				return out
			}},
		{named: "restart message", uses: "restart.schedule",
			env: func(v string) *steps.Env {
				return newEnv(t, "restart.schedule", map[string]any{"message": v}, nil, nil)
			},
			want: func(v string) [][]psToken {
				return [][]psToken{{word("shutdown"), word("/r"), word("/t"), lit("300"), word("/c"), lit(v), word("/d"), word("p:4:1")}}
			}},
		{named: "Office platform and culture", uses: "office.repair",
			env: func(v string) *steps.Env {
				f := cloudFacts()
				f.Office = device.Office{Installed: true, Platform: v, Culture: v + "-c"}
				return newEnv(t, "office.repair", nil, f, nil)
			},
			want: func(v string) [][]psToken { return [][]psToken{repairTokens(v, v+"-c")} }},
	}
	for _, b := range builds {
		for _, h := range hostile {
			t.Run(b.named+"/"+h.name, func(t *testing.T) {
				t.Parallel()
				s := lookup(t, b.uses)
				env := b.env(h.value)
				cmds := s.Commands(env)
				want := b.want(h.value)
				if len(cmds) != len(want) {
					t.Fatalf("Commands = %q, want %d commands", cmds, len(want))
				}
				out := map[string]pshost.Result{}
				for i, cmd := range cmds {
					checkTokens(t, cmd, want[i])
					out[cmd] = exit(0, "")
				}
				r := newRunner(t, out)
				env.Runner = r
				if _, err := s.Act(context.Background(), env); err != nil {
					t.Fatalf("Act: %v", err)
				}
				if got := r.Calls(); !slices.Equal(got, cmds) {
					t.Errorf("Act sent %q, Commands says %q", got, cmds)
				}
			})
		}
	}
}

// TestValuesNeverChangeACommandsShape gives every step type facts and
// parameters full of a hostile value and checks that its commands have
// the same words and operators as with ordinary values: a value can only
// ever change the text inside a literal.
func TestValuesNeverChangeACommandsShape(t *testing.T) {
	t.Parallel()
	facts := func(v string) *device.Facts {
		f := cloudFacts()
		f.Hostname, f.User, f.DeviceAuthStatus = v, v, v
		f.TimeService = device.TimeServiceStopped // every command w32tm.resync has
		f.Office = device.Office{Installed: true, Platform: v, Culture: v}
		for _, p := range steps.OfficePrefixes {
			f.Credentials = append(f.Credentials, p+v)
		}
		f.Antivirus, f.VPN, f.Problems = []string{v}, []string{v}, []string{v}
		return f
	}
	with := func(uses, v string) map[string]any {
		switch uses {
		case "restart.schedule", "escalate":
			return map[string]any{"message": v}
		}
		return nil
	}
	shape := func(t *testing.T, cmd string) (skeleton []psToken, literals int) {
		t.Helper()
		toks, err := psTokenize(cmd)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks {
			if tk.kind == 'q' {
				literals++
				continue
			}
			skeleton = append(skeleton, tk)
		}
		return skeleton, literals
	}
	for _, uses := range steps.Names() {
		for _, h := range hostile {
			t.Run(uses+"/"+h.name, func(t *testing.T) {
				t.Parallel()
				s := lookup(t, uses)
				plain := s.Commands(newEnv(t, uses, with(uses, "plain"), facts("plain"), nil))
				bad := s.Commands(newEnv(t, uses, with(uses, h.value), facts(h.value), nil))
				if len(plain) != len(bad) {
					t.Fatalf("%d commands with ordinary values, %d with %q", len(plain), len(bad), h.value)
				}
				for i := range plain {
					ps, pl := shape(t, plain[i])
					bs, bl := shape(t, bad[i])
					if !slices.Equal(ps, bs) || pl != bl {
						t.Errorf("the value changed the command's shape:\n%q\nreads as %v with %d literals\n%q\nreads as %v with %d literals", plain[i], ps, pl, bad[i], bs, bl)
					}
				}
			})
		}
	}
}
