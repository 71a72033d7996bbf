package devicesim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// HangEnv names the test-only environment variable that makes the
// simulated device stop answering at a chosen command, so that a test can
// kill caafix at a known point instead of a timed one: "before:N" receives
// (and records) the Nth line caafix sends to this state dir's device,
// counted across invocations, and never runs it; "after:N" runs it and
// never answers. Either way the device writes HangMarker in its state
// folder and then waits, silent, for its standard input to close (caafix
// dying closes it). Lines a scheduled task runs are not counted.
const HangEnv = "CAAFIX_DEVICESIM_HANG"

// HangMarker is the file the device writes when it hangs: the line's
// number and the command, on one line.
const HangMarker = "hung"

// hang is a parsed HangEnv.
type hang struct {
	after bool
	n     int // the line to hang at, 1-based
	seen  int // lines received so far, this session included
}

func parseHang(v string) (*hang, error) {
	if v == "" {
		return nil, nil
	}
	when, num, ok := strings.Cut(v, ":")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || (when != "before" && when != "after") {
		return nil, fmt.Errorf("%s=%q: want before:N or after:N with N >= 1", HangEnv, v)
	}
	return &hang{after: when == "after", n: n}, nil
}

// newHang reads HangEnv and counts the lines received before this session.
func newHang(stateDir string) (*hang, error) {
	h, err := parseHang(os.Getenv(HangEnv))
	if h == nil || err != nil {
		return nil, err
	}
	recs, err := Commands(stateDir)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.RunAs == "" {
			h.seen++
		}
	}
	return h, nil
}

// at counts a received line and reports whether the device hangs at it.
func (h *hang) at() bool {
	if h == nil {
		return false
	}
	h.seen++
	return h.seen == h.n
}

// stop writes the marker and waits for stdin to close.
func (h *hang) stop(stateDir, cmd string, stdin io.Reader) error {
	marker := filepath.Join(stateDirOf(stateDir), HangMarker)
	if err := os.WriteFile(marker, []byte(fmt.Sprintf("%d %s\n", h.n, cmd)), 0o600); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, stdin)
	return nil
}
