package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"
)

func TestSelfHealAndWindows(t *testing.T) {
	isolate(t)
	cfg, err := Load(viper.New(), filepath.Join("testdata", "windows-good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sh := cfg.SelfHeal
	if cfg.MaxReboots != 3 {
		t.Errorf("max_reboots = %d, want 3", cfg.MaxReboots)
	}
	if sh.MaxFailures != 5 || sh.Backoff != 30*time.Minute || sh.MaxBackoff != 12*time.Hour || sh.RecheckAfter != 48*time.Hour {
		t.Errorf("self_heal = %+v", sh)
	}
	var got []string
	for _, w := range cfg.MaintenanceWindows {
		got = append(got, w.String())
	}
	if strings.Join(got, "; ") != "sat,sun 02:00 for 4h; fri 23:30 for 1h30m" {
		t.Errorf("windows = %q", got)
	}

	def, err := Load(viper.New(), "")
	if err != nil {
		t.Fatal(err)
	}
	if def.MaxReboots != 2 {
		t.Errorf("default max_reboots = %d, want 2", def.MaxReboots)
	}
	if d := def.SelfHeal; d.MaxFailures != 3 || d.Backoff != time.Hour || d.MaxBackoff != 24*time.Hour || d.RecheckAfter != 24*time.Hour || len(def.MaintenanceWindows) != 0 {
		t.Errorf("defaults = %+v, windows %v", d, def.MaintenanceWindows)
	}
}

func TestSelfHealAndWindowErrors(t *testing.T) {
	isolate(t)
	path := filepath.Join("testdata", "windows.yaml")
	_, err := Load(viper.New(), path)
	if err == nil {
		t.Fatal("bad windows loaded")
	}
	checkError(t, err)
	want := strings.ReplaceAll(`FILE:2:17: self_heal.max_failures: "0" is not a number of failures: use a whole number from 1 to 100
FILE:3:12: self_heal.backoff: "2d" is not a duration: write it like 90s, 2m or 1h
FILE:6:17: maintenance_windows[0].days[1]: "Sunday" is not a day: use sun, mon, tue, wed, thu, fri, sat
FILE:7:12: maintenance_windows[0].start: "25:00" is not a time of day: write it as "HH:MM" in 24-hour device local time, such as "02:00"
FILE:9:5: maintenance_windows[1]: has no duration: a window needs days, start and duration
FILE:9:35: maintenance_windows[1].durration: unknown key in a maintenance window; did you mean "duration"?
FILE:10:11: maintenance_windows[2].days: must be a list of days such as [sat, sun], not "sat"
FILE:12:15: maintenance_windows[2].duration: "30s" is not a window length: use whole minutes from 1m to 24h, such as 4h or 90m
FILE:13:18: maintenance_windows[3].days[1]: tue is listed twice
FILE:13:31: maintenance_windows[3].start: must be text such as "02:00" or 4h, not 2
FILE:14:14: max_reboots: "0" is not a number of restarts: use a whole number from 1 to 10`, "FILE", path)
	if got := err.Error(); got != want {
		t.Errorf("error:\n got:\n%s\nwant:\n%s", got, want)
	}
}
