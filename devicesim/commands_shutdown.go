package devicesim

import (
	"strconv"
	"strings"
	"time"
)

// shutdown simulates shutdown.exe's scheduled restart and its abort. Its
// errors go to standard error as "message.(code)" with the Win32 error
// code as exit code: "A system shutdown has already been scheduled.(1190)"
// and "Unable to abort the system shutdown because no shutdown was in
// progress.(1116)" (a public Windows 11 command reference that ran them;
// the texts are Windows' messages for 1190 and 1116).
func shutdown(s *session, args []string) nativeResult {
	sw := switches(args)
	var restart, abort bool
	delay := 30 // shutdown's default time-out
	comment := ""
	for i := 0; i < len(sw); i++ {
		switch sw[i] {
		case "/r":
			restart = true
		case "/a":
			abort = true
		case "/f":
		case "/t", "/c", "/d":
			if i+1 >= len(args) {
				return notSimulated("shutdown", args)
			}
			switch sw[i] {
			case "/t":
				n, err := strconv.Atoi(args[i+1])
				if err != nil || n < 0 || n > 315360000 {
					return notSimulated("shutdown", args)
				}
				delay = n
			case "/c":
				comment = args[i+1]
			}
			i++
		default:
			// /s, /o (the recovery menu, which needs a person), /h, …
			return notSimulated("shutdown", args)
		}
	}
	if restart == abort {
		return notSimulated("shutdown", args)
	}
	st := s.st
	if !st.Scenario.Device.Elevated {
		return nativeResult{stderr: crlf("Access is denied.(5)"), code: 5}
	}
	if abort {
		if st.PendingRestart == nil {
			return nativeResult{stderr: crlf("Unable to abort the system shutdown because no shutdown was in progress.(1116)"), code: 1116}
		}
		st.PendingRestart = nil
		s.dirty = true
		return nativeResult{}
	}
	if st.PendingRestart != nil {
		return nativeResult{stderr: crlf("A system shutdown has already been scheduled.(1190)"), code: 1190}
	}
	st.PendingRestart = &pendingRestart{At: s.now().Add(time.Duration(delay) * time.Second).UTC(), Comment: comment, Session: s.id}
	s.dirty = true
	return nativeResult{}
}

// officeClickToRun simulates Click-to-Run's online repair,
// `OfficeClickToRun.exe scenario=Repair platform=… culture=… …`. It needs
// elevation and the installed platform and culture; it prints nothing
// (DisplayLevel=False). Its failure exit codes are not documented: the
// simulator uses E_ACCESSDENIED without elevation and 1 otherwise.
func officeClickToRun(s *session, args []string) nativeResult {
	kv := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return notSimulated("OfficeClickToRun.exe", args)
		}
		kv[strings.ToLower(k)] = v
	}
	if !strings.EqualFold(kv["scenario"], "Repair") {
		return notSimulated("OfficeClickToRun.exe", args)
	}
	st := s.st
	office := st.Scenario.Device.Office
	switch {
	case !st.Scenario.Device.Elevated:
		return nativeResult{code: eAccessDenied}
	case !strings.EqualFold(kv["platform"], office.Platform) || !strings.EqualFold(kv["culture"], office.Culture):
		return nativeResult{code: 1}
	}
	st.clearFault(FaultOfficeInstall, s.now())
	s.dirty = true
	return nativeResult{}
}
