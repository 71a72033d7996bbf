package steps_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/runbooks"
	"github.com/caafix/caafix/steps"
)

const (
	scriptPre  = "w32tm /query /status"
	scriptRun  = "Start-Service -Name w32time; w32tm /resync /force"
	scriptPost = "w32tm /query /source"
)

func scriptWith(pre, post string) map[string]any {
	w := map[string]any{"risk": "safe", "context": "system", "run": scriptRun}
	if pre != "" {
		w["pre_check"] = pre
	}
	if post != "" {
		w["post_check"] = post
	}
	return w
}

// psFailed is a cmdlet error: $? False, no native exit code.
func psFailed(stderr string) pshost.Result { return pshost.Result{Stderr: stderr} }

func TestScriptPre(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		pre        string
		res        pshost.Result
		wantNeeded bool
		wantReason string
	}{
		{"no pre-check: the script runs", "", pshost.Result{}, true, "no pre-check declared: the script runs"},
		{"a pre-check that succeeds: the script runs", scriptPre, ok("Leap Indicator: 0(no warning)\r\n"), true, "the pre-check succeeded: Leap Indicator: 0(no warning)"},
		{"a non-zero exit code: not needed", scriptPre, exit(-2147023834, "The following error occurred: The service has not been started. (0x80070426)\r\n"), false, "the pre-check exited -2147023834: The following error occurred: The service has not been started. (0x80070426)"},
		{"$? False with exit 0: not needed", scriptPre, psFailed("Cannot find any service with service name 'w32time'.\r\n"), false, "the pre-check failed ($? False): Cannot find any service with service name 'w32time'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scriptPre: c.res})
			check, err := lookup(t, "script").Pre(context.Background(), newEnv(t, "script", scriptWith(c.pre, ""), nil, r))
			if err != nil {
				t.Fatalf("Pre: %v", err)
			}
			if check.Needed != c.wantNeeded || check.Reason != c.wantReason {
				t.Errorf("Pre = %v %q, want %v %q", check.Needed, check.Reason, c.wantNeeded, c.wantReason)
			}
			wantCalls := []string{}
			if c.pre != "" {
				wantCalls = []string{c.pre}
			}
			if got := r.Calls(); !slices.Equal(got, wantCalls) {
				t.Errorf("sent %q, want %q", got, wantCalls)
			}
		})
	}
}

func TestScriptAct(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		res        pshost.Result
		wantFailed bool
		wantReason string
	}{
		{"exit 0 and $? True succeed", ok("Sending resync command to local computer\r\nThe command completed successfully.\r\n"), false, "the script succeeded: Sending resync command to local computer"},
		{"a native exit code fails", exit(-2147023834, "The computer did not resync because no time data was available.\r\n"), true, "the script exited -2147023834: The computer did not resync because no time data was available."},
		{"$? False fails", psFailed("Service 'Windows Time (w32time)' cannot be started due to the following error: Cannot start service w32time on computer '.'.\r\n"), true, "the script failed ($? False): Service 'Windows Time (w32time)' cannot be started"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scriptRun: c.res})
			env := newEnv(t, "script", scriptWith("", ""), nil, r)
			eff, err := lookup(t, "script").Act(context.Background(), env)
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			if eff.Failed != c.wantFailed || !strings.HasPrefix(eff.Reason, c.wantReason) {
				t.Errorf("Act = failed %v %q, want %v %q", eff.Failed, eff.Reason, c.wantFailed, c.wantReason)
			}
			// Exactly the author's text is sent, and Commands says so.
			if got := r.Calls(); !slices.Equal(got, []string{scriptRun}) {
				t.Errorf("sent %q, want exactly the script", got)
			}
			if got := lookup(t, "script").Commands(env); !slices.Equal(got, []string{scriptRun}) {
				t.Errorf("Commands = %q", got)
			}
		})
	}
}

func TestScriptPost(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		post       string
		res        pshost.Result
		wantOK     bool
		wantReason string
	}{
		{"no post-check: the script's success is the check", "", pshost.Result{}, true, "the script succeeded; no post-check declared"},
		{"a post-check that succeeds", scriptPost, ok("time.windows.com,0x9\r\n"), true, "the post-check succeeded: time.windows.com,0x9"},
		{"a post-check that exits non-zero", scriptPost, exit(1, ""), false, "the post-check exited 1"},
		{"a post-check with $? False", scriptPost, psFailed("boom\r\n"), false, "the post-check failed ($? False): boom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scriptPost: c.res})
			v, err := lookup(t, "script").Post(context.Background(), newEnv(t, "script", scriptWith("", c.post), nil, r))
			if err != nil {
				t.Fatalf("Post: %v", err)
			}
			if v.OK != c.wantOK || v.Reason != c.wantReason {
				t.Errorf("Post = %v %q, want %v %q", v.OK, v.Reason, c.wantOK, c.wantReason)
			}
		})
	}
}

func TestScriptHostErrorIsReturned(t *testing.T) {
	t.Parallel()
	r := newRunner(t, nil)
	r.errs = map[string]error{scriptRun: hostDied(scriptRun)}
	_, err := lookup(t, "script").Act(context.Background(), newEnv(t, "script", scriptWith("", ""), nil, r))
	var he *pshost.HostError
	if !errors.As(err, &he) {
		t.Fatalf("Act error = %v, want the host error", err)
	}
}

func TestMetaOfScript(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		with map[string]any
		want steps.Meta
	}{
		{"the declaration decides", map[string]any{"risk": "low", "context": "user", "needs_admin": true, "run": "x"},
			steps.Meta{Uses: "script", Risk: steps.RiskLow, Context: steps.ContextUser, NeedsAdmin: true}},
		{"needs_admin defaults to false", map[string]any{"risk": "read", "context": "system", "run": "x"},
			steps.Meta{Uses: "script", Risk: steps.RiskRead, Context: steps.ContextSystem}},
		{"an unknown risk is the worst case", map[string]any{"risk": "harmless", "context": "system", "run": "x"},
			steps.Meta{Uses: "script", Risk: steps.RiskDangerous, Context: steps.ContextSystem, NeedsAdmin: true}},
		{"a missing context is the worst case", map[string]any{"risk": "read", "run": "x"},
			steps.Meta{Uses: "script", Risk: steps.RiskDangerous, Context: steps.ContextSystem, NeedsAdmin: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, ok := steps.MetaOf(runbooks.Step{Uses: "script", With: c.with})
			if !ok || m.Risk != c.want.Risk || m.Context != c.want.Context || m.NeedsAdmin != c.want.NeedsAdmin || m.Uses != "script" {
				t.Errorf("MetaOf = %+v, %v; want %+v", m, ok, c.want)
			}
		})
	}
	if _, ok := steps.MetaOf(runbooks.Step{Uses: "no.such"}); ok {
		t.Error("MetaOf found an unknown type")
	}
}

func TestScriptRollbackIsTheAuthors(t *testing.T) {
	t.Parallel()
	st := runbooks.Step{Uses: "script", Rollback: "start the service again", With: map[string]any{"risk": "safe", "context": "system", "run": "x"}}
	if got := steps.Rollback(st); got != "start the service again" {
		t.Errorf("Rollback = %q, want the author's note alone", got)
	}
}
