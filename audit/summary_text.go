package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the summary as one JSON object and a newline.
func (s *Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

// WriteText writes the summary as tables for a reviewer.
func (s *Summary) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }

	p("audit summary: %d files, %d events, %d skipped lines (not caafix events), %d runs, %d devices\n",
		s.Files, s.Lines, s.Skipped, s.Runs, len(s.Devices))
	if s.RunsWithoutDevice > 0 {
		p("%d runs ended before the device was known and are not in the tables\n", s.RunsWithoutDevice)
	}
	if s.ReadOnlyRuns > 0 {
		p("%d runs could not change their device (detect, plan, diagnose, collect, …): they decide no outcome\n", s.ReadOnlyRuns)
	}

	p("\nlatest run per device\n")
	p("DEVICE\tOUTCOME\tTIME\tFIXED BY\tRUN\n")
	for _, d := range s.Devices {
		p("%s\t%s\t%s\t%s\t%s\n", d.Device, d.Outcome, d.Time.UTC().Format(time.RFC3339), dash(d.FixedBy), d.RunID)
	}

	p("\noutcomes (latest run per device)\n")
	p("OUTCOME\tDEVICES\n")
	for _, k := range sortedKeys(s.Outcomes) {
		p("%s\t%d\n", k, s.Outcomes[k])
	}

	p("\nfixed by step (devices, by their latest fix)\n")
	p("STEP\tDEVICES\n")
	for _, k := range sortedKeys(s.FixedBy) {
		p("%s\t%d\n", k, s.FixedBy[k])
	}

	p("\nblocked by policy (decisions, all runs)\n")
	p("RULE\tSTEP\tCOUNT\n")
	for _, b := range s.Blocked {
		p("%s\t%s\t%d\n", b.Rule, b.Step, b.Count)
	}

	p("\nrunbooks refused before any host started (runs)\n")
	p("RULE\tRUNS\n")
	for _, k := range sortedKeys(s.Refused) {
		p("%s\t%d\n", k, s.Refused[k])
	}

	p("\nescalations (latest run per device)\n")
	p("DEVICE\tOUTCOME\tTIME\tMESSAGE\n")
	for _, e := range s.Escalations {
		p("%s\t%s\t%s\t%s\n", e.Device, e.Outcome, e.Time.UTC().Format(time.RFC3339), dash(oneLine(e.Message)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	sp := s.Spike
	var err error
	switch {
	case sp.Detected:
		_, err = fmt.Fprintf(w, "\nspike: %d devices reported the symptom between %s and %s (threshold %d in %s): %s\n",
			sp.Devices, sp.From.Format(time.RFC3339), sp.To.Format(time.RFC3339), sp.Threshold, sp.Window, sp.Advice)
	default:
		_, err = fmt.Fprintf(w, "\nspike: none: at most %d devices reported the symptom within %s (threshold %d)\n",
			sp.Devices, sp.Window, sp.Threshold)
	}
	return err
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Most first, then by name, so the table reads top-down.
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	return keys
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a table row on one line: messages may hold newlines and
// tabs.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
