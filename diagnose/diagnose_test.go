package diagnose

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/device"
	"github.com/caafix/caafix/steps"
)

// sick is the evidence of a joined user device with the symptom and
// nothing else wrong; cases change it.
func sick() *device.Evidence {
	return &device.Evidence{
		Symptom: device.Symptom{Present: true}, Join: device.JoinCloud, PRT: device.TriNo, DeviceAuthStatus: "SUCCESS",
		AADErrors:  []device.AADError{{Code: device.CodeCAA50021, Events: 3}},
		ClockKnown: true, ClockSource: device.ClockW32tm, SignIn: device.SignIn{Reachable: device.TriYes},
		ManagedKnown: true, BrokerPlugin: device.TriYes, DeviceCertValid: device.TriYes,
	}
}

func withCode(ev *device.Evidence, codes ...string) *device.Evidence {
	for _, c := range codes {
		ev.AADErrors = append(ev.AADErrors, device.AADError{Code: c, Events: 1})
	}
	return ev
}

func TestRank(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		ev    func() *device.Evidence
		first string
		conf  float64
	}{
		{"no PRT with a healthy device object is the WAM cache", sick, WAMCache, 0.7},
		{"AADSTS53000 on a managed device is Conditional Access", func() *device.Evidence {
			ev := withCode(sick(), device.CodeNotCompliant)
			ev.Managed = true
			return ev
		}, ConditionalAccess, 0.85},
		{"0xCAA20004 alone is Conditional Access", func() *device.Evidence {
			ev := withCode(sick(), device.CodeCAPolicy)
			ev.PRT = device.TriYes
			return ev
		}, ConditionalAccess, 0.6},
		{"a disabled device is a broken join", func() *device.Evidence {
			ev := withCode(sick(), device.CodeDisabled)
			ev.DeviceAuthStatus = "FAILED. Device is either disabled or deleted"
			return ev
		}, JoinBroken, 0.96},
		{"an expired device certificate is a broken join", func() *device.Evidence {
			ev := sick()
			ev.DeviceCertValid = device.TriNo
			ev.PRT = device.TriYes
			return ev
		}, JoinBroken, 0.7},
		{"a clock 20 minutes ahead", func() *device.Evidence {
			ev := sick()
			ev.ClockSkewS = 1200
			return ev
		}, ClockSkew, 0.9},
		{"a clock 7 minutes behind, measured by the Date header", func() *device.Evidence {
			ev := sick()
			ev.ClockSkewS, ev.ClockSource = -420, device.ClockSignInDate
			return ev
		}, ClockSkew, 0.9},
		{"an unreachable sign-in endpoint behind AV and VPN", func() *device.Evidence {
			ev := sick()
			ev.SignIn = device.SignIn{Reachable: device.TriNo, Error: "Unable to connect to the remote server"}
			ev.Antivirus, ev.VPN = []string{"Contoso Endpoint Shield"}, []string{"ExampleVPN Virtual Ethernet Adapter"}
			return ev
		}, AVVPN, 0.74},
		{"0xCAA70007 and a VPN", func() *device.Evidence {
			ev := withCode(sick(), device.CodeInterrupted)
			ev.VPN = []string{"PANGP Virtual Ethernet Adapter"}
			ev.PRT = device.TriYes
			return ev
		}, AVVPN, 0.6},
		{"stale Office targets", func() *device.Evidence {
			ev := sick()
			ev.StaleOfficeCredentials = []string{"MicrosoftOffice16_Data:SSPI:old@contoso.com"}
			return ev
		}, OfficeCreds, 0.9},
		{"a missing broker plug-in", func() *device.Evidence {
			ev := withCode(sick(), device.CodeBroker)
			ev.BrokerPlugin = device.TriNo
			return ev
		}, BrokerPlugin, 0.93},
		{"only CAA50021 events: the WAM cache, then a restart", func() *device.Evidence {
			ev := sick()
			ev.PRT = device.TriUnknown
			return ev
		}, WAMCache, 0.4},
		{"0xCAA20003 alone is weak: transient stays listed", func() *device.Evidence {
			ev := withCode(sick(), device.CodeInvalidGrant)
			ev.PRT, ev.AADErrors = device.TriYes, ev.AADErrors[1:]
			return ev
		}, ClockSkew, 0.3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := Rank(c.ev())
			top, ok := d.Top()
			if !ok || top.Name != c.first || top.Confidence != c.conf {
				t.Fatalf("first %s %.2f, want %s %.2f; all %+v", top.Name, top.Confidence, c.first, c.conf, d.Families)
			}
			for i := 1; i < len(d.Families); i++ {
				if d.Families[i].Confidence > d.Families[i-1].Confidence {
					t.Errorf("not sorted: %+v", d.Families)
				}
			}
			for _, f := range d.Families {
				if len(f.Evidence) == 0 || !slices.Contains(Families(), f.Name) {
					t.Errorf("family %+v: no evidence or an unknown name", f)
				}
			}
			_, named := d.NamedCause()
			if hasTransient := d.Confidence(Transient) > 0; hasTransient == named {
				t.Errorf("transient listed %v while a specific cause is named %v", hasTransient, named)
			}
		})
	}
}

