package audit

import (
	"fmt"
	"unicode/utf8"
)

// A Sink receives a copy of every audit line after the file has it, such
// as the Windows Event Log. The file stays the record: a sink that fails
// is reported in the file (event sink.error) and gets no more lines from
// that trail, and the run goes on.
type Sink interface {
	// Name names the sink in sink.error events, e.g. "eventlog".
	Name() string
	// Send delivers one line.
	Send(Line) error
	// Close releases the sink.
	Close() error
}

// Line is one audit line as a sink gets it.
type Line struct {
	Event string // the event name, e.g. step.command
	ID    uint32 // the event ID for this kind of event (docs/audit.md)
	Level Level  // how serious it is, from the event's outcome
	JSON  []byte // the line, without its newline; valid during Send only
}

// Level is a line's severity, as the Windows Event Log knows it.
type Level int

// The levels.
const (
	Info Level = iota
	Warning
	Error
)

func (l Level) String() string {
	return [...]string{"info", "warning", "error"}[l]
}

// EventSource is the Event Log source caafix writes as, in the
// Application log.
const EventSource = "caafix"

// eventIDs are the event IDs of the events, for filtering in Event
// Viewer. They stay within 1 to 1000, the IDs that EventCreate.exe (the
// message file "caafix eventlog install" registers) has messages for.
var eventIDs = map[string]uint32{
	"run.start":       100,
	"facts":           101,
	"policy.decision": 102,
	"step.start":      103,
	"step.command":    104,
	"step.output":     105,
	"step.end":        106,
	"run.end":         107,
	"sink.error":      108,
}

// otherEventID is the ID of an event not in the table.
const otherEventID = 199

// classify returns the event ID and level of e.
func classify(e Event) (uint32, Level) {
	id, ok := eventIDs[e.Name]
	if !ok {
		id = otherEventID
	}
	str := func(k string) string { s, _ := e.Fields[k].(string); return s }
	switch e.Name {
	case "policy.decision":
		if e.Decision == "block" || e.Decision == "skip" {
			return id, Warning
		}
	case "step.output":
		if str("error") != "" {
			return id, Error
		}
	case "step.end":
		switch str("result") {
		case "failed", "blocked", "skipped":
			return id, Warning
		}
	case "run.end":
		switch e.Outcome {
		case "healthy", "fixed":
			return id, Info
		case "not-fixed", "escalate", "blocked", "reboot-pending":
			return id, Warning
		default:
			return id, Error
		}
	case "sink.error":
		return id, Warning
	}
	return id, Info
}

// sinkState is a sink and whether it still gets lines.
type sinkState struct {
	sink Sink
	name string
	err  error // the failure not yet reported in the file
	dead bool
}

// openSinks opens the Event Log when asked for, and takes the given sinks.
// An Event Log that cannot be opened is reported in the file after the
// first line.
func (t *Trail) openSinks(opts Options) {
	if opts.EventLog {
		s, err := openEventLog()
		if err != nil {
			t.sinks = append(t.sinks, &sinkState{name: "eventlog", err: fmt.Errorf("open the Windows Event Log: %w", err), dead: true})
		} else {
			t.sinks = append(t.sinks, &sinkState{sink: s, name: s.Name()})
		}
	}
	for _, s := range opts.Sinks {
		t.sinks = append(t.sinks, &sinkState{sink: s, name: s.Name()})
	}
}

// send copies a written line to the sinks, then records in the file any
// sink that failed.
func (t *Trail) send(e Event, json []byte) error {
	if len(t.sinks) == 0 {
		return nil
	}
	id, level := classify(e)
	for _, s := range t.sinks {
		if s.dead {
			continue
		}
		if err := s.sink.Send(Line{Event: e.Name, ID: id, Level: level, JSON: json}); err != nil {
			s.err, s.dead = err, true
		}
	}
	for _, s := range t.sinks {
		if s.err == nil {
			continue
		}
		err := s.err
		s.err = nil
		if werr := t.write(Event{Name: "sink.error", Reason: "the sink gets no more lines from this run; this file holds the full record",
			Fields: map[string]any{"sink": s.name, "error": err.Error()}}); werr != nil {
			return werr
		}
	}
	return nil
}

func (t *Trail) closeSinks() {
	for _, s := range t.sinks {
		if s.sink != nil {
			// Nothing is left to record a failure in: the file is closed.
			_ = s.sink.Close()
		}
	}
	t.sinks = nil
}

// MaxEventLogText is the most the Windows Event Log takes in one string
// of an event (31,839 characters); longer lines are cut there, marked.
const MaxEventLogText = 31839

// eventLogText is the message for a line: the JSON line itself, cut on a
// character boundary when it is too long for the Event Log.
func eventLogText(json []byte) string {
	const mark = "… (cut: the full line is in the audit log file)"
	if utf8.RuneCount(json) <= MaxEventLogText {
		return string(json)
	}
	keep := MaxEventLogText - utf8.RuneCountInString(mark)
	i, n := 0, 0
	for i < len(json) && n < keep {
		_, size := utf8.DecodeRune(json[i:])
		i += size
		n++
	}
	return string(json[:i]) + mark
}
