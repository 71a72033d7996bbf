package signing

import (
	"testing"
	"time"
)

func TestParseComment(t *testing.T) {
	t.Parallel()
	signed := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		text string
		want Comment
		show string
	}{
		{"caafix's own", "caafix runbook small version 3 signed 2026-11-28T12:00:00Z",
			Comment{Name: "small", Version: 3, Signed: signed}, "caafix runbook small version 3 signed 2026-11-28T12:00:00Z"},
		{"minisign prehashed default", "timestamp:1795867200\tfile:small.yaml\thashed",
			Comment{File: "small.yaml", Signed: signed, Hashed: true}, "timestamp:1795867200 (2026-11-28T12:00:00Z) file:small.yaml hashed"},
		{"minisign legacy default", "timestamp:1795867200\tfile:small.yaml",
			Comment{File: "small.yaml", Signed: signed}, "timestamp:1795867200 (2026-11-28T12:00:00Z) file:small.yaml"},
		{"free text", "reviewed by the service desk", Comment{}, "reviewed by the service desk"},
		{"caafix shape with a bad version is free text", "caafix runbook small version 0 signed 2026-11-28T12:00:00Z", Comment{}, "caafix runbook small version 0 signed 2026-11-28T12:00:00Z"},
		{"caafix shape with a bad time is free text", "caafix runbook small version 3 signed yesterday", Comment{}, "caafix runbook small version 3 signed yesterday"},
		{"a timestamp that is no number is free text", "timestamp:soon\tfile:x", Comment{}, "timestamp:soon file:x"},
		{"an unknown minisign field is free text", "timestamp:1\tmood:good", Comment{}, "timestamp:1 mood:good"},
		{"a file without a timestamp is free text", "file:x\thashed", Comment{}, "file:x hashed"},
		{"a terminal escape is not shown", "ok\x1b[2Jcleared", Comment{}, "ok\uFFFD[2Jcleared"},
		{"a bidi override is not shown", "caafix\u202Etxt.exe", Comment{}, "caafix\uFFFDtxt.exe"},
		{"invalid UTF-8 is not shown", "a\xffb", Comment{}, "a\uFFFDb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := ParseComment(c.text)
			if got.Text != c.text || got.Name != c.want.Name || got.Version != c.want.Version ||
				got.File != c.want.File || !got.Signed.Equal(c.want.Signed) || got.Hashed != c.want.Hashed {
				t.Errorf("ParseComment(%q) = %+v, want %+v", c.text, got, c.want)
			}
			if s := got.String(); s != c.show {
				t.Errorf("String() = %q, want %q", s, c.show)
			}
		})
	}
}

// TrustedComment's output reads back as what went in.
func TestTrustedCommentRoundTrip(t *testing.T) {
	t.Parallel()
	signed := time.Date(2031, 2, 3, 4, 5, 6, 0, time.FixedZone("CET", 3600))
	c := ParseComment(TrustedComment("caa50021", 12, signed))
	if c.Name != "caa50021" || c.Version != 12 || !c.Signed.Equal(signed) {
		t.Errorf("round trip: %+v", c)
	}
}
