package steps_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
	"github.com/caafix/caafix/steps"
)

// Targets the step must never delete, whatever the vault holds.
var foreignTargets = []string{
	"WindowsLive:target=virtualapp/didlogical",
	"git:https://example.org",
	"Web Credentials:https://login.microsoftonline.com",
	"MicrosoftOffice15_Data:SSPI:alex@contoso.com",
	"git:https://example.org/MicrosoftOffice16_Data:",
	"Domain:interactive=CONTOSO\\alex",
	"OneDrive",
}

// Office targets, one for each allowed prefix, one with a space and one
// with a quote in its name.
var officeTargets = []string{
	"MicrosoftOffice16_Data:SSPI:alex@contoso.com",
	"MicrosoftAccount:user=alex@contoso.com",
	"OneDrive Cached Credential",
	"MicrosoftOffice16_Data:SSPI:o'brien@contoso.com",
}

// mixedVault interleaves foreign and Office targets.
func mixedVault() []string {
	var v []string
	for i := range max(len(foreignTargets), len(officeTargets)) {
		if i < len(foreignTargets) {
			v = append(v, foreignTargets[i])
		}
		if i < len(officeTargets) {
			v = append(v, officeTargets[i])
		}
	}
	return v
}

func TestCredentialsRemovePre(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		with        map[string]any
		list        string
		wantNeeded  bool
		wantTargets []string
		wantReason  string
	}{
		{name: "only targets with the three Office prefixes are selected", list: cmdkeyList(mixedVault()...),
			wantNeeded: true, wantTargets: officeTargets, wantReason: "4 cached sign-in(s)"},
		{name: "Microsoft account targets of a real vault are selected by their stored name", list: fixture(t, "cmdkey-list-en-msa.txt"),
			wantNeeded: true, wantTargets: []string{"MicrosoftAccount:target=SSO_POP_User:user=test@gmail.com", "MicrosoftAccount:target=SSO_POP_Device", "MicrosoftAccount:user=test@gmail.com"}},
		{name: "a real vault without Office targets is not needed", list: fixture(t, "cmdkey-list-en-indented.txt"),
			wantReason: "no cached Office"},
		{name: "an empty vault is not needed", list: cmdkeyList(), wantReason: "no cached Office"},
		{name: "the runbook's prefixes narrow the selection", with: map[string]any{"prefixes": []string{"OneDrive Cached Credential"}},
			list: cmdkeyList(mixedVault()...), wantNeeded: true, wantTargets: []string{"OneDrive Cached Credential"}},
		{name: "a prefix outside the three is ignored even when validation was bypassed", with: map[string]any{"prefixes": []string{"git:", "WindowsLive:", "Web Credentials"}},
			list: cmdkeyList(mixedVault()...), wantReason: "no cached Office"},
		{name: "an unreadable list is not needed, with the reason", list: "The system cannot find the file specified.\r\n",
			wantReason: "could not be read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scripts.CmdkeyList: ok(c.list)})
			check, err := lookup(t, "credentials.remove").Pre(context.Background(), newEnv(t, "credentials.remove", c.with, nil, r))
			if err != nil {
				t.Fatalf("Pre: %v", err)
			}
			if check.Needed != c.wantNeeded {
				t.Errorf("Needed = %v, want %v (reason %q)", check.Needed, c.wantNeeded, check.Reason)
			}
			if !slices.Equal(check.Targets, c.wantTargets) {
				t.Errorf("Targets = %q, want %q", check.Targets, c.wantTargets)
			}
			if !strings.Contains(check.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", check.Reason, c.wantReason)
			}
			if got, want := r.Calls(), []string{scripts.CmdkeyList}; !slices.Equal(got, want) {
				t.Errorf("sent %q, want %q", got, want)
			}
		})
	}
}

