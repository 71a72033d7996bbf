package device

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseStripchart(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want time.Duration
	}{
		{"dataonly capture", fixture(t, "w32tm-stripchart-ok.txt"), 34934400 * time.Nanosecond},
		{"full line reads o: not d:", fixture(t, "w32tm-stripchart-full.txt"), -2763700 * time.Nanosecond},
		{"decimal comma", "Nachverfolgung von time.windows.com [20.101.57.9:123].\nSammeln von 1 Stichproben.\n14:18:09, +00,0349344s\n", 34934400 * time.Nanosecond},
		{"decimal comma in the full line", "14:18:09, d:+00,0312500s o:-01,5000000s  [ * ]\n", -1500 * time.Millisecond},
		{"a large negative offset", "14:18:09, -1200.0000000s\n", -20 * time.Minute},
		{"a 12-hour clock", "2:18:09 PM, d:+00.0312500s o:+300.0000000s  [ * ]\n", 5 * time.Minute},
		{"the last good sample counts", "10:00:00, error: 0x800705B4\n10:00:02, +01.0000000s\n10:00:04, +02.0000000s\n", 2 * time.Second},
	}
	for _, c := range cases {
		for vname, text := range variants(c.text) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				got, err := ParseStripchart(text)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("offset = %v, want %v", got, c.want)
				}
			})
		}
	}
}

func TestParseStripchartErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text, says string
	}{
		{"timeout sample names the code", fixture(t, "w32tm-stripchart-error.txt"), "0x800705B4"},
		{"localized error line names the code", "14:16:50, Fehler: 0x800705b4\n", "0x800705B4"},
		{"unknown code is named too", "14:16:50, error: 0x80070005\n", "0x80070005"},
		{"empty", "", "no sample"},
		{"header only", "Tracking time.windows.com [20.101.57.9:123].\nCollecting 1 samples.\n", "no sample"},
		{"no sign is not a sample", "14:18:09, 00.0349344s\n", "no sample"},
		{"an offset too large for a duration", "14:18:09, +99999999999.0s\n", "in range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseStripchart(c.text)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want one that mentions %q", err, c.says)
			}
		})
	}
}

func TestParseResync(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		text    string
		ok      bool
		message string
	}{
		{"success", fixture(t, "w32tm-resync-success.txt"), true, "The command completed successfully."},
		{"no time data exits 0 but failed", fixture(t, "w32tm-resync-no-data.txt"), false, "The computer did not resync because no time data was available."},
		{"service stopped", fixture(t, "w32tm-query-service-stopped.txt"), false, "The following error occurred: The service has not been started. (0x80070426)"},
		{"a localized error with a code", "Folgender Fehler ist aufgetreten: Der Dienst wurde nicht gestartet. (0x80070426)\n", false, "Folgender Fehler ist aufgetreten: Der Dienst wurde nicht gestartet. (0x80070426)"},
		{"an unknown language is not success", "Der Befehl wurde erfolgreich ausgeführt.\n", false, "Der Befehl wurde erfolgreich ausgeführt."},
		{"empty", "", false, "w32tm printed nothing"},
		{"only the sending line", "Sending resync command to local computer\n", false, "w32tm printed nothing"},
	}
	for _, c := range cases {
		for vname, text := range variants(c.text) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				ok, msg := ParseResync(text)
				if ok != c.ok || msg != c.message {
					t.Errorf("ParseResync = %v, %q; want %v, %q", ok, msg, c.ok, c.message)
				}
			})
		}
	}
}

func FuzzParseStripchart(f *testing.F) {
	for _, name := range []string{"w32tm-stripchart-ok.txt", "w32tm-stripchart-error.txt", "w32tm-stripchart-full.txt"} {
		f.Add(fixture(f, name))
	}
	f.Add("1:2:3, +1,5s")
	f.Fuzz(func(t *testing.T, text string) {
		d, err := ParseStripchart(text)
		if err != nil {
			if d != 0 {
				t.Fatal("offset returned with an error")
			}
			return
		}
		if math.Abs(d.Seconds()) > maxOffset {
			t.Fatalf("offset %v out of range", d)
		}
	})
}

func FuzzParseResync(f *testing.F) {
	for _, name := range []string{"w32tm-resync-success.txt", "w32tm-resync-no-data.txt", "w32tm-query-service-stopped.txt"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, text string) {
		ok, msg := ParseResync(text)
		if msg == "" {
			t.Fatal("no message")
		}
		if ok && !resyncOK.MatchString(text) {
			t.Fatal("success without the success text")
		}
	})
}
