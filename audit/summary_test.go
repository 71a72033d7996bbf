package audit

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeLog writes runs into a new log at path with the real trail.
func writeLog(tb testing.TB, path string, runs ...fleetRun) {
	tb.Helper()
	c := &stepClock{t: t0}
	tr, err := Open(path, Options{Now: c.now})
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range runs {
		writeRun(tb, tr, c, r)
	}
	if err := tr.Close(); err != nil {
		tb.Fatal(err)
	}
}

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

var leaveBlocked = [2]string{"dangerous-needs-consent", "leave-entra"}

func healthy(dev string, min int) fleetRun {
	return fleetRun{device: dev, id: fmt.Sprintf("%s-%d-h", dev, min), at: at(min), outcome: "healthy", blocks: [][2]string{leaveBlocked}}
}

func fixed(dev string, min int, by string) fleetRun {
	return fleetRun{device: dev, id: fmt.Sprintf("%s-%d-f", dev, min), at: at(min), symptom: true, outcome: "fixed", fixedBy: by, blocks: [][2]string{leaveBlocked}}
}

func escalated(dev string, min int, outcome, msg string) fleetRun {
	return fleetRun{device: dev, id: fmt.Sprintf("%s-%d-e", dev, min), at: at(min), symptom: true, outcome: outcome, message: msg,
		blocks: [][2]string{leaveBlocked, {"hybrid-joined", "office-repair"}}}
}

// spread returns runs of n devices with the symptom, every minutes apart.
func spread(n, every int) []fleetRun {
	var runs []fleetRun
	for i := range n {
		runs = append(runs, fixed(fmt.Sprintf("PC-%04d", i), i*every, "wam-cache"))
	}
	return runs
}

// brief is the part of a summary the table tests compare.
type brief struct {
	Lines, Skipped, Runs, NoDevice int64
	ReadOnly                       int64
	Latest                         string // device=outcome, sorted by device
	Outcomes, FixedBy              string
	Blocked                        string // rule/step=count
	Escalations                    string // device=message
	Spike                          bool
	SpikeDevices                   int
}

func briefOf(s *Summary) brief {
	b := brief{Lines: s.Lines, Skipped: s.Skipped, Runs: s.Runs, NoDevice: s.RunsWithoutDevice, ReadOnly: s.ReadOnlyRuns, Spike: s.Spike.Detected, SpikeDevices: s.Spike.Devices}
	var parts []string
	for _, d := range s.Devices {
		parts = append(parts, d.Device+"="+d.Outcome)
	}
	b.Latest = strings.Join(parts, " ")
	b.Outcomes, b.FixedBy = countsOf(s.Outcomes), countsOf(s.FixedBy)
	parts = nil
	for _, x := range s.Blocked {
		parts = append(parts, fmt.Sprintf("%s/%s=%d", x.Rule, x.Step, x.Count))
	}
	b.Blocked = strings.Join(parts, " ")
	parts = nil
	for _, e := range s.Escalations {
		parts = append(parts, e.Device+"="+e.Message)
	}
	b.Escalations = strings.Join(parts, " ")
	return b
}

