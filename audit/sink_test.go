package audit

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// fakeSink records what it gets, and fails from line failAt on (0: never).
type fakeSink struct {
	lines  []Line
	failAt int
	closed bool
}

var _ Sink = (*fakeSink)(nil)

func (s *fakeSink) Name() string { return "fake" }
func (s *fakeSink) Send(l Line) error {
	if s.failAt > 0 && len(s.lines)+1 >= s.failAt {
		return errors.New("the event log service is stopped")
	}
	l.JSON = bytes.Clone(l.JSON)
	s.lines = append(s.lines, l)
	return nil
}
func (s *fakeSink) Close() error { s.closed = true; return nil }

func TestSinkGetsEveryLine(t *testing.T) {
	t.Parallel()
	sink := &fakeSink{}
	tr, path := openTemp(t, Options{Sinks: []Sink{sink}})
	sampleRun(t, tr, "run-1")
	if err := tr.Write(Event{Name: "policy.decision", Decision: "block"}); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	if !sink.closed {
		t.Error("sink not closed")
	}
	file := lines(readFile(t, path))
	if len(sink.lines) != len(file) {
		t.Fatalf("sink got %d lines, the file has %d", len(sink.lines), len(file))
	}
	want := []struct {
		id    uint32
		level Level
	}{{100, Info}, {101, Info}, {102, Info}, {103, Info}, {104, Info}, {105, Info}, {106, Info}, {107, Info}, {102, Warning}}
	for i, l := range sink.lines {
		if string(l.JSON)+"\n" != string(file[i]) {
			t.Errorf("line %d: the sink got %s, the file has %s", i+1, l.JSON, file[i])
		}
		if l.ID != want[i].id || l.Level != want[i].level {
			t.Errorf("line %d (%s): id %d level %v, want %d %v", i+1, l.Event, l.ID, l.Level, want[i].id, want[i].level)
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		ev    Event
		id    uint32
		level Level
	}{
		{"allowed step is info", Event{Name: "policy.decision", Decision: "allow"}, 102, Info},
		{"skipped step is a warning", Event{Name: "policy.decision", Decision: "skip"}, 102, Warning},
		{"host failure in output is an error", Event{Name: "step.output", Fields: map[string]any{"error": "timeout"}}, 105, Error},
		{"failed step is a warning", Event{Name: "step.end", Fields: map[string]any{"result": "failed"}}, 106, Warning},
		{"fixed step is info", Event{Name: "step.end", Fields: map[string]any{"result": "fixed"}}, 106, Info},
		{"fixed run is info", Event{Name: "run.end", Outcome: "fixed"}, 107, Info},
		{"escalation is a warning", Event{Name: "run.end", Outcome: "escalate"}, 107, Warning},
		{"reboot pending is a warning", Event{Name: "run.end", Outcome: "reboot-pending"}, 107, Warning},
		{"host error is an error", Event{Name: "run.end", Outcome: "host-error"}, 107, Error},
		{"sink failure is a warning", Event{Name: "sink.error"}, 108, Warning},
		{"unknown event", Event{Name: "x.y"}, 199, Info},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			id, level := classify(c.ev)
			if id != c.id || level != c.level {
				t.Errorf("classify = %d %v, want %d %v", id, level, c.id, c.level)
			}
		})
	}
}

// TestFailingSinkIsRecordedAndDropped: a sink that fails never stops the
// run; the file says so once, in the chain, and the sink gets no more.
func TestFailingSinkIsRecordedAndDropped(t *testing.T) {
	t.Parallel()
	bad, good := &fakeSink{failAt: 3}, &fakeSink{}
	tr, path := openTemp(t, Options{Sinks: []Sink{bad, good}})
	sampleRun(t, tr, "run-1")
	tr.Close()
	log := readFile(t, path)
	if rep, err := Verify(bytes.NewReader(log), path); err != nil || rep.Lines != 9 {
		t.Fatalf("verify: %+v %v; want 9 intact lines", rep, err)
	}
	ls := lines(log)
	if !strings.Contains(string(ls[3]), `"event":"sink.error"`) || !strings.Contains(string(ls[3]), `"sink":"fake"`) ||
		!strings.Contains(string(ls[3]), "the event log service is stopped") {
		t.Errorf("line 4 is not the sink error: %s", ls[3])
	}
	if len(bad.lines) != 2 {
		t.Errorf("the failing sink got %d lines after failing", len(bad.lines)-2)
	}
	if len(good.lines) != 9 || good.lines[3].Event != "sink.error" {
		t.Errorf("the other sink got %d lines", len(good.lines))
	}
}

func TestEventLogElsewhereIsRecorded(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the Event Log exists here")
	}
	t.Parallel()
	tr, path := openTemp(t, Options{EventLog: true})
	sampleRun(t, tr, "run-1")
	tr.Close()
	ls := lines(readFile(t, path))
	if len(ls) != 9 || !strings.Contains(string(ls[1]), `"event":"sink.error"`) || !strings.Contains(string(ls[1]), "only on Windows") {
		t.Errorf("want run.start then the sink error, got %d lines:\n%s", len(ls), ls[:2])
	}
	if _, err := InstallEventLog(); err == nil {
		t.Error("InstallEventLog succeeded without an Event Log")
	}
}

func TestEventLogText(t *testing.T) {
	t.Parallel()
	short := []byte(`{"event":"run.start"}`)
	if got := eventLogText(short); got != string(short) {
		t.Errorf("short line changed: %s", got)
	}
	long := []byte(`{"stdout":"` + strings.Repeat("ä", MaxEventLogText) + `"}`)
	got := eventLogText(long)
	if n := utf8.RuneCountInString(got); n != MaxEventLogText || !utf8.ValidString(got) || !strings.HasSuffix(got, "in the audit log file)") {
		t.Errorf("long line: %d characters, valid %v, ends %q", n, utf8.ValidString(got), got[len(got)-30:])
	}
}
