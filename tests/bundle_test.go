package tests

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// bundleRE finds the escalation bundle a summary line names.
var bundleRE = regexp.MustCompile(`, bundle (.+), audit head [0-9a-f]*\]$`)

// bundle DIR: copy the escalation bundle that the last line of the
// previous command's stdout names (a folder, or a .zip to unpack) into
// DIR, so that later commands can read its files.
func cmdBundle(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: bundle DIR")
	}
	out := strings.TrimRight(ts.ReadFile("stdout"), "\n")
	last := out[strings.LastIndex(out, "\n")+1:]
	m := bundleRE.FindStringSubmatch(last)
	if m == nil {
		ts.Fatalf("the last line names no bundle: %q", last)
	}
	dst := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dst, 0o755))
	if strings.HasSuffix(m[1], ".zip") {
		zr, err := zip.OpenReader(m[1])
		ts.Check(err)
		defer zr.Close()
		for _, f := range zr.File {
			r, err := f.Open()
			ts.Check(err)
			b, err := io.ReadAll(r)
			r.Close()
			ts.Check(err)
			ts.Check(os.WriteFile(filepath.Join(dst, filepath.Base(f.Name)), b, 0o644))
		}
		return
	}
	entries, err := os.ReadDir(m[1])
	ts.Check(err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(m[1], e.Name()))
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644))
	}
}