func countsOf(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		runs    []fleetRun
		garbage string // lines appended to the log
		opts    SummaryOptions
		want    brief
	}{
		{
			name: "latest run per device decides its outcome",
			runs: []fleetRun{
				escalated("PC-A", 0, "escalate", "call IT"),
				fixed("PC-A", 30, "wam-cache"),
				healthy("PC-B", 10),
			},
			want: brief{Runs: 3, Latest: "PC-A=fixed PC-B=healthy", Outcomes: "fixed=1 healthy=1", FixedBy: "wam-cache=1",
				Blocked: "dangerous-needs-consent/leave-entra=3 hybrid-joined/office-repair=1", SpikeDevices: 1},
		},
		{
			name: "read-only runs (Intune's hourly detect, a plan) are no device's outcome and block nothing",
			runs: []fleetRun{
				escalated("PC-A", 0, "escalate", "call IT"),
				func() fleetRun {
					r := escalated("PC-A", 60, "not-fixed", "")
					r.id, r.mode = "PC-A-60-plan", "plan"
					return r
				}(),
				func() fleetRun { r := healthy("PC-B", 60); r.mode = "collect"; return r }(),
			},
			want: brief{Runs: 3, ReadOnly: 2, Latest: "PC-A=escalate", Outcomes: "escalate=1",
				Blocked: "dangerous-needs-consent/leave-entra=1 hybrid-joined/office-repair=1", Escalations: "PC-A=call IT", SpikeDevices: 1},
		},
		{
			name: "latest is by time, not by position in the log",
			runs: []fleetRun{
				fixed("PC-A", 30, "wam-cache"),
				escalated("PC-A", 0, "escalate", "call IT"),
			},
			want: brief{Runs: 2, Latest: "PC-A=fixed", Outcomes: "fixed=1", FixedBy: "wam-cache=1",
				Blocked: "dangerous-needs-consent/leave-entra=2 hybrid-joined/office-repair=1", SpikeDevices: 1},
		},
		{
			name: "escalations carry their message",
			runs: []fleetRun{
				escalated("PC-A", 0, "escalate", "Conditional Access blocks the device: \"compliance\"\ncheck Intune"),
				escalated("PC-B", 5, "blocked", "persists after the allowed fixes"),
				fixed("PC-C", 5, "clock"),
				fixed("PC-D", 5, "wam-cache"),
				fixed("PC-E", 5, "wam-cache"),
			},
			want: brief{Runs: 5, Latest: "PC-A=escalate PC-B=blocked PC-C=fixed PC-D=fixed PC-E=fixed",
				Outcomes: "fixed=3 blocked=1 escalate=1", FixedBy: "wam-cache=2 clock=1",
				Blocked:     "dangerous-needs-consent/leave-entra=5 hybrid-joined/office-repair=2",
				Escalations: "PC-A=Conditional Access blocks the device: \"compliance\"\ncheck Intune PC-B=persists after the allowed fixes", SpikeDevices: 5},
		},
		{
			name: "a run that ends before its facts has no device",
			runs: []fleetRun{{id: "r1", at: at(0)}, healthy("PC-A", 1)},
			want: brief{Runs: 2, NoDevice: 1, Latest: "PC-A=healthy", Outcomes: "healthy=1", Blocked: "dangerous-needs-consent/leave-entra=1"},
		},
		{
			name:    "lines that are not caafix events are counted and skipped",
			runs:    []fleetRun{healthy("PC-A", 0)},
			garbage: "hello\n{\"a\":1}\n" + `{"schema":2,"time":"2026-11-28T08:00:00.000000000Z","event":"run.end","run_id":"x","seq":1,"prev":"","hash":"` + strings.Repeat("0", 64) + "\"}\n" + `{"schema":1,"time":"2026-11-28T08:00:00Z","event":"run.e` + "\n\n",
			want:    brief{Skipped: 4, Runs: 1, Latest: "PC-A=healthy", Outcomes: "healthy=1", Blocked: "dangerous-needs-consent/leave-entra=1"},
		},
		{
			name: "ten devices within the hour are a spike",
			runs: spread(10, 5),
			want: brief{Runs: 10, Latest: "PC-0000=fixed PC-0001=fixed PC-0002=fixed PC-0003=fixed PC-0004=fixed PC-0005=fixed PC-0006=fixed PC-0007=fixed PC-0008=fixed PC-0009=fixed",
				Outcomes: "fixed=10", FixedBy: "wam-cache=10", Blocked: "dangerous-needs-consent/leave-entra=10", Spike: true, SpikeDevices: 10},
		},
		{
			name: "ten devices over five hours are no spike",
			runs: spread(10, 30),
			want: brief{Runs: 10, Latest: "PC-0000=fixed PC-0001=fixed PC-0002=fixed PC-0003=fixed PC-0004=fixed PC-0005=fixed PC-0006=fixed PC-0007=fixed PC-0008=fixed PC-0009=fixed",
				Outcomes: "fixed=10", FixedBy: "wam-cache=10", Blocked: "dangerous-needs-consent/leave-entra=10", SpikeDevices: 2},
		},
		{
			name: "one device reporting many times is no spike",
			runs: []fleetRun{fixed("PC-A", 0, "clock"), fixed("PC-A", 1, "clock"), fixed("PC-A", 2, "clock"), escalated("PC-A", 3, "escalate", "x")},
			opts: SummaryOptions{SpikeDevices: 2},
			want: brief{Runs: 4, Latest: "PC-A=escalate", Outcomes: "escalate=1", FixedBy: "clock=1", Escalations: "PC-A=x",
				Blocked: "dangerous-needs-consent/leave-entra=4 hybrid-joined/office-repair=1", SpikeDevices: 1},
		},
		{
			name: "the threshold and window are options",
			runs: spread(3, 20),
			opts: SummaryOptions{SpikeDevices: 3, SpikeWindow: 2 * time.Hour},
			want: brief{Runs: 3, Latest: "PC-0000=fixed PC-0001=fixed PC-0002=fixed", Outcomes: "fixed=3", FixedBy: "wam-cache=3",
				Blocked: "dangerous-needs-consent/leave-entra=3", Spike: true, SpikeDevices: 3},
		},
		{
			name: "a run that ends unhealthy reports the symptom without it in its facts",
			runs: []fleetRun{
				{device: "PC-A", id: "a", at: at(0), outcome: "host-error"},
				{device: "PC-B", id: "b", at: at(1), outcome: "not-fixed"},
				healthy("PC-C", 2),
			},
			opts: SummaryOptions{SpikeDevices: 2},
			want: brief{Runs: 3, Latest: "PC-A=host-error PC-B=not-fixed PC-C=healthy", Outcomes: "healthy=1 host-error=1 not-fixed=1", Blocked: "dangerous-needs-consent/leave-entra=1", Spike: true, SpikeDevices: 2},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			writeLog(t, path, c.runs...)
			data := readFile(t, path)
			c.want.Lines = int64(bytes.Count(data, []byte("\n")))
			data = append(data, c.garbage...)
			got, err := Summarize(bytes.NewReader(data), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if g := briefOf(got); g != c.want {
				t.Errorf("got  %+v\nwant %+v", g, c.want)
			}
		})
	}
}