func TestRankWithoutTheSymptomIsEmpty(t *testing.T) {
	t.Parallel()
	ev := withCode(sick(), device.CodeNotCompliant)
	ev.Symptom.Present = false
	ev.SignIn.Reachable = device.TriNo
	b, err := json.Marshal(Rank(ev))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"families":[]}` {
		t.Errorf("healthy device: %s", b)
	}
	if b, _ := json.Marshal(Rank(nil)); string(b) != `{"families":[]}` {
		t.Errorf("no evidence: %s", b)
	}
}

func TestJSONShape(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Rank(sick()))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Families []map[string]json.RawMessage `json:"families"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Families) == 0 {
		t.Fatalf("no family in %s", b)
	}
	for _, f := range v.Families {
		if len(f) != 3 || f["name"] == nil || f["confidence"] == nil || f["evidence"] == nil {
			t.Errorf("family %s: want exactly name, confidence and evidence", b)
		}
	}
}

// Every rule is named once, belongs to a family, and weighs in (0, 1).
func TestRuleTable(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.Name] || !slices.Contains(Families(), r.Family) || r.Weight <= 0 || r.Weight >= 1 || r.Match == nil {
			t.Errorf("rule %+v: duplicate, unknown family, or weight out of (0, 1)", r.Name)
		}
		seen[r.Name] = true
	}
}

func TestFixesMapping(t *testing.T) {
	t.Parallel()
	for _, f := range Families() {
		fs := Fixes(f)
		if len(fs) == 0 {
			t.Errorf("family %s has no fix", f)
		}
		for _, u := range fs {
			if _, ok := steps.Lookup(u); !ok {
				t.Errorf("family %s: fix %s is no step type", f, u)
			}
			if !slices.Contains(FixedBy(u), f) {
				t.Errorf("FixedBy(%s) misses %s", u, f)
			}
		}
	}
	if FixedBy("aad.symptom") != nil {
		t.Error("the symptom check fixes something")
	}
}

// The shipped runbook's step types, in its listed order.
var listed = []string{"w32tm.resync", "dsregcmd.cleanupaccounts", "credentials.remove", "wam.reregister", "restart.schedule", "office.repair", "dsregcmd.leave", "escalate"}

func TestOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		d    Diagnosis
		want []string
	}{
		{"no diagnosis keeps the listed order", Diagnosis{}, listed},
		{"office credentials first, then the WAM cache",
			Diagnosis{Families: []Family{{Name: OfficeCreds, Confidence: 0.9}, {Name: WAMCache, Confidence: 0.7}}},
			[]string{"credentials.remove", "dsregcmd.cleanupaccounts", "w32tm.resync", "wam.reregister", "restart.schedule", "office.repair", "dsregcmd.leave", "escalate"}},
		{"a likely upstream cause escalates first",
			Diagnosis{Families: []Family{{Name: ConditionalAccess, Confidence: 0.85}, {Name: WAMCache, Confidence: 0.7}}},
			[]string{"escalate", "dsregcmd.cleanupaccounts", "w32tm.resync", "credentials.remove", "wam.reregister", "restart.schedule", "office.repair", "dsregcmd.leave"}},
		{"unlikely causes, upstream or not, move nothing: the restart keeps its place",
			Diagnosis{Families: []Family{{Name: WAMCache, Confidence: 0.7}, {Name: AVVPN, Confidence: 0.36}, {Name: Transient, Confidence: 0.3}}},
			[]string{"dsregcmd.cleanupaccounts", "w32tm.resync", "credentials.remove", "wam.reregister", "restart.schedule", "office.repair", "dsregcmd.leave", "escalate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, i := range Order(c.d, listed) {
				got = append(got, listed[i])
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("order %v\nwant  %v", got, c.want)
			}
		})
	}
}

func TestRuledOut(t *testing.T) {
	t.Parallel()
	ca := Diagnosis{Families: []Family{{Name: ConditionalAccess, Confidence: 0.85}, {Name: WAMCache, Confidence: 0.7}}}
	clock := Diagnosis{Families: []Family{{Name: ClockSkew, Confidence: 0.9}, {Name: WAMCache, Confidence: 0.7}}}
	join := Diagnosis{Families: []Family{{Name: JoinBroken, Confidence: 0.8}}}
	vague := Diagnosis{Families: []Family{{Name: WAMCache, Confidence: 0.7}, {Name: Transient, Confidence: 0.3}}}
	cases := []struct {
		name string
		d    Diagnosis
		uses string
		risk steps.Risk
		rule string
	}{
		{"Conditional Access: no cleanupaccounts", ca, "dsregcmd.cleanupaccounts", steps.RiskSafe, RuleUpstream},
		{"Conditional Access: no credential removal", ca, "credentials.remove", steps.RiskLow, RuleUpstream},
		{"Conditional Access: escalation runs", ca, "escalate", steps.RiskRead, ""},
		{"a named cause: no restart", clock, "restart.schedule", steps.RiskDisruptive, RuleNamedCause},
		{"a named cause: no Office repair", clock, "office.repair", steps.RiskDisruptive, RuleNamedCause},
		{"a named cause: its own fix runs", clock, "w32tm.resync", steps.RiskSafe, ""},
		{"a named cause: cheap fixes still run", clock, "dsregcmd.cleanupaccounts", steps.RiskSafe, ""},
		{"no named cause: the restart runs", vague, "restart.schedule", steps.RiskDisruptive, ""},
		{"no join evidence: no leave", vague, "dsregcmd.leave", steps.RiskDangerous, RuleNoEvidence},
		{"a broken join: leave runs", join, "dsregcmd.leave", steps.RiskDangerous, ""},
		{"a broken join: no restart", join, "restart.schedule", steps.RiskDisruptive, RuleNamedCause},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rule, reason, out := RuledOut(c.d, c.uses, c.risk)
			if rule != c.rule || out != (c.rule != "") || (out && reason == "") {
				t.Errorf("rule %q out %v (%s), want %q", rule, out, reason, c.rule)
			}
		})
	}
}

