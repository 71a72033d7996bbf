package audit

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var testKey = []byte("0123456789abcdef-test-key")

func TestRedactUsers(t *testing.T) {
	t.Parallel()
	red := &redactor{key: testKey}
	alex := red.token("alex@contoso.com")
	if !regexp.MustCompile(`^user-[0-9a-f]{12}$`).MatchString(alex) {
		t.Fatalf("token %q is not user-<12 hex>", alex)
	}
	cases := []struct {
		name string
		ev   Event
		key  string // the member to look at
		want any
	}{
		{"user field replaced whole", Event{Name: "facts", Fields: map[string]any{"user": `AzureAD\AlexWilber`}}, "user", red.token(`AzureAD\AlexWilber`)},
		{"e-mail user groups with the same address elsewhere", Event{Name: "facts", Fields: map[string]any{"user": "Alex@Contoso.com"}}, "user", alex},
		{"empty user stays empty", Event{Name: "facts", Fields: map[string]any{"user": ""}}, "user", ""},
		{"address inside a credential target", Event{Name: "facts", Fields: map[string]any{"credentials": []string{"MicrosoftOffice16_Data:SSPI:alex@contoso.com", "git:https://example.org"}}},
			"credentials", []any{"MicrosoftOffice16_Data:SSPI:" + alex, "git:https://example.org"}},
		{"address inside a command", Event{Name: "step.command", Command: "cmdkey /delete:'MicrosoftOffice16_Data:SSPI:alex@contoso.com'"},
			"command", "cmdkey /delete:'MicrosoftOffice16_Data:SSPI:" + alex + "'"},
		{"address in a reason", Event{Name: "step.end", Reason: "removed 2 targets of alex@contoso.com"}, "reason", "removed 2 targets of " + alex},
		{"nested user and address in a map key", Event{Name: "facts", Fields: map[string]any{"session": map[string]any{"user": "bo", "alex@contoso.com": 1}}},
			"session", map[string]any{"user": red.token("bo"), alex: json.Number("1")}},
		{"numbers and booleans untouched", Event{Name: "facts", Fields: map[string]any{"clock_skew_s": 1200.25, "managed": false}}, "clock_skew_s", json.Number("1200.25")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			tr, err := Open("-", Options{Stdout: &buf, Now: clock(), RedactUsers: true, RedactKey: testKey})
			if err != nil {
				t.Fatal(err)
			}
			tr.SetRun(Run{ID: "r", Signer: "secteam@contoso.com"})
			if err := tr.Write(c.ev); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf.Bytes(), []byte("@")) {
				t.Errorf("an address is left: %s", buf.Bytes())
			}
			if !strings.Contains(buf.String(), `"signer":"`+red.token("secteam@contoso.com")+`"`) {
				t.Errorf("signer not redacted: %s", buf.Bytes())
			}
			var ev map[string]any
			dec := json.NewDecoder(&buf)
			dec.UseNumber()
			if err := dec.Decode(&ev); err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(ev[c.key])
			want, _ := json.Marshal(c.want)
			if !bytes.Equal(got, want) {
				t.Errorf("%s = %s, want %s", c.key, got, want)
			}
		})
	}
}

