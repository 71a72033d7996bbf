package device

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseAADEvents(t *testing.T) {
	t.Parallel()
	ms := func(n int64) time.Time { return time.UnixMilli(n).UTC() }
	cases := []struct {
		name  string
		text  string
		ids   []int
		times []time.Time
	}{
		{"one event is an object", fixture(t, "aad-events-one.json"), []int{1098}, []time.Time{ms(1732800000000)}},
		{"several events are an array", fixture(t, "aad-events-many.json"), []int{1104, 1098, 1098, 1097},
			[]time.Time{ms(1732803600000), ms(1732800000000), ms(1732796400000), ms(1732792800000)}},
		{"no events print nothing", "", []int{}, []time.Time{}},
		{"blank lines only", "\r\n\r\n", []int{}, []time.Time{}},
		{"RFC 3339 from PowerShell 7", `[{"Id":1098,"TimeCreated":"2024-11-28T13:20:00.123Z","Message":"x"}]`, []int{1098},
			[]time.Time{time.Date(2024, 11, 28, 13, 20, 0, 123e6, time.UTC)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			evs, err := ParseAADEvents(c.text)
			if err != nil {
				t.Fatal(err)
			}
			ids, times := []int{}, []time.Time{}
			for _, e := range evs {
				ids, times = append(ids, e.ID), append(times, e.Time)
			}
			if !reflect.DeepEqual(ids, c.ids) {
				t.Errorf("ids %v, want %v", ids, c.ids)
			}
			for i := range times {
				if !times[i].Equal(c.times[i]) {
					t.Errorf("event %d at %v, want %v", i, times[i], c.times[i])
				}
			}
		})
	}
}

func TestParseAADEventsMessage(t *testing.T) {
	t.Parallel()
	evs, err := ParseAADEvents(fixture(t, "aad-events-many.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(evs[2].Message, "Error: 2147943712\n") {
		t.Errorf("message not decoded: %q", evs[2].Message)
	}
	if evs[3].Message != "" {
		t.Errorf("null message = %q, want empty", evs[3].Message)
	}
}

func TestParseAADEventsRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, text, says string }{
		{"not JSON", "Get-WinEvent : No events were found", "expected JSON"},
		{"broken array", `[{"Id":1098,`, "JSON array"},
		{"broken object", `{"Id":`, "JSON event object"},
		{"no Id", `{"TimeCreated":"\/Date(1)\/","Message":"x"}`, "no Id"},
		{"no TimeCreated", `{"Id":1098,"Message":"x"}`, "no TimeCreated"},
		{"a bad date", `{"Id":1098,"TimeCreated":"yesterday","Message":"x"}`, "TimeCreated"},
		{"an Id that is not a number", `{"Id":"1098","TimeCreated":"\/Date(1)\/"}`, "JSON event object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseAADEvents(c.text); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want one that mentions %q", err, c.says)
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		msg  string
		want []string
	}{
		{"KB4499299 message: decimal and log code", fixture(t, "aad-event-1098.txt"), []string{"0x80070520", "0xCAA5001C"}},
		{"hex code", "Error: 0xCAA50021 Number of retry attempts exceeded.", []string{"0xCAA50021"}},
		{"lower-case hex", "Log: 0xcaa50021 Token broker operation failed.", []string{"0xCAA50021"}},
		{"bare code", "Sign-in failed with CAA50021.", []string{"0xCAA50021"}},
		{"bare code, lower case", "error caa50021", []string{"0xCAA50021"}},
		{"repeated in both forms", "0xCAA50021 … CAA50021 … 0xcaa50021", []string{"0xCAA50021"}},
		{"AADSTS", "Server Error Description : AADSTS50126: Error validating credentials", []string{"AADSTS50126"}},
		{"negative decimal", "Status: -2147023834", []string{"0x80070426"}},
		{"success decimal is not an error", "Error: 0", []string{}},
		{"line numbers are not codes", "at webaccountprocessor.cpp, line: 190, method: x", []string{}},
		{"a small decimal error is not an HRESULT", "Error: 1460", []string{}},
		{"order of appearance", "AADSTS700016 then 0x80070520", []string{"AADSTS700016", "0x80070520"}},
		{"nine hex digits are not a code", "0xCAA500211", []string{}},
		{"nothing", "", []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := ErrorCodes(c.msg); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ErrorCodes = %q, want %q", got, c.want)
			}
		})
	}
}

func TestHasCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, msg, code string
		want            bool
	}{
		{"bare query, hex message", "Error: 0xCAA50021", "CAA50021", true},
		{"hex query, bare message", "failed: caa50021", "0xcaa50021", true},
		{"another CAA code", "Log: 0xcaa5001c", "CAA50021", false},
		{"AADSTS", "AADSTS50126: bad password", "AADSTS50126", true},
		{"a query that is not a code", "Error: 0xCAA50021", "CAA", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := HasCode(c.msg, c.code); got != c.want {
				t.Errorf("HasCode(%q, %q) = %v, want %v", c.msg, c.code, got, c.want)
			}
		})
	}
}

func FuzzParseAADEvents(f *testing.F) {
	f.Add(fixture(f, "aad-events-one.json"))
	f.Add(fixture(f, "aad-events-many.json"))
	f.Fuzz(func(t *testing.T, text string) {
		evs, err := ParseAADEvents(text)
		if err != nil && evs != nil {
			t.Fatal("events returned with an error")
		}
		for _, e := range evs {
			if e.Time.IsZero() && !strings.Contains(text, "0001-01-01") {
				t.Fatalf("event without a time: %+v", e)
			}
		}
	})
}

func FuzzErrorCodes(f *testing.F) {
	f.Add(fixture(f, "aad-event-1098.txt"))
	f.Add("Error: 0xCAA50021 AADSTS50126 Status: -2147023834")
	f.Fuzz(func(t *testing.T, msg string) {
		seen := map[string]bool{}
		for _, c := range ErrorCodes(msg) {
			if seen[c] {
				t.Fatalf("code %s twice", c)
			}
			seen[c] = true
			if !(len(c) == 10 && strings.HasPrefix(c, "0x") && strings.ToUpper(c[2:]) == c[2:]) && !strings.HasPrefix(c, "AADSTS") {
				t.Fatalf("code %q not normalized", c)
			}
			if !HasCode(msg, c) {
				t.Fatalf("HasCode misses %s", c)
			}
		}
	})
}