func TestEveryRuleCanMatch(t *testing.T) {
	t.Parallel()
	ev := withCode(sick(), device.CodeNotCompliant, device.CodeCAPolicy, device.CodeDisabled, device.CodeNotAuthed, device.CodeInvalidGrant, device.CodeInterrupted, device.CodeBroker)
	ev.DeviceAuthStatus, ev.DeviceCertValid = "FAILED. Device is either disabled or deleted", device.TriNo
	ev.DeviceCert = device.CertValidity{From: time.Unix(0, 0), To: time.Unix(1, 0)}
	ev.Managed, ev.ClockSkewS = true, 600
	ev.SignIn = device.SignIn{Reachable: device.TriNo, Error: "x"}
	ev.Antivirus, ev.VPN, ev.StaleOfficeCredentials = []string{"a"}, []string{"v"}, []string{"s"}
	ev.BrokerPlugin = device.TriNo
	matched := map[string]bool{}
	for _, f := range Rank(ev).Families {
		for _, e := range f.Evidence {
			for _, r := range Rules {
				if strings.Contains(e, "("+r.Name+",") {
					matched[r.Name] = true
				}
			}
		}
	}
	// Everything matches but no-prt-device-ok: DeviceAuthStatus failed
	// and the endpoint is unreachable.
	for _, r := range Rules {
		if !matched[r.Name] && r.Name != "no-prt-device-ok" {
			t.Errorf("rule %s never matched", r.Name)
		}
	}
}

func TestCleared(t *testing.T) {
	t.Parallel()
	healthyPRT := sick()
	healthyPRT.PRT, healthyPRT.UserUPN = device.TriYes, "alex@contoso.com"
	healthyPRT.OfficeCredentials, healthyPRT.StaleOfficeCredentials = []string{"MicrosoftOffice16_Data:SSPI:alex@contoso.com"}, []string{}
	asSystem := sick()
	asSystem.PRT = device.TriUnknown
	registered := sick()
	registered.Join, registered.PRT = device.JoinRegistered, device.TriYes
	authFailed := sick()
	authFailed.DeviceAuthStatus = "FAILED. Error: 0x80070520"
	cases := []struct {
		name string
		ev   *device.Evidence
		want []string
	}{
		{"a PRT and a clean vault clear the WAM cache and the Office credentials", healthyPRT, []string{OfficeCreds, WAMCache}},
		{"unknown evidence clears nothing", asSystem, nil},
		{"the PRT rule needs an Entra joined device", registered, nil},
		{"a device that cannot authenticate clears the WAM cache", authFailed, []string{WAMCache}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for f := range Cleared(c.ev) {
				got = append(got, f)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("cleared %v, want %v", got, c.want)
			}
		})
	}
	d := Diagnosis{Families: []Family{{Name: Transient, Confidence: 0.3}}, Cleared: Cleared(healthyPRT)}
	for _, uses := range []string{"dsregcmd.cleanupaccounts", "credentials.remove"} {
		if rule, _, out := RuledOut(d, uses, steps.RiskLow); !out || rule != RuleCleared {
			t.Errorf("%s: rule %q, want %s", uses, rule, RuleCleared)
		}
	}
	if _, _, out := RuledOut(d, "restart.schedule", steps.RiskDisruptive); out {
		t.Error("the restart was ruled out with nothing named")
	}
}

// A failed step leaves a cause standing only when it fixes a family the
// evidence names.
func TestStands(t *testing.T) {
	t.Parallel()
	d := Diagnosis{Families: []Family{{Name: ClockSkew, Confidence: 0.9}, {Name: WAMCache, Confidence: 0.7}, {Name: OfficeCreds, Confidence: 0.3}}}
	cases := []struct {
		uses string
		want string // "" for none
	}{
		{"w32tm.resync", ClockSkew},
		{"dsregcmd.cleanupaccounts", ""}, // wam-cache is likely but generic: it names no cause
		{"credentials.remove", ""},       // office-creds is specific but not likely
		{"restart.schedule", ""},
		{"aad.symptom", ""},
	}
	for _, c := range cases {
		f, ok := Stands(d, c.uses)
		if ok != (c.want != "") || f.Name != c.want {
			t.Errorf("Stands(%s) = %q, %v; want %q", c.uses, f.Name, ok, c.want)
		}
	}
}
