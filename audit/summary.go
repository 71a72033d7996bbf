package audit

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The spike defaults, from the guide: many devices failing at once points
// at the tenant, not at the devices.
const (
	DefaultSpikeDevices = 10
	DefaultSpikeWindow  = 60 * time.Minute
)

// SpikeAdvice is what the summary says when a spike is found.
const SpikeAdvice = "likely tenant-side: escalate to the tenant administrator"

// spikeSteps is how many steps a spike window slides by: windows start
// every SpikeWindow/spikeSteps.
const spikeSteps = 12

// SummaryOptions tune [Summarize].
type SummaryOptions struct {
	// SpikeDevices is how many devices must report the symptom within
	// SpikeWindow for a spike; 0 means DefaultSpikeDevices.
	SpikeDevices int
	// SpikeWindow is the spike's time window; 0 means DefaultSpikeWindow.
	SpikeWindow time.Duration
}

// Summary is the fleet review of one or more audit logs. Outcomes,
// FixedBy and Escalations count each device once, by its latest run;
// Blocked counts every block decision in the logs.
type Summary struct {
	Files   int   `json:"files"`
	Lines   int64 `json:"lines"`   // caafix events read
	Skipped int64 `json:"skipped"` // lines that are not caafix schema-1 events
	Runs    int64 `json:"runs"`    // run.end lines read
	// RunsWithoutDevice counts runs that ended before the device's facts
	// were read (so without a device): in Runs, not in Devices.
	RunsWithoutDevice int64 `json:"runs_without_device"`
	// ReadOnlyRuns counts runs that could not change the device (plan,
	// detect, dry-run, diagnose, collect) or served another purpose
	// (task install, restart cancel): in Runs, and their symptom counts
	// toward a spike, but they are no device's latest outcome and their
	// policy blocks are not counted.
	ReadOnlyRuns int64          `json:"read_only_runs"`
	Devices      []DeviceResult `json:"devices"`
	Outcomes     map[string]int `json:"outcomes"`
	FixedBy      map[string]int `json:"fixed_by"`
	Blocked      []BlockCount   `json:"blocked"`
	// Refused counts runbooks refused before any host started, by rule:
	// signature (unsigned, tampered, unknown key), expired, rollback.
	// A fleet's attempts to push an unsigned or altered runbook show here.
	Refused     map[string]int `json:"refused_runbooks"`
	Escalations []DeviceResult `json:"escalations"`
	Spike       Spike          `json:"spike"`
}

// DeviceResult is the latest run of one device.
type DeviceResult struct {
	Device  string    `json:"device"`
	RunID   string    `json:"run_id"`
	Time    time.Time `json:"time"` // of its run.end line
	Outcome string    `json:"outcome"`
	FixedBy string    `json:"fixed_by,omitempty"`
	Message string    `json:"message,omitempty"`
}

// BlockCount is how often the policy gate blocked a step by a rule.
type BlockCount struct {
	Rule  string `json:"rule"`
	Step  string `json:"step"`
	Count int64  `json:"count"`
}

// Spike is the busiest window of symptom reports.
type Spike struct {
	Detected bool `json:"detected"`
	// Devices is the most devices that reported the symptom within one
	// window, From (inclusive) to To (exclusive).
	Devices   int       `json:"devices"`
	From      time.Time `json:"from,omitzero"`
	To        time.Time `json:"to,omitzero"`
	Threshold int       `json:"threshold_devices"`
	Window    string    `json:"window"`
	Advice    string    `json:"advice,omitempty"`
}

// A Summarizer builds a [Summary] from logs added one after another. Its
// memory grows with the number of devices, of distinct block rules and
// steps, and of spike windows in the time the logs cover; not with the
// number of lines. It is not safe for concurrent use.
//
// # Spikes
//
// A run reports the symptom when its facts say symptom.present, or else
// when its run.end outcome is not healthy; it counts at the time of that
// line. Windows of length SpikeWindow start every SpikeWindow/12, and a
// device counts once per window. So every group of SpikeDevices devices
// within 11/12 of the window is found, and a reported spike never spans
// more than the window. The lines of one device must be read in the order
// they were written (rotated backups before the current file, as [Files]
// and directory order give them); a device's lines out of order may be
// under-counted.
type Summarizer struct {
	opts     SummaryOptions
	sum      Summary
	devices  map[string]*deviceState
	blocked  map[[2]string]int64
	refused  map[string]int    // runbook.check blocks by rule
	open     map[string]string // run_id → device, for runs whose facts reported the symptom
	readOnly map[string]bool   // run_id of runs whose mode is not run, until their run.end
	windows  map[int64]int     // spike window index → devices
	width    int64             // nanoseconds between window starts
	line     sumLine
	buf      []byte
}

type deviceState struct {
	latest     DeviceResult
	seen       bool
	fixedBy    string
	fixedAt    time.Time
	lastWindow int64  // the last spike window this device counted in
	openRun    string // its run whose facts reported the symptom, not yet ended
}

