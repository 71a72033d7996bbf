package audit

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/caafix/caafix/outcome"
)

// TestVerifyFindsTampering: each way of damaging a log is caught at the
// right line.
func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	good := logOf(t, 2) // 16 lines
	ls := lines(good)
	edit := func(i int, old, new string) []byte {
		out := make([][]byte, len(ls))
		copy(out, ls)
		out[i] = bytes.Replace(ls[i], []byte(old), []byte(new), 1)
		if bytes.Equal(out[i], ls[i]) {
			t.Fatalf("edit of line %d changed nothing", i+1)
		}
		return join(out...)
	}
	without := func(i int) []byte { return join(append(append([][]byte{}, ls[:i]...), ls[i+1:]...)...) }
	swapped := func(i int) []byte {
		out := append([][]byte{}, ls...)
		out[i], out[i+1] = out[i+1], out[i]
		return join(out...)
	}
	// rehashed rewrites line i with a fresh, valid hash after editing it:
	// the line itself checks out, the next one's prev does not.
	rehashed := func(i int, old, new string) []byte {
		l := bytes.Replace(bytes.TrimSuffix(ls[i], []byte("\n")), []byte(old), []byte(new), 1)
		body, _, _ := splitHash(l)
		l = append(append(body[:len(body)-1:len(body)-1], hashMarker+chainHash(body)+`"}`...), '\n')
		out := append([][]byte{}, ls...)
		out[i] = l
		return join(out...)
	}
	// A hash in upper case: the digits are right, the form is not.
	upper := bytes.TrimSuffix(ls[1], []byte("\n"))
	upper = append(append(upper[:len(upper)-66:len(upper)-66], bytes.ToUpper(upper[len(upper)-66:len(upper)-2])...), `"}`+"\n"...)
	cases := []struct {
		name string
		data []byte
		line int
		want string
	}{
		{"edited field", edit(6, `"reason":"skew within 5m"`, `"reason":"skew within 9m"`), 7, "edited"},
		{"edited decision", edit(2, `"decision":"allow"`, `"decision":"block"`), 3, "edited"},
		{"edited and rehashed line", rehashed(4, "w32tm /resync /force", "w32tm /resync"), 6, "prev is not the hash"},
		{"deleted line", without(5), 6, "prev is not the hash"},
		{"deleted first line", without(0), 1, "continues a chain"},
		{"reordered pair", swapped(3), 4, "prev is not the hash"},
		{"duplicated line", join(append(append([][]byte{}, ls[:4]...), ls[3:]...)...), 5, "prev is not the hash"},
		{"garbage line", join(ls[0], []byte("garbage\n"), ls[1]), 2, "not a JSON object"},
		{"empty line", join(ls[0], []byte("\n"), ls[1]), 2, "empty line"},
		{"JSON but not ours", join(ls[0], []byte(`{"event":"x"}`+"\n")), 2, `last member is not "hash"`},
		{"hash in capitals", join(ls[0], upper), 2, "lower-case hex"},
		{"line cut in the middle", good[:len(good)-40], 16, "the last line is incomplete (not a JSON object"},
		{"second log appended", join(good, good), 17, "prev is not the hash"},
		{"UTF-16 from PowerShell redirection", append([]byte{0xff, 0xfe}, good...), 1, "UTF-16"},
		{"line over the limit", append(bytes.Repeat([]byte("x"), MaxLine+10), '\n'), 1, "longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Verify(bytes.NewReader(c.data), "audit.jsonl")
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v, want a ChainError", err)
			}
			if ce.File != "audit.jsonl" || ce.Line != c.line || !strings.Contains(ce.Problem, c.want) {
				t.Errorf("error = %v, want line %d about %q", err, c.line, c.want)
			}
			if outcome.Of(err) != outcome.Trust {
				t.Errorf("outcome %v, want trust-error", outcome.Of(err))
			}
		})
	}
}

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	good := logOf(t, 1)
	cases := []struct {
		name  string
		data  []byte
		lines int
	}{
		{"empty log", nil, 0},
		{"CRLF line ends", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), 8},
		{"UTF-8 byte order mark", append([]byte{0xef, 0xbb, 0xbf}, good...), 8},
		{"no final newline", bytes.TrimSuffix(good, []byte("\n")), 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Verify(bytes.NewReader(c.data), "x")
			if err != nil || rep.Lines != c.lines {
				t.Errorf("report %+v, %v; want %d lines", rep, err, c.lines)
			}
		})
	}
}

