package audit

import (
	"bytes"
	"encoding/json"
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
