package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// MaxLine is the longest audit line Verify reads.
const MaxLine = 4 << 20

// Report is what Verify found in an intact log.
type Report struct {
	Lines int
	Head  string
	Runs  int
}

// A ChainError names the first broken line of a log.
type ChainError struct {
	File    string
	Line    int
	Problem string
}

func (e *ChainError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Problem) }

// Verify reads a log and checks every line's hash, its link to the line
// before and its sequence number.
func Verify(r io.Reader, name string) (Report, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var rep Report
	prevHash, prevSeq := "", int64(0)
	runs := map[string]bool{}
	for {
		line, err := readLine(br)
		if err == io.EOF {
			break
		}
		rep.Lines++
		bad := func(format string, args ...any) (Report, error) {
			return rep, &ChainError{File: name, Line: rep.Lines, Problem: fmt.Sprintf(format, args...)}
		}
		if err != nil {
			return bad("%v", err)
		}
		const marker = `,"hash":"`
		i := bytes.LastIndex(line, []byte(marker))
		if i < 0 || len(line) != i+len(marker)+64+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
			return bad("no hash as the last field: not a caafix audit line, or edited")
		}
		body := append(append([]byte(nil), line[:i]...), '}')
		sum := sha256.Sum256(body)
		got := string(line[i+len(marker) : i+len(marker)+64])
		if hex.EncodeToString(sum[:]) != got {
			return bad("hash does not match the line: the line was edited")
		}
		var ev struct {
			Seq   int64  `json:"seq"`
			Prev  string `json:"prev"`
			RunID string `json:"run_id"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			return bad("not a JSON object: %v", err)
		}
		if rep.Lines == 1 {
			if ev.Prev != "" || ev.Seq != 1 {
				return bad("the first line continues a chain (seq %d): lines before it are missing", ev.Seq)
			}
		} else {
			if ev.Prev != prevHash {
				return bad("prev does not match the hash of line %d: a line was deleted, inserted or moved", rep.Lines-1)
			}
			if ev.Seq != prevSeq+1 {
				return bad("seq %d follows seq %d: a line was deleted, inserted or moved", ev.Seq, prevSeq)
			}
		}
		runs[ev.RunID] = true
		prevHash, prevSeq = got, ev.Seq
	}
	rep.Head, rep.Runs = prevHash, len(runs)
	return rep, nil
}

// VerifyHead checks that the log ends at head, the chain head a run
// printed in its summary line: a log cut short fails here.
func VerifyHead(rep Report, head string) error {
	if rep.Head != head {
		return fmt.Errorf("the log ends at %.12s, not at the expected head %.12s: lines were removed from its end", rep.Head, head)
	}
	return nil
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return line, nil
			}
			return nil, err
		}
		line = append(line, chunk...)
		if len(line) > MaxLine {
			return nil, fmt.Errorf("line longer than %d bytes", MaxLine)
		}
		if !isPrefix {
			return line, nil
		}
	}
}