// NewSummarizer returns an empty Summarizer.
func NewSummarizer(opts SummaryOptions) *Summarizer {
	if opts.SpikeDevices <= 0 {
		opts.SpikeDevices = DefaultSpikeDevices
	}
	if opts.SpikeWindow <= 0 {
		opts.SpikeWindow = DefaultSpikeWindow
	}
	return &Summarizer{
		opts:     opts,
		devices:  map[string]*deviceState{},
		blocked:  map[[2]string]int64{},
		refused:  map[string]int{},
		open:     map[string]string{},
		readOnly: map[string]bool{},
		windows:  map[int64]int{},
		width:    max(int64(opts.SpikeWindow)/spikeSteps, 1),
	}
}

// Summarize reads one log (plain or gzip-compressed) and summarizes it.
func Summarize(r io.Reader, opts SummaryOptions) (*Summary, error) {
	s := NewSummarizer(opts)
	if err := s.Add(r); err != nil {
		return nil, err
	}
	return s.Summary(), nil
}

// SummarizePaths summarizes the logs at paths: files (plain or gzip), and
// directories, whose *.jsonl, *.jsonl.gz and *.log files it reads,
// recursively, in lexical order.
func SummarizePaths(paths []string, opts SummaryOptions) (*Summary, error) {
	s := NewSummarizer(opts)
	for _, p := range paths {
		if err := s.AddPath(p); err != nil {
			return nil, err
		}
	}
	return s.Summary(), nil
}

