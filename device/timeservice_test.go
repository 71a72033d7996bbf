package device

import (
	"strings"
	"testing"
)

func TestParseServiceStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text, want, errSays string
	}{
		{"running", "Running\r\n", TimeServiceRunning, ""},
		{"stopped", "\r\nStopped  \r\n", TimeServiceStopped, ""},
		{"start pending is unknown", "StartPending\r\n", TimeServiceUnknown, ""},
		{"paused is unknown", "Paused", TimeServiceUnknown, ""},
		{"empty: the service is missing", "", TimeServiceUnknown, "empty"},
		{"other text", "Läuft", TimeServiceUnknown, "Running or Stopped"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseServiceStatus(c.text)
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
			if c.errSays == "" && err != nil || c.errSays != "" && (err == nil || !strings.Contains(err.Error(), c.errSays)) {
				t.Errorf("err = %v, want one that mentions %q", err, c.errSays)
			}
		})
	}
}

func FuzzParseServiceStatus(f *testing.F) {
	f.Add("Running\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, _ := ParseServiceStatus(text)
		switch s {
		case TimeServiceRunning, TimeServiceStopped, TimeServiceUnknown:
		default:
			t.Fatalf("status %q", s)
		}
	})
}
