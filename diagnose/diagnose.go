package diagnose

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/caafix/caafix/device"
)

// The families, named exactly like the simulator's faults.
const (
	WAMCache          = "wam-cache"
	JoinBroken        = "join-broken"
	ConditionalAccess = "conditional-access"
	ClockSkew         = "clock-skew"
	AVVPN             = "av-vpn"
	OfficeCreds       = "office-creds"
	OfficeInstall     = "office-install"
	BrokerPlugin      = "broker-plugin"
	Transient         = "transient"
)

// Families lists every family.
func Families() []string {
	return []string{WAMCache, JoinBroken, ConditionalAccess, ClockSkew, AVVPN, OfficeCreds, OfficeInstall, BrokerPlugin, Transient}
}

// Likely is the confidence from which a family counts as the evidence's
// answer.
const Likely = 0.6

// TransientWeight is transient's confidence when nothing specific explains
// the symptom.
const TransientWeight = 0.3

// generic families are what every fault looks like; see the package doc.
var generic = []string{WAMCache, OfficeInstall, Transient}

// Specific reports whether a family's evidence rules out a restart when
// it is likely.
func Specific(family string) bool { return !slices.Contains(generic, family) }

// Upstream reports whether no local step fixes the family: only IT can.
func Upstream(family string) bool { return family == ConditionalAccess || family == AVVPN }

// Family is one cause family with its confidence and the evidence behind
// it, in the order of the rules.
type Family struct {
	Name       string   `json:"name"`
	Confidence float64  `json:"confidence"`
	Evidence   []string `json:"evidence"`
}

// Diagnosis is the families with any evidence, most likely first; empty
// for a device without the symptom.
type Diagnosis struct {
	Families []Family `json:"families"`
	// Cleared are the families the evidence rules out, with the reason
	// (see [Cleared]); not part of the JSON, which is the families only.
	Cleared map[string]string `json:"-"`
}

// Rank scores every family against the evidence with [Rules].
func Rank(ev *device.Evidence) Diagnosis {
	d := Diagnosis{Families: []Family{}, Cleared: map[string]string{}}
	if ev == nil || !ev.Symptom.Present {
		return d
	}
	d.Cleared = Cleared(ev)
	by := map[string]*Family{}
	miss := map[string]float64{} // ∏(1 − w) per family
	for _, r := range Rules {
		text, ok := r.Match(ev)
		if !ok {
			continue
		}
		f := by[r.Family]
		if f == nil {
			f = &Family{Name: r.Family, Evidence: []string{}}
			by[r.Family] = f
			miss[r.Family] = 1
		}
		miss[r.Family] *= 1 - r.Weight
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s (%s, +%.2f)", text, r.Name, r.Weight))
	}
	for name, f := range by {
		f.Confidence = round2(1 - miss[name])
		d.Families = append(d.Families, *f)
	}
	if _, ok := d.NamedCause(); !ok {
		d.Families = append(d.Families, Family{Name: Transient, Confidence: TransientWeight, Evidence: []string{
			"the symptom is present and no specific cause is likely: a restart clears transient token state (no-specific-cause, +0.30)"}})
	}
	order := Families()
	sort.SliceStable(d.Families, func(i, j int) bool {
		a, b := d.Families[i], d.Families[j]
		if a.Confidence != b.Confidence {
			return a.Confidence > b.Confidence
		}
		// A tie goes to the family listed first in Families.
		return slices.Index(order, a.Name) < slices.Index(order, b.Name)
	})
	return d
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Top returns the most likely family.
func (d Diagnosis) Top() (Family, bool) {
	if len(d.Families) == 0 {
		return Family{}, false
	}
	return d.Families[0], true
}

// Confidence returns the family's confidence, 0 when it is not listed.
func (d Diagnosis) Confidence(name string) float64 {
	for _, f := range d.Families {
		if f.Name == name {
			return f.Confidence
		}
	}
	return 0
}

// NamedCause returns the most likely specific family when it is
// [Likely]: the evidence then names a cause a restart does not clear.
func (d Diagnosis) NamedCause() (Family, bool) {
	for _, f := range d.Families {
		if Specific(f.Name) && f.Confidence >= Likely {
			return f, true
		}
	}
	return Family{}, false
}
