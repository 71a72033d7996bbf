package device

import (
	"fmt"
	"strings"
)

// Credential is one entry of cmdkey /list.
type Credential struct {
	Target string // as displayed, e.g. LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@contoso.com
	Name   string // the name cmdkey /delete takes: Target without "LegacyGeneric:target="
	Type   string // localized: Generic, Allgemeine, Domain Password, …
	User   string // "" when cmdkey prints no user line
}

// legacyGeneric is how cmdkey shows a generic credential whose stored name
// is what follows; cmdkey /delete wants the stored name.
const legacyGeneric = "LegacyGeneric:target="

// ParseCmdkeyList parses the output of cmdkey /list. The output is
// localized (Target/Type/User, Ziel/Typ/Benutzer, …), so the parser reads
// its structure, not its words: a header line ending in ":", then records
// separated by blank lines (which may hold spaces). A record's first line
// is "<label>: <target>", its second "<label>: <type>", then an optional
// "<label>: <user>" and persistence text without ": ". Records may be
// indented or not, and a space before the colon ("Cible : …") is
// accepted. A line between asterisks ("* NONE *", "* KEINE *")
// means the vault is empty. All records must use the same two labels.
func ParseCmdkeyList(text string) ([]Credential, error) {
	ls := lines(text)
	i := 0
	for i < len(ls) && strings.TrimSpace(ls[i]) == "" {
		i++
	}
	if i == len(ls) {
		return nil, fmt.Errorf("not cmdkey /list output: empty")
	}
	head := ls[i]
	if head != strings.TrimLeft(head, " \t") || !strings.HasSuffix(head, ":") || strings.Contains(head, ": ") {
		return nil, fmt.Errorf("not cmdkey /list output: line %d: expected a header such as %q, got %q", i+1, "Currently stored credentials:", clip(head, 80))
	}
	out := []Credential{}
	var labels [2]string
	var rec []int // line indexes of the current record
	flush := func() error {
		if len(rec) == 0 {
			return nil
		}
		first := rec[0] + 1
		c, l, err := cmdkeyRecord(ls, rec)
		rec = rec[:0]
		if err != nil {
			return err
		}
		if labels[0] == "" {
			labels = l
		} else if l != labels {
			return fmt.Errorf("cmdkey /list: line %d: record labels %q/%q differ from the first record's %q/%q", first, l[0], l[1], labels[0], labels[1])
		}
		out = append(out, c)
		return nil
	}
	for n := i + 1; n < len(ls); n++ {
		t := strings.TrimSpace(ls[n])
		switch {
		case t == "":
			if err := flush(); err != nil {
				return nil, err
			}
		case len(t) >= 3 && strings.HasPrefix(t, "*") && strings.HasSuffix(t, "*") && len(rec) == 0 && len(out) == 0:
			return []Credential{}, nil // * NONE *
		default:
			rec = append(rec, n)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// cmdkeyRecord parses one record; idx are its non-blank line indexes.
func cmdkeyRecord(ls []string, idx []int) (Credential, [2]string, error) {
	var c Credential
	var labels [2]string
	get := func(k int, what string) (string, string, error) {
		line := strings.TrimSpace(ls[idx[k]])
		label, value, ok := strings.Cut(line, ": ")
		if !ok && strings.HasSuffix(line, ":") {
			label, ok = strings.TrimSuffix(line, ":"), true
		}
		label = strings.TrimSpace(label) // French puts a space before the colon
		if !ok || label == "" || strings.Contains(label, ":") {
			return "", "", fmt.Errorf("cmdkey /list: line %d: expected %q, got %q", idx[k]+1, "<label>: <"+what+">", clip(line, 80))
		}
		return label, strings.TrimSpace(value), nil
	}
	if len(idx) < 2 {
		return c, labels, fmt.Errorf("cmdkey /list: line %d: a record needs a target line and a type line", idx[0]+1)
	}
	var err error
	if labels[0], c.Target, err = get(0, "target"); err != nil {
		return c, labels, err
	}
	if c.Target == "" {
		return c, labels, fmt.Errorf("cmdkey /list: line %d: empty target", idx[0]+1)
	}
	if labels[1], c.Type, err = get(1, "type"); err != nil {
		return c, labels, err
	}
	if len(idx) > 2 {
		// The user line has "<label>:"; persistence text has no colon.
		if line := strings.TrimSpace(ls[idx[2]]); strings.Contains(line, ": ") || strings.HasSuffix(line, ":") {
			if _, c.User, err = get(2, "user"); err != nil {
				return c, labels, err
			}
		}
	}
	c.Name = strings.TrimPrefix(c.Target, legacyGeneric)
	return c, labels, nil
}
