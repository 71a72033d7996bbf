package audit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Report is what Verify found in an intact log.
type Report struct {
	File     string // the last file read
	Lines    int    // lines read, in all files
	Runs     int    // runs seen: changes of run_id from one line to the next
	FirstSeq int64  // seq of the first line; above 1 when the log continues a chain
	LastSeq  int64  // seq of the last line
	Head     string // hash of the last line: the chain head
	// Found is VerifyOptions.Head when a line with that hash was found, and
	// FoundAt is where ("file:line").
	Found   string
	FoundAt string
}

// VerifyOptions loosen or extend what Verify checks.
type VerifyOptions struct {
	// AllowContinuation accepts a first line that continues a chain whose
	// earlier lines are elsewhere (a rotated backup, or one pruned away):
	// any seq, and any prev. Without it the first line must have seq 1 and
	// an empty prev.
	AllowContinuation bool
	// Head is a chain head recorded elsewhere, such as a run's summary
	// line. Verify notes the line that has it, for [VerifyHead]: a head
	// in the middle of the log is fine when later runs wrote on.
	Head string
}

// Verify reads a log to its end and checks every line: a JSON object whose
// last member is hash and matches the line, whose prev is the hash of the
// line before (empty on the first line) and whose seq is one more than the
// line before's (1 on the first line). name labels errors. The first
// broken line ends the check with a [*ChainError]; the report covers the
// lines before it.
//
// Verify cannot see lines cut from the end of a log; [VerifyHead] can,
// given the head that the run recorded elsewhere.
func Verify(r io.Reader, name string) (Report, error) {
	return VerifyWith(r, name, VerifyOptions{})
}

// VerifyWith is [Verify] with options.
func VerifyWith(r io.Reader, name string, opts VerifyOptions) (Report, error) {
	v := verifier{opts: opts}
	err := v.file(r, name)
	return v.rep, err
}

// VerifyFiles verifies the files that hold one log, in chain order (as
// [Files] returns them), plain or gzip-compressed: each file's first line
// must continue the last line of the file before. opts apply to the first
// file.
func VerifyFiles(paths []string, opts VerifyOptions) (Report, error) {
	v := verifier{opts: opts}
	if len(paths) == 0 {
		return v.rep, errors.New("no audit log files to verify")
	}
	for _, p := range paths {
		r, err := openLog(p)
		if err != nil {
			return v.rep, err
		}
		err = v.file(r, p)
		r.Close()
		if err != nil {
			return v.rep, err
		}
	}
	return v.rep, nil
}

// VerifyHead checks a verified log against head, the chain head that a run
// recorded outside the log (its summary line, kept by the RMM tool). It
// fails when the log ends before that head, that is when lines were cut
// from its end, which Verify alone cannot see. The head may also be in the
// middle of the log when later runs wrote on, if it was passed as
// VerifyOptions.Head.
func VerifyHead(rep Report, head string) error {
	switch {
	case head == "":
		return errors.New("no chain head to check the log against")
	case head == rep.Head || head == rep.Found:
		return nil
	}
	return &ChainError{File: rep.File, Line: rep.Lines, Problem: fmt.Sprintf(
		"the log ends at head %s, and the expected head %s is not in it: lines were cut from its end, or the head belongs to another log",
		short(rep.Head), short(head))}
}

func short(h string) string {
	if h == "" {
		return `""`
	}
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

type verifier struct {
	opts  VerifyOptions
	rep   Report
	runID string
}

func (v *verifier) file(r io.Reader, name string) error {
	v.rep.File = name
	lr := newLineReader(r)
	for n := 1; ; n++ {
		line, err := lr.next()
		if err == io.EOF {
			return nil
		}
		bad := func(format string, args ...any) error {
			return &ChainError{File: name, Line: n, Problem: fmt.Sprintf(format, args...)}
		}
		if err != nil {
			return bad("%v", err)
		}
		h, hash, problem := parseLine(line)
		if problem != "" && lr.torn {
			return bad("the last line is incomplete (%s): caafix stopped while writing it, as after a power loss; the lines before it are checked, and the next caafix run moves it to %s.torn-TIME and records that with an audit.recovered line", problem, name)
		}
		if problem != "" {
			return bad("%s", problem)
		}
		first := v.rep.Lines == 0
		switch {
		case first && !v.opts.AllowContinuation && (h.seq != 1 || h.prev != ""):
			return bad("the first line has seq %d and a prev: it continues a chain whose earlier lines are missing (verify with the rotated files, or allow a continuation)", h.seq)
		case first && v.opts.AllowContinuation && (h.seq == 1) != (h.prev == ""):
			return bad("seq %d with prev %s: only seq 1 starts a chain", h.seq, short(h.prev))
		case !first && h.prev != v.rep.Head:
			return bad("prev is not the hash of the line before: a line was deleted, inserted or moved here")
		case !first && h.seq != v.rep.LastSeq+1:
			return bad("seq %d follows seq %d: a line was deleted, inserted or moved here", h.seq, v.rep.LastSeq)
		}
		if first {
			v.rep.FirstSeq = h.seq
		}
		if first || h.runID != v.runID {
			v.rep.Runs++
		}
		v.runID = h.runID
		v.rep.Lines++
		v.rep.LastSeq = h.seq
		v.rep.Head = hash
		if v.opts.Head != "" && hash == v.opts.Head {
			v.rep.Found, v.rep.FoundAt = hash, fmt.Sprintf("%s:%d", name, n)
		}
	}
}

// lineReader reads lines of at most MaxLine bytes with bounded memory. It
// drops a final "\r" (a log copied through a tool that wrote CRLF is the
// same log) and a UTF-8 byte order mark, and names a file that PowerShell
// re-encoded as UTF-16.
type lineReader struct {
	br    *bufio.Reader
	buf   []byte
	first bool
	torn  bool // the last line read had no line end
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), first: true}
}

var errUTF16 = errors.New("the file is UTF-16: PowerShell's > or Out-File rewrote it; check the original file, or a copy made with Copy-Item or robocopy")

func (l *lineReader) next() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.buf = append(l.buf, chunk...)
		if len(l.buf) > MaxLine+2 {
			return nil, fmt.Errorf("the line is longer than %d bytes: not a caafix audit line", MaxLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(l.buf) == 0 {
			return nil, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		l.torn = err == io.EOF
		break
	}
	line := l.buf
	if l.first {
		l.first = false
		if bytes.HasPrefix(line, []byte{0xff, 0xfe}) || bytes.HasPrefix(line, []byte{0xfe, 0xff}) {
			return nil, errUTF16
		}
		line = bytes.TrimPrefix(line, []byte{0xef, 0xbb, 0xbf})
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > MaxLine {
		return nil, fmt.Errorf("the line is longer than %d bytes: not a caafix audit line", MaxLine)
	}
	return line, nil
}
