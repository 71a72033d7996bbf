package audit

import (
	"bytes"
	"encoding/json"
)

// sumLine is what the summary reads from one line: raw string contents
// (between the quotes, escapes not yet undone) of the few members it uses.
// Everything else is skipped without being decoded.
type sumLine struct {
	schema                     bool // "schema":1
	time, event, runID, device []byte
	outcome, fixedBy, message  []byte
	decision, rule, step       []byte
	mode                       []byte // run.start's mode
	symptom                    int8   // symptom.present: -1 absent, 0 false, 1 true
}

// wanted reports whether the summary needs more than the header of an
// event: the others are counted and skipped after their event name.
func wanted(event []byte) bool {
	switch string(event) {
	case "run.start", "runbook.check", "facts", "policy.decision", "run.end":
		return true
	}
	return false
}

// parseSumLine scans one line for the members the summary needs. It is a
// structural scan, not a validator: it checks that the object is well
// formed as far as it reads, and stops after the header of events the
// summary does not use. It reports false for a line that is not a JSON
// object of the expected shape.
func parseSumLine(b []byte, l *sumLine) bool {
	*l = sumLine{symptom: -1}
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i++
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			return true
		}
		ks, ke, next, ok := scanString(b, i)
		if !ok {
			return false
		}
		i = skipWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return false
		}
		key := b[ks:ke]
		var dst *[]byte
		switch string(key) {
		case "schema":
			end := skipScalar(b, i)
			l.schema = string(b[i:end]) == "1"
			i = end
		case "time":
			dst = &l.time
		case "event":
			dst = &l.event
		case "run_id":
			dst = &l.runID
		case "device":
			dst = &l.device
		case "outcome":
			dst = &l.outcome
		case "fixed_by":
			dst = &l.fixedBy
		case "message":
			dst = &l.message
		case "decision":
			dst = &l.decision
		case "rule":
			dst = &l.rule
		case "step":
			dst = &l.step
		case "mode":
			dst = &l.mode
		case "symptom":
			if b[i] == '{' && string(l.event) == "facts" {
				end, present, ok := scanSymptom(b, i)
				if !ok {
					return false
				}
				l.symptom = present
				i = end
				break
			}
			end, ok := skipValue(b, i)
			if !ok {
				return false
			}
			i = end
		default:
			end, ok := skipValue(b, i)
			if !ok {
				return false
			}
			i = end
		}
		if dst != nil {
			if b[i] != '"' {
				return false
			}
			s, e, next, ok := scanString(b, i)
			if !ok {
				return false
			}
			*dst = b[s:e]
			i = next
		}
		// The header (schema, time, event, run_id) comes first in every
		// line: once it is read, an event the summary does not use is done.
		if l.event != nil && l.runID != nil && l.time != nil && !wanted(l.event) {
			return true
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return true
		default:
			return false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// scanString reads the string that starts at b[i] (a quote) and returns
// the bounds of its contents and the index after its closing quote.
func scanString(b []byte, i int) (start, end, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, 0, false
	}
	start = i + 1
	j := start
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, 0, 0, false
		}
		j += k
		// A quote preceded by an odd number of backslashes is escaped.
		n := 0
		for p := j - 1; p >= start && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return start, j, j + 1, true
		}
		j++
	}
}

// skipScalar returns the end of a number or literal starting at b[i].
func skipScalar(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// skipValue returns the index after the JSON value that starts at b[i].
func skipValue(b []byte, i int) (int, bool) {
	switch b[i] {
	case '"':
		_, _, next, ok := scanString(b, i)
		return next, ok
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				_, _, next, ok := scanString(b, i)
				if !ok {
					return 0, false
				}
				i = next
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	}
	end := skipScalar(b, i)
	return end, end > i
}

// scanSymptom reads the facts' symptom object at b[i] for its present
// member.
func scanSymptom(b []byte, i int) (next int, present int8, ok bool) {
	present = -1
	i++ // {
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return 0, 0, false
		}
		if b[i] == '}' {
			return i + 1, present, true
		}
		ks, ke, n, ok := scanString(b, i)
		if !ok {
			return 0, 0, false
		}
		i = skipWS(b, n)
		if i >= len(b) || b[i] != ':' {
			return 0, 0, false
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return 0, 0, false
		}
		if string(b[ks:ke]) == "present" {
			end := skipScalar(b, i)
			switch string(b[i:end]) {
			case "true":
				present = 1
			case "false":
				present = 0
			default:
				return 0, 0, false
			}
			i = end
		} else {
			end, ok := skipValue(b, i)
			if !ok {
				return 0, 0, false
			}
			i = end
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return 0, 0, false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i + 1, present, true
		default:
			return 0, 0, false
		}
	}
}

// text returns the value of a raw JSON string's contents, undoing escapes
// only when there are any.
func text(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var s string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	if json.Unmarshal(q, &s) != nil {
		return string(raw)
	}
	return s
}
