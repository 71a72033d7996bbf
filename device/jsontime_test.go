package device

import (
	"strings"
	"testing"
	"time"
)

func TestParseLastBoot(t *testing.T) {
	t.Parallel()
	want := time.UnixMilli(1732800000000).UTC()
	cases := []struct {
		name string
		text string
		want time.Time
	}{
		{"Windows PowerShell 5.1", fixture(t, "lastboot.json"), want},
		{"with a zone suffix", `{"LastBootUpTime":"\/Date(1732800000000+0100)\/"}`, want},
		{"unescaped slashes", `{"LastBootUpTime":"/Date(1732800000000)/"}`, want},
		{"PowerShell 7 RFC 3339", `{"LastBootUpTime":"2024-11-28T14:20:00+01:00"}`, want},
		{"a DateTime with extra properties", `{"LastBootUpTime":{"value":"\/Date(1732800000000)\/","DisplayHint":2,"DateTime":"Thursday, November 28, 2024 1:20:00 PM"}}`, want},
		{"before 1970", `{"LastBootUpTime":"\/Date(-1000)\/"}`, time.UnixMilli(-1000).UTC()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseLastBoot(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseLastBootRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, text, says string }{
		{"empty", "", "empty"},
		{"not JSON", "LastBootUpTime : 11/28/2024 1:20:00 PM", "expected JSON"},
		{"no LastBootUpTime", `{"Other":1}`, "no LastBootUpTime"},
		{"a number", `{"LastBootUpTime":1732800000000}`, "date string"},
		{"a localized date", `{"LastBootUpTime":"28.11.2024 13:20:00"}`, "RFC 3339"},
		{"ms too long", `{"LastBootUpTime":"\/Date(9999999999999999)\/"}`, "expected a date"},
		{"beyond year 9999", `{"LastBootUpTime":"\/Date(999999999999999)\/"}`, "out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseLastBoot(c.text); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want one that mentions %q", err, c.says)
			}
		})
	}
}

func FuzzParseLastBoot(f *testing.F) {
	f.Add(fixture(f, "lastboot.json"))
	f.Add(`{"LastBootUpTime":"2024-11-28T14:20:00+01:00"}`)
	f.Fuzz(func(t *testing.T, text string) {
		got, err := ParseLastBoot(text)
		if err != nil && !got.IsZero() {
			t.Fatal("a time returned with an error")
		}
		if err == nil {
			if _, merr := got.MarshalJSON(); merr != nil {
				t.Fatalf("time %v cannot be written as JSON: %v", got, merr)
			}
		}
	})
}