// TestVerifyHead: a log cut at its end still chains; only the head that
// the run recorded elsewhere shows the loss.
func TestVerifyHead(t *testing.T) {
	t.Parallel()
	good := logOf(t, 2)
	ls := lines(good)
	full, err := Verify(bytes.NewReader(good), "x")
	if err != nil {
		t.Fatal(err)
	}
	firstRunHead := full.Head
	if r, err := Verify(bytes.NewReader(join(ls[:8]...)), "x"); err == nil {
		firstRunHead = r.Head
	}
	cases := []struct {
		name string
		data []byte
		opts VerifyOptions
		head string
		ok   bool
	}{
		{"intact log ends at the head", good, VerifyOptions{}, full.Head, true},
		{"truncated log misses the head", join(ls[:15]...), VerifyOptions{}, full.Head, false},
		{"truncated at a run boundary", join(ls[:8]...), VerifyOptions{}, full.Head, false},
		{"wrong head", good, VerifyOptions{}, strings.Repeat("0", 64), false},
		{"no head", good, VerifyOptions{}, "", false},
		{"earlier run's head found in the middle", good, VerifyOptions{Head: firstRunHead}, firstRunHead, true},
		{"earlier run's head not searched for", good, VerifyOptions{}, firstRunHead, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep, err := VerifyWith(bytes.NewReader(c.data), "x", c.opts)
			if err != nil {
				t.Fatalf("the chain itself must verify: %v", err)
			}
			err = VerifyHead(rep, c.head)
			if (err == nil) != c.ok {
				t.Errorf("VerifyHead = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestVerifyFilesLinks(t *testing.T) {
	t.Parallel()
	ls := lines(logOf(t, 1))
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := dir + "/" + name
		if err := writeFile(p, data); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a", join(ls[:4]...))
	b := write("b", join(ls[4:]...))
	gap := write("gap", join(ls[5:]...))
	if rep, err := VerifyFiles([]string{a, b}, VerifyOptions{}); err != nil || rep.Lines != 8 || rep.Runs != 1 {
		t.Errorf("a then b: %+v, %v", rep, err)
	}
	_, err := VerifyFiles([]string{a, gap}, VerifyOptions{})
	var ce *ChainError
	if !errors.As(err, &ce) || ce.File != gap || ce.Line != 1 {
		t.Errorf("a then a file with a gap: %v", err)
	}
	if _, err := VerifyFiles([]string{b, a}, VerifyOptions{AllowContinuation: true}); err == nil {
		t.Error("files out of order verified")
	}
	if _, err := VerifyFiles(nil, VerifyOptions{}); err == nil {
		t.Error("no files verified")
	}
}

func TestScan(t *testing.T) {
	t.Parallel()
	good := logOf(t, 1)
	var events []string
	err := Scan(bytes.NewReader(good), func(line []byte, ev map[string]any) error {
		events = append(events, ev["event"].(string))
		if !bytes.HasSuffix(line, []byte(`"}`)) {
			t.Errorf("line %q", line)
		}
		return nil
	})
	if err != nil || len(events) != 8 || events[0] != "run.start" || events[7] != "run.end" {
		t.Errorf("events %v, %v", events, err)
	}
	err = Scan(bytes.NewReader(append(append([]byte{}, good...), "[1]\n"...)), func([]byte, map[string]any) error { return nil })
	var ce *ChainError
	if !errors.As(err, &ce) || ce.Line != 9 {
		t.Errorf("a non-object line: %v", err)
	}
	stop := errors.New("stop")
	n := 0
	if err := Scan(bytes.NewReader(good), func([]byte, map[string]any) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("fn's error: %v after %d lines", err, n)
	}
}
