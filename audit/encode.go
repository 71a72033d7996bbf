package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Schema is the version of the line format. A reader that finds a higher
// one must not guess at its meaning.
const Schema = 1

// MaxLine is the longest audit line, in bytes without its newline. Write
// refuses a longer event and Verify and Scan reject a longer line, so
// reading a log needs bounded memory.
const MaxLine = 1 << 20

// timeLayout is RFC 3339 in UTC with a fixed nine-digit fraction: every
// time has the same width, so the text sorts like the instants.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// hashMarker starts the last member of every line.
const hashMarker = `,"hash":"`

// reserved are the keys the trail writes itself; Event.Fields may not use
// them, so no line carries a key twice.
var reserved = map[string]bool{
	"schema": true, "time": true, "event": true, "run_id": true, "seq": true,
	"device": true, "runbook": true, "runbook_version": true, "runbook_sha256": true, "signer": true,
	"step": true, "uses": true, "decision": true, "rule": true, "reason": true, "command": true,
	"exit_code": true, "duration_ms": true, "outcome": true, "rollback": true,
	"prev": true, "hash": true,
}

// IsReserved reports whether key is written by the trail itself and so may
// not appear in [Event.Fields].
func IsReserved(key string) bool { return reserved[key] }

var eventName = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$`)

// encode returns the line for e, newline included, and its hash. It changes
// nothing in t: an event that cannot be encoded leaves the trail usable.
func (t *Trail) encode(e Event) ([]byte, string, error) {
	if !eventName.MatchString(e.Name) {
		return nil, "", fmt.Errorf("audit event %q: the name must be lower-case words joined by dots, such as step.start", e.Name)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		if k == "" || reserved[k] {
			return nil, "", fmt.Errorf("audit event %s: field %q is reserved: use the Event field of that name", e.Name, k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	raw := make([][]byte, len(keys))
	for i, k := range keys {
		b, err := t.fieldJSON(k, e.Fields[k])
		if err != nil {
			return nil, "", fmt.Errorf("audit event %s: field %s: %w", e.Name, k, err)
		}
		raw[i] = b
	}

	t.buf.Reset()
	ev := t.zl.Log()
	if ev == nil {
		return nil, "", errors.New("audit event " + e.Name + ": zerolog's global level disables the audit trail; never set it to Disabled")
	}
	text := t.red.text
	str := func(k, v string) {
		if v != "" {
			ev.Str(k, text(v))
		}
	}
	ev.Int("schema", Schema).
		Str("time", t.now().UTC().Format(timeLayout)).
		Str("event", e.Name).
		Str("run_id", t.run.ID).
		Int64("seq", t.seq+1)
	str("device", t.run.Device)
	str("runbook", t.run.Runbook)
	if t.run.Version != 0 {
		ev.Int("runbook_version", t.run.Version)
	}
	str("runbook_sha256", t.run.SHA256)
	str("signer", t.run.Signer)
	str("step", e.Step)
	str("uses", e.Uses)
	str("decision", e.Decision)
	str("rule", e.Rule)
	str("reason", e.Reason)
	str("command", e.Command)
	if e.ExitCode != nil {
		ev.Int("exit_code", *e.ExitCode)
	}
	if e.DurationMs != nil {
		ev.Int64("duration_ms", *e.DurationMs)
	}
	str("outcome", e.Outcome)
	str("rollback", e.Rollback)
	for i, k := range keys {
		ev.RawJSON(k, raw[i])
	}
	ev.Str("prev", t.head).Send()

	body := bytes.TrimSuffix(t.buf.Bytes(), []byte("\n"))
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		// zerolog built with the binary_log tag writes CBOR.
		return nil, "", errors.New("audit event " + e.Name + ": zerolog did not write a JSON object; build caafix without the binary_log tag")
	}
	sum := chainHash(body)
	line := make([]byte, 0, len(body)+len(hashMarker)+64+3)
	line = append(line, body[:len(body)-1]...)
	line = append(line, hashMarker...)
	line = append(line, sum...)
	line = append(line, "\"}\n"...)
	if len(line)-1 > MaxLine {
		return nil, "", fmt.Errorf("audit event %s: the line would be %d bytes, more than the %d a reader accepts; shorten the excerpts", e.Name, len(line)-1, MaxLine)
	}
	return line, sum, nil
}

// fieldJSON encodes one value of Event.Fields: as encoding/json does, map
// keys sorted, but without HTML escaping (commands contain & and <), and
// with users redacted when the trail redacts.
func (t *Trail) fieldJSON(key string, v any) ([]byte, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	return t.red.json(key, b)
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// chainHash is the hash of a line: the lower-case hex SHA-256 of the line's
// JSON object without its hash member (body ends in the object's "}").
func chainHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// splitHash splits a line (no newline) into the object without its hash
// member and the hash. ok is false unless the line ends in
// ,"hash":"<64 lower-case hex>"}.
func splitHash(line []byte) (body []byte, hash string, ok bool) {
	const tail = len(hashMarker) + 64 + 2
	if len(line) < tail+1 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, "", false
	}
	i := len(line) - tail
	if string(line[i:i+len(hashMarker)]) != hashMarker {
		return nil, "", false
	}
	h := line[i+len(hashMarker) : len(line)-2]
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return nil, "", false
		}
	}
	body = make([]byte, i+1)
	copy(body, line[:i])
	body[i] = '}'
	return body, string(h), true
}

// header is what the chain needs from a line.
type header struct {
	seq   int64
	prev  string
	event string
	runID string
}

// parseLine checks one line (without its newline) and returns its header
// and hash, or the problem with it in words for a ChainError.
func parseLine(line []byte) (header, string, string) {
	var h header
	if len(line) == 0 {
		return h, "", "empty line: lines were cut or joined"
	}
	if !json.Valid(line) {
		return h, "", "not a JSON object: not a caafix audit line, or damaged"
	}
	body, hash, ok := splitHash(line)
	if !ok {
		return h, "", `the last member is not "hash" with 64 lower-case hex digits: not a caafix audit line, or edited`
	}
	if chainHash(body) != hash {
		return h, "", "the hash does not match the line: the line was edited after it was written"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return h, "", "not a JSON object"
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return h, "", "not a JSON object"
		}
		key, _ := tok.(string)
		if seen[key] {
			return h, "", fmt.Sprintf("the key %q appears twice", key)
		}
		seen[key] = true
		var val any
		if err := dec.Decode(&val); err != nil {
			return h, "", "not a JSON object"
		}
		var bad bool
		switch key {
		case "hash":
			return h, "", `"hash" appears before the last member`
		case "schema":
			n, ok := val.(json.Number)
			if !ok || n.String() != "1" {
				return h, "", fmt.Sprintf("schema %v: this caafix reads schema %d; use the caafix that wrote the log", val, Schema)
			}
		case "time":
			s, ok := val.(string)
			_, err := time.Parse(time.RFC3339Nano, s)
			bad = !ok || err != nil
		case "event":
			h.event, ok = val.(string)
			bad = !ok || h.event == ""
		case "run_id":
			h.runID, ok = val.(string)
			bad = !ok
		case "seq":
			n, ok := val.(json.Number)
			var err error
			if ok {
				h.seq, err = n.Int64()
			}
			bad = !ok || err != nil || h.seq < 1
		case "prev":
			h.prev, ok = val.(string)
			bad = !ok || (h.prev != "" && !isHash(h.prev))
		}
		if bad {
			return h, "", fmt.Sprintf("%q has a value of the wrong type or form", key)
		}
	}
	for _, k := range []string{"schema", "time", "event", "run_id", "seq", "prev"} {
		if !seen[k] {
			return h, "", fmt.Sprintf("%q is missing", k)
		}
	}
	return h, hash, ""
}

func isHash(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}
