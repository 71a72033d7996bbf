package escalation

import (
	"fmt"
	"os"

	"github.com/caafix/caafix/audit"
)

// RunLines returns the lines of the audit log at path that belong to run
// id, in log order, reading the current file and, only while the run
// reaches back into them, its rotated backups, newest first. It keeps at
// most [MaxBundle] bytes of them. A damaged line ends the reading of its
// file with an error that says so, after the lines before it.
func RunLines(path, runID string) ([]string, error) {
	if path == "" || path == "-" {
		return nil, nil
	}
	files, err := audit.Files(path)
	if err != nil {
		return nil, fmt.Errorf("read the audit log %s: %w", path, err)
	}
	var out []string
	for i := len(files) - 1; i >= 0; i-- {
		lines, startsInRun, err := runLinesOf(files[i], runID)
		out = append(lines, out...)
		if err != nil {
			return out, err
		}
		// The run started in this file, or was over before it: older
		// files hold none of its lines.
		if (len(lines) > 0 && !startsInRun) || (len(lines) == 0 && len(out) > 0) {
			break
		}
	}
	if len(out) > 0 {
		kept, _ := boundLines(out, MaxBundle)
		out = kept
	}
	return out, nil
}

// runLinesOf reads one file; startsInRun says its first line is the run's.
func runLinesOf(name, runID string) (lines []string, startsInRun bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, false, fmt.Errorf("read the audit log %s: %w", name, err)
	}
	defer f.Close()
	first := true
	err = audit.Scan(f, func(line []byte, ev map[string]any) error {
		id, _ := ev["run_id"].(string)
		if first {
			startsInRun, first = id == runID, false
		}
		if id == runID {
			lines = append(lines, string(line))
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("read the audit log %s: %w", name, err)
	}
	return lines, startsInRun, err
}
