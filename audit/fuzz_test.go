package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// FuzzVerify: any input gives a report or a ChainError, never a panic, and
// a log Verify accepts is one Scan can read line by line.
func FuzzVerify(f *testing.F) {
	// Small seeds: the engine minimises every new input, and a whole
	// run's log makes that slow.
	good := join(lines(logOf(f, 2))[6:9]...)
	f.Add(good)
	f.Add(join(lines(logOf(f, 1))[:2]...))
	f.Add(good[:len(good)/2])
	f.Add([]byte("garbage\n"))
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"hash":"` + "\n"))
	f.Add(bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")))
	f.Add(append([]byte{0xff, 0xfe}, good...))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []VerifyOptions{{}, {AllowContinuation: true, Head: "x"}} {
			rep, err := VerifyWith(bytes.NewReader(data), "fuzz", opts)
			if err != nil {
				var ce *ChainError
				if !errors.As(err, &ce) {
					t.Fatalf("error %v is not a ChainError", err)
				}
				continue
			}
			n := 0
			if err := Scan(bytes.NewReader(data), func([]byte, map[string]any) error { n++; return nil }); err != nil || n != rep.Lines {
				t.Fatalf("Verify read %d lines, Scan %d: %v", rep.Lines, n, err)
			}
		}
	})
}

// FuzzWriteVerify: whatever text an event carries, the line it makes
// verifies and reads back as one JSON object.
func FuzzWriteVerify(f *testing.F) {
	f.Add("w32tm /resync /force", "reason", "key", "value", true)
	f.Add("\"},\"hash\":\"", "\n\r\x00", "user", "alex@contoso.com", true)
	f.Add("\xff\xfe", "\u2028", "ü", "<&>", false)
	f.Fuzz(func(t *testing.T, command, reason, key, value string, redact bool) {
		var buf bytes.Buffer
		opts := Options{Stdout: &buf, Now: func() time.Time { return time.Unix(0, 0) }}
		if redact {
			opts.RedactUsers, opts.RedactKey = true, testKey
		}
		tr, err := Open("-", opts)
		if err != nil {
			t.Fatal(err)
		}
		tr.SetRun(Run{ID: reason, Device: value})
		for range 2 {
			err := tr.Write(Event{Name: "step.command", Command: command, Reason: reason, Fields: map[string]any{key: value}})
			if err != nil {
				if key == "" || IsReserved(key) {
					return
				}
				t.Fatal(err)
			}
		}
		rep, err := Verify(&buf, "fuzz")
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.Bytes())
		}
		if rep.Lines != 2 || rep.Head != tr.Head() {
			t.Fatalf("report %+v", rep)
		}
		if err := Scan(bytes.NewReader(buf.Bytes()), func(line []byte, ev map[string]any) error {
			if !json.Valid(line) {
				t.Fatalf("invalid JSON %q", line)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}
