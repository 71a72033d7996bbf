package pshost

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// CodePageCommand asks the host for its console code page. chcp is a native
// tool, so it works under Constrained Language Mode; its text is localized
// ("Active code page: 850", "Aktive Codepage: 850."), the number is not.
const CodePageCommand = `chcp`

var codePages = map[int]encoding.Encoding{
	437: charmap.CodePage437, 850: charmap.CodePage850, 852: charmap.CodePage852,
	855: charmap.CodePage855, 858: charmap.CodePage858, 860: charmap.CodePage860,
	862: charmap.CodePage862, 863: charmap.CodePage863, 865: charmap.CodePage865,
	866: charmap.CodePage866, 874: charmap.Windows874,
	1250: charmap.Windows1250, 1251: charmap.Windows1251, 1252: charmap.Windows1252,
	1253: charmap.Windows1253, 1254: charmap.Windows1254, 1255: charmap.Windows1255,
	1256: charmap.Windows1256, 1257: charmap.Windows1257, 1258: charmap.Windows1258,
	28591: charmap.ISO8859_1,
	932:   japanese.ShiftJIS, 936: simplifiedchinese.GBK, 949: korean.EUCKR, 950: traditionalchinese.Big5,
}

var lastNumber = regexp.MustCompile(`(\d+)\D*$`)

// parseCodePage reads the code page number from chcp's output.
func parseCodePage(out string) (int, error) {
	m := lastNumber.FindStringSubmatch(strings.TrimSpace(out))
	if m == nil {
		return 0, fmt.Errorf("chcp printed no code page: %q", firstLine(out))
	}
	cp, err := strconv.Atoi(m[1])
	if err != nil || cp <= 0 {
		return 0, fmt.Errorf("chcp printed an invalid code page: %q", firstLine(out))
	}
	return cp, nil
}

// codec converts between Go strings and the host's code page.
type codec struct {
	page int
	enc  encoding.Encoding // nil: UTF-8, or ASCII-only for an unknown page
	utf8 bool
}

func newCodec(page int) codec {
	if page == 65001 {
		return codec{page: page, utf8: true}
	}
	return codec{page: page, enc: codePages[page]}
}

// encode returns s in the host's code page, or an error naming the first
// character that the code page cannot carry. A command must arrive exactly
// as it was audited, so nothing is replaced.
func (c codec) encode(s string) ([]byte, error) {
	if c.utf8 {
		return []byte(s), nil
	}
	if c.enc == nil {
		for _, r := range s {
			if r >= utf8.RuneSelf {
				return nil, fmt.Errorf("the command holds %q, which code page %d cannot carry (caafix knows no table for it, so it sends ASCII only)", r, c.page)
			}
		}
		return []byte(s), nil
	}
	b, err := c.enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		for _, r := range s {
			if _, e := c.enc.NewEncoder().String(string(r)); e != nil {
				return nil, fmt.Errorf("the command holds %q, which the host's code page %d cannot carry", r, c.page)
			}
		}
		return nil, fmt.Errorf("encode for code page %d: %w", c.page, err)
	}
	return b, nil
}

// decode returns b as valid UTF-8 text; bytes the code page does not
// define become U+FFFD.
func (c codec) decode(b []byte) string {
	if c.utf8 || c.enc == nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := c.enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
