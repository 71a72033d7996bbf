package audit

import (
	"bytes"
	"encoding/json"
	"io"
)

// Scan calls fn for each line of a log with the line (without its newline)
// and the line decoded into a map, numbers as json.Number. It reads with
// bounded memory, checks no hashes (that is [Verify]'s job) and stops at
// the first line that is not a JSON object, with a [*ChainError], or at
// the first error fn returns, which it returns as is. line and ev are only
// valid during the call.
func Scan(r io.Reader, fn func(line []byte, ev map[string]any) error) error {
	lr := newLineReader(r)
	for n := 1; ; n++ {
		line, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &ChainError{Line: n, Problem: err.Error()}
		}
		var ev map[string]any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if !json.Valid(line) || dec.Decode(&ev) != nil || ev == nil {
			return &ChainError{Line: n, Problem: "not a JSON object: not a caafix audit line, or damaged"}
		}
		if err := fn(line, ev); err != nil {
			return err
		}
	}
}
