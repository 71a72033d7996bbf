package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/caafix/caafix/internal/strictyaml"
	"github.com/caafix/caafix/policy"
)

// SelfHeal tunes self-healing runs (run --self-heal, as the scheduled task
// starts them).
type SelfHeal struct {
	// MaxFailures is how many failed self-healing runs in a row (and
	// recurrences after a fix) make a run escalate: exit 4. 1 to 100.
	MaxFailures int
	// Backoff is the wait after the first failed run; it doubles with
	// each further failure up to MaxBackoff. Runs inside the wait end at
	// once without touching the device.
	Backoff, MaxBackoff time.Duration
	// RecheckAfter is how long after a verified fix the symptom coming
	// back counts as a recurrence; the first run after it that finds the
	// device healthy records the re-check.
	RecheckAfter time.Duration
}

// windowKeys are the keys of one maintenance window.
var windowKeys = []string{"days", "start", "duration"}

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

var clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)

func (l *loader) selfHeal(dur func(key, def string, lo, hi time.Duration) time.Duration) SelfHeal {
	var s SelfHeal
	n := strings.TrimSpace(l.v.GetString("self_heal.max_failures"))
	if n == "" {
		n = "3"
	}
	max, err := strconv.Atoi(n)
	if err != nil || max < 1 || max > 100 {
		l.bad("self_heal.max_failures", n, "%q is not a number of failures: use a whole number from 1 to 100", n)
	}
	s.MaxFailures = max
	s.Backoff = dur("self_heal.backoff", "1h", time.Minute, 7*24*time.Hour)
	s.MaxBackoff = dur("self_heal.max_backoff", "24h", time.Minute, 30*24*time.Hour)
	if s.MaxBackoff > 0 && s.Backoff > s.MaxBackoff {
		l.bad("self_heal.max_backoff", l.v.GetString("self_heal.max_backoff"), "%s is shorter than self_heal.backoff (%s): the longest wait cannot be shorter than the first", short(s.MaxBackoff), short(s.Backoff))
	}
	s.RecheckAfter = dur("self_heal.recheck_after", "24h", time.Hour, 7*24*time.Hour)
	return s
}

// windows validates maintenance_windows: a list of {days, start,
// duration}, each problem named by its key.
func (l *loader) windows(raw any) []policy.Window {
	if raw == nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		l.bad("maintenance_windows", fmt.Sprint(raw), "must be a list such as - {days: [sat, sun], start: \"02:00\", duration: 4h}")
		return nil
	}
	var out []policy.Window
	for i, item := range list {
		key := fmt.Sprintf("maintenance_windows[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			l.bad(key, "", "must be a mapping with days, start and duration, such as {days: [sat, sun], start: \"02:00\", duration: 4h}")
			continue
		}
		var w policy.Window
		good := true
		for _, k := range windowKeys {
			if _, ok := m[k]; !ok {
				l.bad(key, "", "has no %s: a window needs days, start and duration", k)
				good = false
			}
		}
		for _, k := range sortedKeys(m) {
			v := m[k]
			switch k {
			case "days":
				days, _ := v.([]any)
				if len(days) == 0 {
					l.bad(key+".days", "", "must be a list of days such as [sat, sun]; the days are %s", strings.Join(dayNames, ", "))
					good = false
				}
				for j, d := range days {
					s, _ := d.(string)
					idx := slices.Index(dayNames, s)
					if idx < 0 {
						l.bad(fmt.Sprintf("%s.days[%d]", key, j), "", "%q is not a day: use %s", fmt.Sprint(d), strings.Join(dayNames, ", "))
						good = false
						continue
					}
					if slices.Contains(w.Days, time.Weekday(idx)) {
						l.bad(fmt.Sprintf("%s.days[%d]", key, j), "", "%s is listed twice", s)
						good = false
					}
					w.Days = append(w.Days, time.Weekday(idx))
				}
			case "start":
				s, _ := v.(string)
				mm := clockPattern.FindStringSubmatch(s)
				if mm == nil {
					l.bad(key+".start", "", "%q is not a time of day: write it as \"HH:MM\" in 24-hour device local time, such as \"02:00\"", fmt.Sprint(v))
					good = false
					continue
				}
				h, _ := strconv.Atoi(mm[1])
				mi, _ := strconv.Atoi(mm[2])
				w.Start = time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute
			case "duration":
				s := fmt.Sprint(v)
				d, err := time.ParseDuration(s)
				if err != nil || d < time.Minute || d > 24*time.Hour || d%time.Minute != 0 {
					l.bad(key+".duration", "", "%q is not a window length: use whole minutes from 1m to 24h, such as 4h or 90m", s)
					good = false
					continue
				}
				w.Length = d
			default:
				l.bad(key+"."+k, "", "unknown key in a maintenance window; it has %s", strings.Join(windowKeys, ", "))
				good = false
			}
		}
		if good {
			out = append(out, w)
		}
	}
	return out
}

// windowList checks the shape of maintenance_windows in the file and
// remembers where each value is, for the value checks.
func (l *loader) windowList(n ast.Node, key string) {
	l.mappingList(n, key, `must be a list such as - {days: [sat, sun], start: "02:00", duration: 4h}`,
		"must be a mapping with days, start and duration", "a maintenance window", windowKeys,
		func(f strictyaml.Field, fkey string) {
			if f.Key != "days" {
				if !strictyaml.IsString(f.Value) {
					l.fileErr(f.Value, fkey, "must be text such as \"02:00\" or 4h, not %s", describe(f.Value))
				}
				return
			}
			days, ok := strictyaml.Sequence(f.Value)
			if !ok {
				l.fileErr(f.Value, fkey, "must be a list of days such as [sat, sun], not %s", describe(f.Value))
				return
			}
			for j, d := range days {
				l.remember(fmt.Sprintf("%s[%d]", fkey, j), d)
			}
		})
}

// maxReboots reads max_reboots: the restarts one run may schedule.
func (l *loader) maxReboots() int {
	n := strings.TrimSpace(l.v.GetString("max_reboots"))
	if n == "" {
		return 2
	}
	max, err := strconv.Atoi(n)
	if err != nil || max < 1 || max > 10 {
		l.bad("max_reboots", n, "%q is not a number of restarts: use a whole number from 1 to 10", n)
	}
	return max
}
