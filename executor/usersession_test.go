package executor

import "testing"

// What comes back from the user's session is data: only the expected
// shapes are accepted, anything else is a failed command.
func TestParseUserTaskOutput(t *testing.T) {
	t.Parallel()
	polls := []struct {
		name   string
		out    string
		state  string
		result uint32
		ok     bool
	}{
		{"ended", "Ready\n0\n", "Ready", 0, true},
		{"running", "Running\n267009\n", "Running", 0x41301, true},
		{"not signed in", "Ready\n2147943645\n", "Ready", errNotLoggedOn, true},
		{"one line only", "Ready\n", "", 0, false},
		{"result not a number", "Ready\nzero\n", "", 0, false},
		{"result over 32 bits", "Ready\n4294967296\n", "", 0, false},
		{"extra line", "Ready\n0\nmore\n", "", 0, false},
	}
	for _, c := range polls {
		t.Run("poll "+c.name, func(t *testing.T) {
			t.Parallel()
			state, result, err := parsePoll(c.out)
			if (err == nil) != c.ok || state != c.state || result != c.result {
				t.Errorf("parsePoll(%q) = %q, %#x, %v", c.out, state, result, err)
			}
		})
	}
	codes := []struct {
		name string
		out  string
		code int
		ok   bool
	}{
		{"zero", "0\n\n", 0, true},
		{"negative", "-196608\n", -196608, true},
		{"with BOM-less spaces", "  5 \n", 5, true},
		{"empty", "", 0, false},
		{"text", "done\n", 0, false},
		{"two numbers", "1\n2\n", 0, false},
		{"too large", "99999999999\n", 0, false},
	}
	for _, c := range codes {
		t.Run("exit code "+c.name, func(t *testing.T) {
			t.Parallel()
			code, err := parseExitCode(c.out)
			if (err == nil) != c.ok || code != c.code {
				t.Errorf("parseExitCode(%q) = %d, %v", c.out, code, err)
			}
		})
	}
}