func TestNoRedactionByDefault(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	tr, _ := Open("-", Options{Stdout: &buf, Now: clock()})
	cmd := "cmdkey /delete:'MicrosoftOffice16_Data:SSPI:alex@contoso.com' & echo <done>"
	if err := tr.Write(Event{Name: "step.command", Command: cmd, Fields: map[string]any{"user": "alex@contoso.com", "note": "a & b <c>"}}); err != nil {
		t.Fatal(err)
	}
	var ev struct{ Command, User, Note string }
	if err := json.Unmarshal(buf.Bytes(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Command != cmd || ev.User != "alex@contoso.com" || ev.Note != "a & b <c>" {
		t.Errorf("not verbatim: %+v", ev)
	}
	if bytes.Contains(buf.Bytes(), []byte(`\u0026`)) {
		t.Errorf("HTML-escaped: %s", buf.Bytes())
	}
}

func TestTokensDependOnKey(t *testing.T) {
	t.Parallel()
	a := (&redactor{key: testKey}).token("alex@contoso.com")
	b := (&redactor{key: []byte("another-key-of-16+")}).token("alex@contoso.com")
	if a == b {
		t.Error("two keys gave the same token")
	}
}

// TestRedactLearnsNames: user names that are not addresses are learned
// from the outputs caafix reads and replaced wherever they appear later.
func TestRedactLearnsNames(t *testing.T) {
	t.Parallel()
	red := &redactor{key: testKey}
	events := []Event{
		{Name: "step.output", Fields: map[string]any{"stdout": "\"contoso\\alex.w\",\"S-1-5-21-1-2-3-1104\"\r\n"}},
		{Name: "step.output", Fields: map[string]any{"stdout": "CONTOSO\\alex.w\r\n"}},
		{Name: "step.output", Fields: map[string]any{"stdout": "\r\n    Target: LegacyGeneric:target=git:https://example.org\r\n    Type: Generic \r\n    User: gitbob\r\n"}},
		{Name: "step.output", Fields: map[string]any{"stdout": "    Ziel: LegacyGeneric:target=x\r\n    Benutzer: hanna.k\r\n"}},
		{Name: "step.output", Fields: map[string]any{"stdout": "    Executing Account Name : PC-0042\\kim, kim@contoso.com\r\n"}},
		{Name: "step.output", Fields: map[string]any{"stdout": "NT AUTHORITY\\SYSTEM\r\n"}},
		{Name: "step.output", Fields: map[string]any{"stdout": "PC-0042\\John Smith\r\n"}},
		{Name: "step.end", Reason: "rejoin via Settings\\Accounts"},
		{Name: "policy.decision", Reason: "acts on CONTOSO\\alex.w's profile; caafix runs as SYSTEM"},
		{Name: "step.end", Reason: "gitbob and hanna.k keep their other sign-ins; kim too; AzureAD\\NewUser's as well; john smith"},
	}
	var buf bytes.Buffer
	tr, err := Open("-", Options{Stdout: &buf, Now: clock(), RedactUsers: true, RedactKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if err := tr.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	out := buf.String()
	for _, name := range []string{"alex", "gitbob", "hanna", "kim", "NewUser", "john"} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(name)) {
			t.Errorf("%s is left in the log:\n%s", name, out)
		}
	}
	for _, want := range []string{
		red.token(`contoso\alex.w`), red.token("gitbob"), red.token("hanna.k"), red.token(`PC-0042\kim`), red.token("kim"), red.token(`AzureAD\NewUser`),
		red.token(`PC-0042\John Smith`), red.token("john smith"),
		`NT AUTHORITY\\SYSTEM`, "caafix runs as SYSTEM", `rejoin via Settings\\Accounts`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("%s is not in the log:\n%s", want, out)
		}
	}
	if got := tr.Redact("summary: gitbob kim@contoso.com"); got != "summary: "+red.token("gitbob")+" "+red.token("kim@contoso.com") {
		t.Errorf("Redact = %q", got)
	}
	b, err := tr.RedactJSON([]byte(`{"facts":{"user":"AzureAD\\x","n":1},"msg":"hanna.k left"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"facts":{"n":1,"user":"` + red.token(`AzureAD\x`) + `"},"msg":"` + red.token("hanna.k") + ` left"}`; string(b) != want {
		t.Errorf("RedactJSON = %s, want %s", b, want)
	}
}

// TestRedactTextTwice: redacting text that is redacted already (a bundle
// made from a redacted log) leaves the pseudonyms as they are, so a user
// keeps one pseudonym.
func TestRedactTextTwice(t *testing.T) {
	t.Parallel()
	r, err := NewRedactor(testKey)
	if err != nil {
		t.Fatal(err)
	}
	once := r.Text("    User: gitbob\r\n    Executing Account Name : AzureAD\\alex, alex@contoso.com\r\n")
	twice := r.Text(once)
	if once != twice {
		t.Errorf("redacting again changed the text:\n%q\n%q", once, twice)
	}
	if got, want := r.Text(`{"user": "AzureAD\\alex"}`, `AzureAD\alex`), `{"user": "`+r.User(`AzureAD\alex`)+`"}`; got != want {
		t.Errorf("a JSON-escaped name: %s, want %s", got, want)
	}
}

func TestRedactNothingWhenOff(t *testing.T) {
	t.Parallel()
	tr, _ := Open("-", Options{Stdout: io.Discard})
	if got := tr.Redact("alex@contoso.com"); got != "alex@contoso.com" {
		t.Errorf("Redact = %q", got)
	}
	if got, _ := tr.RedactJSON([]byte(`{"user":"a"}`)); string(got) != `{"user":"a"}` {
		t.Errorf("RedactJSON = %s", got)
	}
}

func TestLoadRedactKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state", "audit-redact.key")
	k1, err := LoadRedactKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != 64 {
		t.Errorf("key of %d bytes, want 64 hex digits", len(k1))
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", info, err)
	}
	k2, err := LoadRedactKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Errorf("second load: %q, %v; want the same key", k2, err)
	}
	short := filepath.Join(t.TempDir(), "short.key")
	os.WriteFile(short, []byte("abc\n"), 0o600)
	if _, err := LoadRedactKey(short); err == nil || !strings.Contains(err.Error(), short) {
		t.Errorf("short key: %v, want an error naming the file", err)
	}
}
