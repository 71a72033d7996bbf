package executor

import (
	"bytes"
	"encoding/json"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/internal/scrub"
)

// verbatim are the members of an event that hold caafix's own words: what
// it sent to the device, its command line, its paths and task names.
// Auditors need them exact, so they are not scrubbed (nor is
// Event.Command).
var verbatim = map[string]bool{"user_command": true, "args": true, "runbook_source": true, "file": true, "path": true, "bundle": true, "user_task": true}

// scrubbed returns e with secret-shaped values in text from the device
// masked (see package scrub): command output, error texts, evidence. It
// leaves e itself as it was.
func scrubbed(e audit.Event) audit.Event {
	e.Reason = scrub.Text(e.Reason)
	if len(e.Fields) == 0 {
		return e
	}
	f := make(map[string]any, len(e.Fields))
	for k, v := range e.Fields {
		if verbatim[k] {
			f[k] = v
			continue
		}
		f[k] = scrubValue(v)
	}
	e.Fields = f
	return e
}

// scrubValue masks the strings in v. Values other than strings go through
// JSON, as the trail will encode them; one that cannot is returned as it
// is, for the trail to report.
func scrubValue(v any) any {
	switch v := v.(type) {
	case string:
		return scrub.Text(v)
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = scrub.Text(s)
		}
		return out
	case nil, bool, int, int64, float64:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil || bytes.IndexByte(b, '"') < 0 {
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return v
	}
	return scrub.Walk(tree, scrub.Text)
}
