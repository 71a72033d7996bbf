package escalation

import (
	"strings"
	"testing"
)

// No file of a bundle holds a token-shaped value, wherever the device put
// one: dsregcmd's proxy sections, an event message, a command's output in
// the audit lines, a fact. Identifiers that are not secrets stay.
func TestNoSecretsInTheBundle(t *testing.T) {
	t.Parallel()
	secrets := []string{
		"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwIn0.ZmFrZS1zaWduYXR1cmU",
		"S3cr3tPr0xyPass",
		"Zx81kQ09aLmnPAC",
		"0.AXoAv4j5cvGGr0GRqy180BHbR",
		"q8~Vx.kZ12_abcdSecret",
		"hunter2hunter2",
	}
	dsreg := readTestdata(t, "dsregcmd-status-entra-joined.txt") +
		"\r\n+----------------------------------------------------------------------+\r\n" +
		"| IE Proxy Config for Current User                                     |\r\n" +
		"+----------------------------------------------------------------------+\r\n\r\n" +
		"    Auto-Configuration URL : https://pac.contoso.com/proxy.pac?token=" + secrets[2] + "\r\n" +
		"         Proxy Server List : http://alex:" + secrets[1] + "@proxy.contoso.com:8080\r\n"
	events := `[{"Id":1098,"TimeCreated":"\/Date(1764345600000)\/","Message":"Error: 0xCAA50021 Token broker operation failed. Authorization: Bearer ` + secrets[0] +
		` refresh_token=` + secrets[3] + `"}]`
	c := &Case{Command: "run", RunID: "20251128T160400Z-0a1b2c3d4e5f", Time: testNow, Outcome: "escalate", ExitCode: 4,
		Message: "client_secret=" + secrets[4], Facts: cloudFacts(t, dsreg), Dsreg: dsreg, Events: events, Steps: caSteps(), AuditLog: "audit.jsonl",
		AuditLines: append(auditLines("20251128T160400Z-0a1b2c3d4e5f"),
			`{"schema":1,"event":"step.output","run_id":"20251128T160400Z-0a1b2c3d4e5f","stdout":"password=`+secrets[5]+` `+secrets[0]+`","hash":"00"}`)}
	c.Facts.Problems = []string{"vpn: adapter said access_token=" + secrets[3]}

	for _, o := range []Options{{}, {RedactUsers: true, RedactKey: []byte("0123456789abcdef-test-key")}} {
		files, err := Files(c, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			for _, s := range secrets {
				if strings.Contains(string(f.Data), s) {
					t.Errorf("redact %v: %s holds the secret %q", o.RedactUsers, f.Name, s)
				}
			}
		}
		for _, keep := range []string{"c5ff949d-2696-4b68-9e13-055f19ed2d51", "ea77c7d5-7b2f-4567-bf0c-c0a4ceb8b679", "CEC55C2566633AC8DA3D9E3EAD98A599084D0C4C", "proxy.contoso.com:8080"} {
			if !strings.Contains(fileOf(files, FileDsreg), keep) {
				t.Errorf("redact %v: %s lost %q, which is no secret", o.RedactUsers, FileDsreg, keep)
			}
		}
		if !strings.Contains(fileOf(files, FileReadme), "had values masked or redacted here") {
			t.Errorf("redact %v: ESCALATION.md does not say the audit lines were changed", o.RedactUsers)
		}
	}
}

// With redaction, no user name or e-mail address is left in any file, and
// the credential targets keep their prefix.
func TestRedactedBundleNamesNoUser(t *testing.T) {
	t.Parallel()
	c := goldenCases(t)[4].c
	files, err := Files(c, Options{RedactUsers: true, RedactKey: []byte("0123456789abcdef-test-key")})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, who := range []string{"alex@contoso.com", `AzureAD\AlexWilber`, `AzureAD\\AlexWilber`, "AlexWilber"} {
			if strings.Contains(strings.ToLower(string(f.Data)), strings.ToLower(who)) {
				t.Errorf("%s names %q", f.Name, who)
			}
		}
	}
	if !strings.Contains(fileOf(files, FileFacts), "MicrosoftOffice16_Data:SSPI:user-") {
		t.Errorf("facts.json lost the credential target's prefix:\n%s", fileOf(files, FileFacts))
	}
	if _, err := Files(c, Options{RedactUsers: true, RedactKey: []byte("short")}); err == nil {
		t.Error("a short redaction key was accepted")
	}
}