// SummaryFiles returns the log files under path: path itself when it is a
// file, or the *.jsonl, *.jsonl.gz and *.log files in a directory and its
// subdirectories, in lexical order.
func SummaryFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.Type().IsRegular() && (strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".jsonl.gz") || strings.HasSuffix(name, ".log")) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// AddPath adds the logs at path, a file or a directory (see
// [SummarizePaths]). A directory without logs is an error.
func (s *Summarizer) AddPath(path string) error {
	files, err := SummaryFiles(path)
	if err != nil {
		return fmt.Errorf("read audit logs at %s: %w", path, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no audit logs (*.jsonl, *.jsonl.gz, *.log) in it", path)
	}
	for _, f := range files {
		if err := s.addFile(f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Summarizer) addFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	defer f.Close()
	if err := s.Add(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

var gzipMagic = []byte{0x1f, 0x8b}

// Add reads one log to its end, decompressing it when it starts with the
// gzip magic bytes. Lines that are not caafix events (not JSON objects, cut
// short, longer than MaxLine, another schema) are counted in Skipped. A
// file re-encoded as UTF-16 is an error.
func (s *Summarizer) Add(r io.Reader) error {
	s.sum.Files++
	br := bufio.NewReaderSize(r, 256<<10)
	if magic, _ := br.Peek(2); bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("read gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0xff, 0xfe}) || bytes.Equal(magic, []byte{0xfe, 0xff}) {
		return errUTF16
	}
	first := true
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			line, err = s.longLine(br, line)
		}
		if len(line) > 0 {
			if first {
				line = bytes.TrimPrefix(line, []byte{0xef, 0xbb, 0xbf})
			}
			first = false
			s.addLine(line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// longLine reads the rest of a line longer than the reader's buffer, up to
// MaxLine; a longer one is dropped (returned empty) and counted.
func (s *Summarizer) longLine(br *bufio.Reader, part []byte) ([]byte, error) {
	s.buf = append(s.buf[:0], part...)
	for {
		chunk, err := br.ReadSlice('\n')
		if len(s.buf) <= MaxLine+2 {
			s.buf = append(s.buf, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(s.buf) > MaxLine+2 {
			s.sum.Skipped++
			s.buf = s.buf[:0]
		}
		return s.buf, err
	}
}

// addLine takes one line, with or without its newline.
func (s *Summarizer) addLine(line []byte) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	l := &s.line
	if len(line) == 0 {
		return
	}
	if !hasHashTail(line) || !parseSumLine(line, l) || !l.schema || len(l.event) == 0 || l.time == nil || l.runID == nil {
		s.sum.Skipped++
		return
	}
	s.sum.Lines++
	switch string(l.event) {
	case "run.start":
		// Only a run (also remediate and self-heal) acts on the device;
		// a log without run.start (cut by rotation) counts as one.
		if len(l.mode) > 0 && string(l.mode) != "run" {
			s.readOnly[string(l.runID)] = true
		}
	case "facts":
		if l.symptom == 1 && len(l.device) > 0 {
			if t, ok := parseTime(l.time); ok {
				d := s.device(l.device)
				if d.openRun != "" {
					delete(s.open, d.openRun)
				}
				d.openRun = string(l.runID)
				s.open[d.openRun] = d.latest.Device
				s.symptom(d, t)
			}
		}
	case "runbook.check":
		if string(l.decision) == "block" {
			s.refused[text(l.rule)]++
		}
	case "policy.decision":
		if string(l.decision) == "block" && !s.readOnly[string(l.runID)] {
			s.blocked[[2]string{text(l.rule), text(l.step)}]++
		}
	case "run.end":
		s.runEnd(l)
	}
}

func (s *Summarizer) runEnd(l *sumLine) {
	s.sum.Runs++
	readOnly := s.readOnly[string(l.runID)]
	if readOnly {
		delete(s.readOnly, string(l.runID))
		s.sum.ReadOnlyRuns++
	}
	if len(l.device) == 0 {
		s.sum.RunsWithoutDevice++
		return
	}
	t, ok := parseTime(l.time)
	if !ok {
		s.sum.RunsWithoutDevice++
		return
	}
	d := s.device(l.device)
	outcome := text(l.outcome)
	runID := string(l.runID)
	if _, reported := s.open[runID]; reported {
		delete(s.open, runID)
		if d.openRun == runID {
			d.openRun = ""
		}
	} else if outcome != "healthy" && !readOnly {
		s.symptom(d, t)
	}
	if readOnly {
		return
	}
	if !d.seen || !t.Before(d.latest.Time) {
		d.seen = true
		d.latest.RunID, d.latest.Time, d.latest.Outcome = runID, t, outcome
		d.latest.FixedBy, d.latest.Message = text(l.fixedBy), text(l.message)
	}
	if outcome == "fixed" && len(l.fixedBy) > 0 && !t.Before(d.fixedAt) {
		d.fixedBy, d.fixedAt = text(l.fixedBy), t
	}
}

func (s *Summarizer) device(name []byte) *deviceState {
	if d, ok := s.devices[string(name)]; ok {
		return d
	}
	n := text(name)
	d := &deviceState{latest: DeviceResult{Device: n}, lastWindow: -1 << 62}
	s.devices[string(name)] = d
	return d
}

// symptom counts a report of the symptom by d at t in every window that
// holds t and that d has not counted in yet.
func (s *Summarizer) symptom(d *deviceState, t time.Time) {
	b := t.UnixNano() / s.width
	if t.UnixNano() < 0 {
		b-- // floor
	}
	for w := max(b-spikeSteps+1, d.lastWindow+1); w <= b; w++ {
		s.windows[w]++
	}
	d.lastWindow = max(d.lastWindow, b)
}

// Summary returns the summary of the logs added so far.
func (s *Summarizer) Summary() *Summary {
	out := s.sum
	out.Outcomes, out.FixedBy = map[string]int{}, map[string]int{}
	out.Devices, out.Escalations, out.Blocked = []DeviceResult{}, []DeviceResult{}, []BlockCount{}
	out.Refused = maps.Clone(s.refused)
	for _, d := range s.devices {
		if d.fixedBy != "" {
			out.FixedBy[d.fixedBy]++
		}
		if !d.seen {
			continue // facts, but no run.end yet
		}
		out.Devices = append(out.Devices, d.latest)
		out.Outcomes[d.latest.Outcome]++
		if d.latest.Outcome == "escalate" || d.latest.Outcome == "blocked" {
			out.Escalations = append(out.Escalations, d.latest)
		}
	}
	byDevice := func(a, b DeviceResult) int { return cmp.Compare(a.Device, b.Device) }
	slices.SortFunc(out.Devices, byDevice)
	slices.SortFunc(out.Escalations, byDevice)
	for k, n := range s.blocked {
		out.Blocked = append(out.Blocked, BlockCount{Rule: k[0], Step: k[1], Count: n})
	}
	slices.SortFunc(out.Blocked, func(a, b BlockCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Step, b.Step))
	})

	sp := Spike{Threshold: s.opts.SpikeDevices, Window: s.opts.SpikeWindow.String()}
	best, bestN := int64(0), 0
	for w, n := range s.windows {
		if n > bestN || n == bestN && w < best {
			best, bestN = w, n
		}
	}
	if bestN > 0 {
		sp.Devices = bestN
		sp.From = time.Unix(0, best*s.width).UTC()
		sp.To = sp.From.Add(time.Duration(spikeSteps * s.width))
	}
	if bestN >= s.opts.SpikeDevices {
		sp.Detected, sp.Advice = true, SpikeAdvice
	}
	out.Spike = sp
	return &out
}

// hasHashTail reports whether a line ends as every caafix line does:
// ,"hash":"<64 hex digits>"}. A line cut short fails here.
func hasHashTail(line []byte) bool {
	const tail = len(hashMarker) + 64 + 2
	return len(line) > tail && bytes.HasSuffix(line, []byte(`"}`)) &&
		string(line[len(line)-tail:len(line)-tail+len(hashMarker)]) == hashMarker
}

func parseTime(raw []byte) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, string(raw))
	return t, err == nil
}
