// Package diagnose decides which cause family most likely explains a
// device's CAA50021 symptom, from the [device.Evidence] gathered on it. It
// owns the families (named like the simulator's faults: wam-cache,
// join-broken, conditional-access, clock-skew, av-vpn, office-creds,
// office-install, broker-plugin and transient), the rule table that turns
// evidence into a confidence for each ([Rules]), and the one mapping from
// a family to the step types that fix it ([Fixes]). It runs nothing and
// changes nothing: [Rank] is a pure function of the evidence.
//
// # Scoring
//
// Every rule that matches adds its weight w to its family as an
// independent clue: confidence = 1 − ∏(1 − w) over the family's matching
// rules, rounded to two decimals. A family is [Likely] at 0.6 or more.
// transient has no clue of its own (nothing on a device shows that a
// restart will help): it is listed, at [TransientWeight], only when the
// symptom is present and no specific family is likely. A device without
// the symptom gets an empty diagnosis, whatever else it shows.
//
// # Specific and generic families
//
// The no-PRT and CAA50021 clues of wam-cache are what every fault shows
// while it lasts, so wam-cache, transient and office-install are generic:
// they never rule out other fixes. The other families are specific: when
// one of them is likely, the evidence names a cause that a restart does not
// clear (see [Diagnosis.NamedCause]). Some evidence clears a family
// instead: [Cleared].
package diagnose
