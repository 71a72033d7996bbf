package device

import (
	"encoding/csv"
	"fmt"
	"strings"
)

// readCSV reads the CSV that whoami /fo csv and ConvertTo-Csv print. A
// "#TYPE" line (ConvertTo-Csv without -NoTypeInformation) is skipped, and
// rows may have fewer fields than the header: Windows PowerShell prints a
// null value as nothing. Trailing spaces after a closing quote, which
// encoding/csv rejects, are cut from every line.
func readCSV(text string) ([][]string, error) {
	text = strings.TrimSpace(strings.Join(lines(text), "\n"))
	if strings.HasPrefix(text, "#TYPE") {
		_, text, _ = strings.Cut(text, "\n")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// table is CSV with a header row, read by column name.
type table struct {
	cols map[string]int
	rows [][]string
}

// readTable reads ConvertTo-Csv output and checks that the header names
// every wanted column. Empty text is an empty table: PowerShell prints
// nothing, not even the header, when there is no object.
func readTable(what, text string, want ...string) (*table, error) {
	recs, err := readCSV(text)
	if err != nil {
		return nil, fmt.Errorf("%s: not CSV: %w", what, err)
	}
	t := &table{cols: map[string]int{}}
	if len(recs) == 0 {
		return t, nil
	}
	for i, h := range recs[0] {
		t.cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, w := range want {
		if _, ok := t.cols[strings.ToLower(w)]; !ok {
			return nil, fmt.Errorf("%s: expected a CSV header with %s, got %q", what, quoteList(want), clip(strings.Join(recs[0], ","), 120))
		}
	}
	t.rows = recs[1:]
	return t, nil
}

// get returns the named column of row i, "" when the row is short.
func (t *table) get(i int, col string) string {
	c, ok := t.cols[strings.ToLower(col)]
	if !ok || c >= len(t.rows[i]) {
		return ""
	}
	return strings.TrimSpace(t.rows[i][c])
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = `"` + v + `"`
	}
	return strings.Join(q, ",")
}