func TestSummarizeSpikeWindow(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	writeLog(t, path, spread(10, 5)...)
	got, err := SummarizePaths([]string{path}, SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sp := got.Spike
	if !sp.Detected || sp.Advice != SpikeAdvice || sp.Threshold != DefaultSpikeDevices || sp.Window != "1h0m0s" {
		t.Fatalf("spike %+v", sp)
	}
	// The ten reports span 45 minutes from 08:00; the window holds them all
	// and is no longer than an hour.
	first, last := at(0), at(45)
	if sp.From.After(first) || !sp.To.After(last) || sp.To.Sub(sp.From) != time.Hour {
		t.Errorf("window %s to %s does not hold %s to %s", sp.From, sp.To, first, last)
	}
	var text bytes.Buffer
	if err := got.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "spike: 10 devices reported the symptom between 2026-11-28T") ||
		!strings.Contains(text.String(), "likely tenant-side: escalate to the tenant administrator") {
		t.Errorf("text:\n%s", text.String())
	}
}

func TestSummarizeGzipAndDirectories(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeLog(t, filepath.Join(dir, "a", "audit.jsonl"), fixed("PC-A", 0, "wam-cache"))
	writeLog(t, filepath.Join(dir, "b", "deep", "caafix.log"), healthy("PC-B", 1))
	writeLog(t, filepath.Join(dir, "c.jsonl"), escalated("PC-C", 2, "escalate", "call IT"))

	// A gzip copy of another device's log, and a file the summary ignores.
	plain := filepath.Join(t.TempDir(), "d.jsonl")
	writeLog(t, plain, fixed("PC-D", 3, "clock"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(readFile(t, plain))
	zw.Close()
	if err := writeFile(filepath.Join(dir, "b", "d.jsonl.gz"), gz.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(dir, "notes.txt"), []byte("not a log\n")); err != nil {
		t.Fatal(err)
	}

	got, err := SummarizePaths([]string{dir}, SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b := briefOf(got); got.Files != 4 || got.Skipped != 0 || b.Latest != "PC-A=fixed PC-B=healthy PC-C=escalate PC-D=fixed" || b.FixedBy != "clock=1 wam-cache=1" {
		t.Errorf("files %d, skipped %d, %+v", got.Files, got.Skipped, b)
	}

	// A gzip stream given directly, detected by its magic bytes.
	one, err := Summarize(bytes.NewReader(gz.Bytes()), SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b := briefOf(one); b.Latest != "PC-D=fixed" {
		t.Errorf("gzip: %+v", b)
	}

	if _, err := SummarizePaths([]string{t.TempDir()}, SummaryOptions{}); err == nil || !strings.Contains(err.Error(), "no audit logs") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestSummarizeInput(t *testing.T) {
	t.Parallel()
	log := logOf(t, 2)
	cases := []struct {
		name    string
		data    []byte
		lines   int64
		skipped int64
		err     string
	}{
		{"CRLF line ends and a byte order mark are accepted", append([]byte{0xef, 0xbb, 0xbf}, bytes.ReplaceAll(log, []byte("\n"), []byte("\r\n"))...), 16, 0, ""},
		{"a last line without newline is read", bytes.TrimSuffix(log, []byte("\n")), 16, 0, ""},
		{"a line cut short is skipped", log[:len(log)-10], 15, 1, ""},
		{"a line over the limit is skipped", append(bytes.Repeat([]byte("x"), MaxLine+10), append([]byte("\n"), log...)...), 16, 1, ""},
		{"UTF-16 is an error", []byte{0xff, 0xfe, '{', 0}, 0, 0, "UTF-16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Summarize(bytes.NewReader(c.data), SummaryOptions{})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Lines != c.lines || got.Skipped != c.skipped {
				t.Errorf("lines %d skipped %d, want %d %d", got.Lines, got.Skipped, c.lines, c.skipped)
			}
		})
	}
}

func TestSummaryJSON(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	writeLog(t, path, fixed("PC-A", 0, "wam-cache"), escalated("PC-B", 1, "blocked", "persists"))
	s, err := SummarizePaths([]string{path}, SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if bytes.Count(buf.Bytes(), []byte("\n")) != 1 || briefOf(&back) != briefOf(s) {
		t.Errorf("round trip:\n%s", buf.String())
	}
}

// TestSumLineAgrees checks the hand-rolled scan against encoding/json on
// every line of a real log.
func TestSumLineAgrees(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	writeLog(t, path, escalated("PC-\"A\"", 0, "escalate", "tab\there \\ \u00e9"), fixed("PC-B", 1, "wam-cache"))
	data := readFile(t, path)
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		checkSumLine(t, line)
		n++
	}
	if n < 20 {
		t.Fatalf("only %d lines", n)
	}
}

func checkSumLine(t *testing.T, line []byte) {
	t.Helper()
	var l sumLine
	ok := parseSumLine(line, &l)
	var want struct {
		Event, RunID, Device, Outcome, FixedBy, Message, Decision, Rule, Step string
		Symptom                                                               *struct{ Present bool }
	}
	if err := json.Unmarshal(line, &want); err != nil {
		return
	}
	// json.Unmarshal matches keys case-insensitively; map the snake_case ones.
	var raw map[string]json.RawMessage
	json.Unmarshal(line, &raw)
	json.Unmarshal(raw["run_id"], &want.RunID)
	json.Unmarshal(raw["fixed_by"], &want.FixedBy)
	if !ok {
		t.Fatalf("scan refused a caafix line: %s", line)
	}
	if text(l.event) != want.Event || text(l.runID) != want.RunID {
		t.Errorf("header %q %q, want %q %q", l.event, l.runID, want.Event, want.RunID)
	}
	if !wanted(l.event) {
		return
	}
	got := []string{text(l.device), text(l.outcome), text(l.fixedBy), text(l.message), text(l.decision), text(l.rule), text(l.step)}
	exp := []string{want.Device, want.Outcome, want.FixedBy, want.Message, want.Decision, want.Rule, want.Step}
	if strings.Join(got, "|") != strings.Join(exp, "|") {
		t.Errorf("got %q\nwant %q", got, exp)
	}
	if want.Symptom != nil && want.Event == "facts" && (l.symptom == 1) != want.Symptom.Present {
		t.Errorf("symptom %d, want %v", l.symptom, want.Symptom.Present)
	}
}

func FuzzSummarize(f *testing.F) {
	for _, line := range lines(logOf(f, 1)) {
		f.Add(line)
	}
	f.Add([]byte(`{"schema":1,"symptom":{"present":tru`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Summarize(bytes.NewReader(data), SummaryOptions{})
		if err != nil {
			if !strings.Contains(err.Error(), "UTF-16") && !strings.Contains(err.Error(), "gzip") {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if n := int64(bytes.Count(data, []byte("\n")) + 1); s.Lines+s.Skipped > n {
			t.Fatalf("%d events and %d skipped in %d lines", s.Lines, s.Skipped, n)
		}
	})
}
