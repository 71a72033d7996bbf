package task

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var at = time.Date(2026, 11, 28, 18, 5, 0, 0, time.UTC)

const exe = `C:\Program Files\caafix\caafix.exe`

func docs(t *testing.T) map[string]*Document {
	t.Helper()
	must := func(d *Document, err error) *Document {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	return map[string]*Document{
		"self-heal": must(NewSelfHeal(SelfHeal{Exe: exe, Start: at})),
		"self-heal-logon": must(NewSelfHeal(SelfHeal{Exe: exe, Start: at, Every: 90 * time.Minute, AtLogon: true,
			Args: []string{"--config", `C:\ProgramData\caafix\my config.yaml`}})),
		"resume-boot": must(NewResume(Resume{Exe: exe, Now: at,
			Args: []string{"run", "caa50021", "--state-dir", `C:\ProgramData\caafix\state`, "--allow-disruptive"}})),
		"resume-logon": must(NewResume(Resume{Exe: exe, Now: at, User: `CONTOSO\alex`,
			Args: []string{"run", "--state-dir", `C:\ProgramData\caafix\state`}})),
	}
}

func TestGolden(t *testing.T) {
	for name, d := range docs(t) {
		t.Run(name, func(t *testing.T) {
			golden := filepath.Join("testdata", name+".golden.xml")
			got := d.Text()
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./task -update to create it)", err)
			}
			if strings.ReplaceAll(string(want), "\r\n", "\n") != got {
				t.Errorf("%s differs from the golden file:\n%s", name, got)
			}
		})
	}
}

// Every document caafix generates is valid against Microsoft's schema, in
// both forms: the UTF-8 text and the UTF-16 file schtasks reads.
func TestValidAgainstSchema(t *testing.T) {
	xmllint := needXmllint(t)
	dir := t.TempDir()
	for name, d := range docs(t) {
		for form, b := range map[string][]byte{"utf8": []byte(d.Text()), "utf16": d.UTF16()} {
			f := filepath.Join(dir, name+"."+form+".xml")
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := validate(xmllint, f); err != nil {
				t.Errorf("%s (%s) is not valid: %v\n%s", name, form, err, out)
			}
		}
	}
}

// The validator is not a rubber stamp: Microsoft's own examples that
// break the published schema are rejected, each of them.
func TestValidatorRejectsInvalidExamples(t *testing.T) {
	xmllint := needXmllint(t)
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.xml"))
	if len(files) == 0 {
		t.Fatal("no invalid examples found")
	}
	for _, f := range files {
		if out, err := validate(xmllint, f); err == nil {
			t.Errorf("%s validates, but it breaks the schema:\n%s", f, out)
		}
	}
}

func validate(xmllint, file string) (string, error) {
	cmd := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "task-scheduler.xsd"), file)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// needXmllint finds xmllint; without it the schema tests skip locally
// and fail in CI, where .ci/run installs it.
func needXmllint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is missing (CI is set): install libxml2-utils")
		}
		t.Skip("xmllint is missing: install libxml2-utils to validate against the schema")
	}
	return p
}

func TestUTF16Form(t *testing.T) {
	d := docs(t)["self-heal"]
	b := d.UTF16()
	if !bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || len(b)%2 != 0 {
		t.Fatalf("no UTF-16LE byte-order mark: % x", b[:4])
	}
	u := make([]uint16, (len(b)-2)/2)
	for i := range u {
		u[i] = uint16(b[2+2*i]) | uint16(b[3+2*i])<<8
	}
	s := string(utf16.Decode(u))
	if !strings.HasPrefix(s, `<?xml version="1.0" encoding="UTF-16"?>`+"\r\n<Task ") || !strings.HasSuffix(s, "</Task>\r\n") {
		t.Errorf("UTF-16 text starts %q, ends %q", s[:60], s[len(s)-12:])
	}
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Error("a bare LF in the UTF-16 form")
	}
}

func TestSelfHealRunsSelfHeal(t *testing.T) {
	d := docs(t)["self-heal-logon"]
	if got, want := d.Arguments(), `--config "C:\ProgramData\caafix\my config.yaml" run --self-heal`; got != want {
		t.Errorf("Arguments = %s, want %s", got, want)
	}
	if d.Command() != exe {
		t.Errorf("Command = %s", d.Command())
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name string
		s    SelfHeal
		want string
	}{
		{"interval too short", SelfHeal{Exe: exe, Every: time.Minute}, "whole minutes from 15m0s"},
		{"interval too long", SelfHeal{Exe: exe, Every: 32 * 24 * time.Hour}, "whole minutes"},
		{"interval with seconds", SelfHeal{Exe: exe, Every: time.Hour + time.Second}, "whole minutes"},
		{"no executable", SelfHeal{Every: time.Hour}, "executable is unknown"},
		{"quote in the path", SelfHeal{Exe: `C:\a"b.exe`}, "contains a quote"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewSelfHeal(c.s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "PT0S"}, {4 * time.Hour, "PT4H"}, {90 * time.Minute, "PT1H30M"}, {24 * time.Hour, "P1D"},
		{26*time.Hour + 5*time.Second, "P1DT2H5S"}, {30 * time.Minute, "PT30M"},
	}
	for _, c := range cases {
		if got := Duration(c.d); got != c.want {
			t.Errorf("Duration(%s) = %s, want %s", c.d, got, c.want)
		}
	}
}