func TestCredentialsRemoveCommands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		targets []string // the pre-check's; nil for a plan, which has none
		facts   []string // the gathered credential names
		want    []string
	}{
		{name: "one cmdkey /delete per target, the switch quoted whole", targets: []string{"MicrosoftOffice16_Data:SSPI:alex@contoso.com", "MicrosoftAccount:user=alex@contoso.com"},
			want: []string{`cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex@contoso.com'`, `cmdkey '/delete:MicrosoftAccount:user=alex@contoso.com'`}},
		{name: "a target with spaces is one quoted argument", targets: []string{"OneDrive Cached Credential"},
			want: []string{`cmdkey '/delete:OneDrive Cached Credential'`}},
		{name: "a quote in a target is doubled", targets: []string{"MicrosoftOffice16_Data:SSPI:o'brien@contoso.com"},
			want: []string{`cmdkey '/delete:MicrosoftOffice16_Data:SSPI:o''brien@contoso.com'`}},
		{name: "a plan deletes the Office targets among the gathered credentials", facts: mixedVault(),
			want: []string{
				`cmdkey '/delete:MicrosoftOffice16_Data:SSPI:alex@contoso.com'`,
				`cmdkey '/delete:MicrosoftAccount:user=alex@contoso.com'`,
				`cmdkey '/delete:OneDrive Cached Credential'`,
				`cmdkey '/delete:MicrosoftOffice16_Data:SSPI:o''brien@contoso.com'`,
			}},
		{name: "a plan on a vault without Office targets deletes nothing", facts: foreignTargets, want: []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := cloudFacts()
			f.Credentials = c.facts
			env := newEnv(t, "credentials.remove", nil, f, nil)
			env.Pre = steps.Check{Needed: c.targets != nil, Targets: c.targets}
			got := lookup(t, "credentials.remove").Commands(env)
			if !slices.Equal(got, c.want) {
				t.Errorf("Commands =\n%q\nwant\n%q", got, c.want)
			}
			for _, cmd := range got {
				if _, err := psTokenize(cmd); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestCredentialsRemoveAct(t *testing.T) {
	t.Parallel()
	deleted := ok("\r\nCMDKEY: Credential deleted successfully.\r\n")
	notFound := pshost.Result{Stdout: "\r\nCMDKEY: Element not found.\r\n", ExitCode: 1, OK: false}
	cases := []struct {
		name       string
		targets    []string
		out        map[string]pshost.Result
		wantFailed bool
		wantReason string
	}{
		{name: "every target is deleted, one command each, in order", targets: officeTargets,
			out: map[string]pshost.Result{
				scripts.DeleteCredential(officeTargets[0]): deleted, scripts.DeleteCredential(officeTargets[1]): deleted,
				scripts.DeleteCredential(officeTargets[2]): deleted, scripts.DeleteCredential(officeTargets[3]): deleted,
			},
			wantReason: "deleted 4"},
		{name: "a target that cannot be deleted fails the step and is named, the others are still deleted", targets: officeTargets[:2],
			out: map[string]pshost.Result{
				scripts.DeleteCredential(officeTargets[0]): notFound, scripts.DeleteCredential(officeTargets[1]): deleted,
			},
			wantFailed: true, wantReason: officeTargets[0] + " (exit 1: CMDKEY: Element not found.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, c.out)
			env := newEnv(t, "credentials.remove", nil, nil, r)
			env.Pre = steps.Check{Needed: true, Targets: c.targets}
			s := lookup(t, "credentials.remove")
			eff, err := s.Act(context.Background(), env)
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			if eff.Failed != c.wantFailed {
				t.Errorf("Failed = %v, want %v (reason %q)", eff.Failed, c.wantFailed, eff.Reason)
			}
			if !strings.Contains(eff.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", eff.Reason, c.wantReason)
			}
			// What the action sends is exactly what plans and reviews show.
			if got, want := r.Calls(), s.Commands(env); !slices.Equal(got, want) {
				t.Errorf("sent %q, Commands says %q", got, want)
			}
		})
	}
}

func TestCredentialsRemovePost(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		vault      []string
		wantOK     bool
		wantReason string
	}{
		{"the deleted targets are gone, the foreign ones may stay", foreignTargets, true, "gone"},
		{"a target still present is not verified", []string{"git:https://example.org", "OneDrive Cached Credential"}, false, "still cached: OneDrive Cached Credential"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, map[string]pshost.Result{scripts.CmdkeyList: ok(cmdkeyList(c.vault...))})
			env := newEnv(t, "credentials.remove", nil, nil, r)
			env.Pre = steps.Check{Needed: true, Targets: officeTargets}
			v, err := lookup(t, "credentials.remove").Post(context.Background(), env)
			if err != nil {
				t.Fatalf("Post: %v", err)
			}
			if v.OK != c.wantOK {
				t.Errorf("OK = %v, want %v (reason %q)", v.OK, c.wantOK, v.Reason)
			}
			if !strings.Contains(v.Reason, c.wantReason) {
				t.Errorf("reason %q does not say %q", v.Reason, c.wantReason)
			}
			if got, want := r.Calls(), []string{scripts.CmdkeyList}; !slices.Equal(got, want) {
				t.Errorf("sent %q, want %q", got, want)
			}
		})
	}
}

// TestCredentialsRemoveNeverTouchesOtherTargets runs the whole step on a
// vault full of other targets and checks that none of them ever appears
// in a command the step builds or sends.
func TestCredentialsRemoveNeverTouchesOtherTargets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		with map[string]any
	}{
		{"default prefixes", nil},
		{"every allowed prefix named", map[string]any{"prefixes": steps.OfficePrefixes}},
		{"foreign prefixes smuggled past validation", map[string]any{"prefixes": []string{"git:", "WindowsLive:", "Web Credentials", "Domain:", ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := lookup(t, "credentials.remove")
			out := map[string]pshost.Result{scripts.CmdkeyList: ok(cmdkeyList(mixedVault()...))}
			for _, tg := range officeTargets {
				out[scripts.DeleteCredential(tg)] = ok("\r\nCMDKEY: Credential deleted successfully.\r\n")
			}
			r := newRunner(t, out)
			f := cloudFacts()
			f.Credentials = mixedVault()
			env := newEnv(t, "credentials.remove", c.with, f, r)
			plan := s.Commands(env)
			check, err := s.Pre(context.Background(), env)
			if err != nil {
				t.Fatal(err)
			}
			env.Pre = check
			if check.Needed {
				if _, err := s.Act(context.Background(), env); err != nil {
					t.Fatal(err)
				}
			}
			for _, cmd := range append(plan, r.Calls()...) {
				toks, err := psTokenize(cmd)
				if err != nil {
					t.Fatal(err)
				}
				if toks[0] != word("cmdkey") {
					continue
				}
				if toks[1].text == "/list" {
					continue
				}
				target, found := strings.CutPrefix(toks[1].text, "/delete:")
				if !found || len(toks) != 2 {
					t.Errorf("command %q is not one cmdkey /delete of one target", cmd)
					continue
				}
				if slices.Contains(foreignTargets, target) || !slices.ContainsFunc(steps.OfficePrefixes, func(p string) bool { return strings.HasPrefix(target, p) }) {
					t.Errorf("command %q deletes %q, which is not an Office target", cmd, target)
				}
			}
		})
	}
}
