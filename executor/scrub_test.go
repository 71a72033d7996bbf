package executor

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/diagnose"
)

// Secret-shaped values in text from the device are masked in every member
// of an event but the commands caafix sent, and the event passed in is
// left as it was.
func TestScrubbedMasksDeviceTextOnly(t *testing.T) {
	t.Parallel()
	const secret = "Pr0xyS3cret"
	proxy := "Proxy Server List : http://alex:" + secret + "@proxy.contoso.com:8080"
	fams := []diagnose.Family{{Name: "av-vpn", Confidence: 0.6, Evidence: []string{"event says access_token=" + secret}}}
	in := audit.Event{Name: "step.output", Command: "dsregcmd /status", Reason: "output: " + proxy,
		Fields: map[string]any{
			"stdout":       proxy,
			"problems":     []string{"vpn: password=" + secret},
			"families":     fams,
			"ok":           true,
			"user_command": "cmdkey /list password=" + secret,
		}}
	out := scrubbed(in)

	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	all := string(b)
	without := strings.Replace(all, "password="+secret, "", 1) // the verbatim user_command
	if strings.Contains(without, secret) {
		t.Errorf("a secret outside the commands survived: %s", all)
	}
	if got := out.Fields["user_command"]; got != in.Fields["user_command"] {
		t.Errorf("user_command = %q, want it verbatim", got)
	}
	if out.Command != in.Command {
		t.Errorf("Command = %q, want it verbatim", out.Command)
	}
	if want := "http://alex:[masked]@proxy.contoso.com:8080"; !strings.Contains(out.Fields["stdout"].(string), want) {
		t.Errorf("stdout = %q, want it to keep the proxy host: %s", out.Fields["stdout"], want)
	}
	if out.Fields["ok"] != true {
		t.Errorf("ok = %v, want true unchanged", out.Fields["ok"])
	}
	if in.Fields["stdout"] != proxy || !strings.Contains(fams[0].Evidence[0], secret) {
		t.Error("scrubbed changed the event it was given")
	}
}
