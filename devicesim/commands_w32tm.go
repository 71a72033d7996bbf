package devicesim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// w32tm simulates w32tm.exe's /stripchart and /resync. w32tm's output is
// localized, but only English captures were found, so every locale gets
// the English sentences; de-DE prints its offsets with a decimal comma.
func w32tm(s *session, args []string) nativeResult {
	sw := switches(args)
	if len(sw) == 0 {
		return notSimulated("w32tm", args)
	}
	switch sw[0] {
	case "/stripchart":
		return w32tmStripchart(s, args[1:])
	case "/resync":
		for _, a := range sw[1:] {
			if a != "/force" && a != "/nowait" && a != "/rediscover" {
				return notSimulated("w32tm", args)
			}
		}
		return w32tmResync(s)
	}
	return notSimulated("w32tm", args)
}

const (
	hrServiceNotStarted = -2147023834 // 0x80070426
	resyncIntro         = "Sending resync command to local computer"
)

// w32tmResync corrects the clock through the Windows Time service. With
// the service stopped w32tm cannot reach it at all, whoever asks; without
// elevation the service refuses. With a VPN or security product in the
// way no time source answers, and w32tm says so but exits 0 (fixture
// w32tm-resync-no-data.txt).
func w32tmResync(s *session) nativeResult {
	st := s.st
	dev := &st.Scenario.Device
	switch {
	case dev.TimeService != ServiceRunning:
		return nativeResult{stdout: crlf(resyncIntro, "The following error occurred: The service has not been started. (0x80070426)"), code: hrServiceNotStarted}
	case !dev.Elevated:
		return nativeResult{stdout: crlf(resyncIntro, "The following error occurred: Access is denied. (0x80070005)"), code: eAccessDenied}
	case st.hasFault(FaultAVVPN) || dev.NTPBlocked:
		return nativeResult{stdout: crlf(resyncIntro, "The computer did not resync because no time data was available.")}
	}
	dev.ClockSkew = 0
	st.clearFault(FaultClockSkew, s.now())
	s.dirty = true
	return nativeResult{stdout: crlf(resyncIntro, "The command completed successfully.")}
}

// timeServerIP is what time.windows.com resolved to in the simulator's
// world; other names get a documentation address.
func timeServerIP(computer string) string {
	if strings.EqualFold(computer, "time.windows.com") {
		return "168.61.215.74"
	}
	if strings.Count(computer, ".") == 3 && strings.Trim(computer, "0123456789.") == "" {
		return computer
	}
	return "192.0.2.123"
}

// w32tmStripchart asks a time server for samples. The local clock runs
// clock_skew ahead, so the server's offset is exactly -clock_skew (a
// synchronized clock shows the fixture's 35 ms of noise). With /dataonly each
// sample is "HH:MM:SS, +00.0349344s" (fixture w32tm-stripchart-ok.txt,
// whose source ran /dataonly); without it, w32tm draws its chart:
// "HH:MM:SS, d:+00.0312500s o:+00.0349344s  [ … * … ]" (public captures
// from 2023 and 2024). With a VPN or security product in the way every
// sample is "HH:MM:SS, error: 0x800705B4", a timeout (fixture
// w32tm-stripchart-error.txt).
func w32tmStripchart(s *session, args []string) nativeResult {
	computer, samples, dataOnly := "", 0, false
	for _, a := range args {
		l := strings.ToLower(a)
		switch {
		case strings.HasPrefix(l, "/computer:"):
			computer = a[len("/computer:"):]
		case strings.HasPrefix(l, "/samples:"):
			n, err := strconv.Atoi(a[len("/samples:"):])
			if err != nil || n < 1 {
				return notSimulated("w32tm /stripchart", args)
			}
			samples = n
		case l == "/dataonly":
			dataOnly = true
		default:
			return notSimulated("w32tm /stripchart", args)
		}
	}
	if computer == "" || samples == 0 {
		// Without /samples w32tm samples forever; the simulator needs an end.
		return notSimulated("w32tm /stripchart", args)
	}
	st := s.st
	now := s.now()
	lines := []string{
		fmt.Sprintf("Tracking %s [%s:123].", computer, timeServerIP(computer)),
		fmt.Sprintf("Collecting %d samples.", samples),
		"The current time is " + currentTime(now, st.Scenario.Device.Locale) + ".",
	}
	offset := -st.Scenario.Device.ClockSkew.Seconds()
	if offset == 0 {
		offset = 0.0349344 // a synchronized clock still shows network noise
	}
	for i := 0; i < samples; i++ {
		at := now.Add(time.Duration(2*i) * time.Second).Format("15:04:05")
		switch {
		case st.hasFault(FaultAVVPN) || st.Scenario.Device.NTPBlocked:
			lines = append(lines, at+", error: 0x800705B4")
		case dataOnly:
			lines = append(lines, at+", "+secondsText(offset, st.Scenario.Device.Locale))
		default:
			lines = append(lines, fmt.Sprintf("%s, d:%s o:%s  [%s]", at,
				secondsText(0.03125, st.Scenario.Device.Locale), secondsText(offset, st.Scenario.Device.Locale), chart(offset)))
		}
	}
	return nativeResult{stdout: crlf(lines...)}
}

// currentTime is the local time as the locale's short date and long time.
func currentTime(t time.Time, locale string) string {
	if locale == LocaleDeDE {
		return t.Format("02.01.2006 15:04:05")
	}
	return t.Format("1/2/2006 3:04:05 PM")
}

// secondsText formats an offset as w32tm does: a sign, at least two
// integer digits, seven decimals and "s".
func secondsText(sec float64, locale string) string {
	s := fmt.Sprintf("%+011.7fs", sec)
	if locale == LocaleDeDE {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// chart draws w32tm's offset chart: 27 columns each side of the centre,
// "*" where the offset falls, "@" at the edge when it is off the scale.
// The scale (about 2.8 columns a second) is read off one public capture;
// nothing should parse the chart.
func chart(offset float64) string {
	const half = 27
	cells := []rune(strings.Repeat(" ", 2*half+1))
	pos := int(math.Round(offset * 2.8))
	mark := '*'
	if pos > half || pos < -half {
		pos = max(min(pos, half), -half)
		mark = '@'
	}
	if pos != 0 {
		cells[half] = '|'
	}
	cells[half+pos] = mark
	return string(cells)
}
