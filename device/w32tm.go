package device

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	// stripOffset is the offset of a full stripchart sample line:
	// "14:18:09, d:+00.0312500s o:+00.0349344s  [   *   ]".
	stripOffset = regexp.MustCompile(`(?:^|\s)o:\s*([+-]?\d+(?:[.,]\d+)?)s`)
	// stripDataOnly is the offset of a /dataonly sample line:
	// "14:18:09, +00.0349344s". Some locales print a decimal comma.
	stripDataOnly = regexp.MustCompile(`,\s*([+-]\d+(?:[.,]\d+)?)s(?:\s|$)`)
	// hresult is a Windows error code as w32tm prints it.
	hresult = regexp.MustCompile(`(?i)\b0x([0-9a-f]{8})\b`)
)

// w32tmErrors names the codes a stripchart sample commonly fails with.
var w32tmErrors = map[string]string{
	"800705B4": "timeout: no answer from the time server (UDP 123 blocked or server down)",
	"80072AF9": "the time server's name could not be resolved",
	"80072745": "the connection was aborted",
}

// ParseStripchart returns the offset of the time server's clock from the
// local clock, as w32tm /stripchart /samples:1 measures it (with or
// without /dataonly). The local clock's lead is its negation. A sample
// line such as "14:16:50, error: 0x800705B4" returns an error that names
// the code. When several samples are printed, the last good one counts.
func ParseStripchart(text string) (time.Duration, error) {
	var (
		offset  time.Duration
		found   bool
		errCode string
	)
	for _, l := range lines(text) {
		m := stripOffset.FindStringSubmatch(l)
		if m == nil {
			m = stripDataOnly.FindStringSubmatch(l)
		}
		if m != nil {
			d, err := seconds(m[1])
			if err != nil {
				return 0, fmt.Errorf("w32tm /stripchart: %w", err)
			}
			offset, found = d, true
			continue
		}
		if h := hresult.FindStringSubmatch(l); h != nil {
			errCode = strings.ToUpper(h[1])
		}
	}
	switch {
	case found:
		return offset, nil
	case errCode != "":
		msg := "the sample failed"
		if why, ok := w32tmErrors[errCode]; ok {
			msg += ": " + why
		}
		return 0, fmt.Errorf("w32tm /stripchart: error 0x%s: %s", errCode, msg)
	}
	return 0, errors.New(`w32tm /stripchart: no sample: expected a line such as "14:18:09, d:+00.0312500s o:+00.0349344s" or "14:18:09, +00.0349344s"`)
}

// maxOffset keeps an offset inside time.Duration (about 292 years).
const maxOffset = 9e9

// seconds parses "+00.0349344" or "+00,0349344" (decimal comma) seconds.
func seconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > maxOffset {
		return 0, fmt.Errorf("offset %q is not a number of seconds in range", s)
	}
	return time.Duration(math.Round(f * float64(time.Second))), nil
}

var (
	// resyncFailed are the English failure texts; w32tm /resync exits 0
	// after some of them.
	resyncFailed = regexp.MustCompile(`(?i)did not resync|error occurred|access is denied|0x[89a-f][0-9a-f]{7}`)
	resyncOK     = regexp.MustCompile(`(?i)completed successfully`)
	resyncNoise  = regexp.MustCompile(`(?i)^sending resync command`)
)

// ParseResync reads the words of w32tm /resync, which exits 0 even when it
// did not resync. It returns ok only when w32tm says it succeeded, and the
// line that says what happened. The text is localized: output in a
// language it does not know returns false and the last line, so callers
// must measure the clock again (fail closed).
func ParseResync(text string) (ok bool, message string) {
	var last, success string
	for _, l := range lines(text) {
		l = strings.TrimSpace(l)
		if l == "" || resyncNoise.MatchString(l) {
			continue
		}
		if resyncFailed.MatchString(l) {
			return false, clip(l, 300)
		}
		if success == "" && resyncOK.MatchString(l) {
			success = l
		}
		last = l
	}
	if success != "" {
		return true, clip(success, 300)
	}
	if last == "" {
		return false, "w32tm printed nothing"
	}
	return false, clip(last, 300)
}

// ResyncFailure reports whether w32tm /resync's words name a failure it
// knows (in English, or as an HRESULT), and that line. Text in another
// language is not a failure here: the caller measures the clock again,
// which is the real check.
func ResyncFailure(text string) (bool, string) {
	for _, l := range lines(text) {
		l = strings.TrimSpace(l)
		if resyncFailed.MatchString(l) {
			return true, clip(l, 300)
		}
	}
	return false, ""
}
