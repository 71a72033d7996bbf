package devicesim

import (
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/transform"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// Windows PowerShell reads stdin and writes redirected output in the
// console's OEM code page, not UTF-8: 437 on US English systems, 850 on
// German ones. The simulator does the same, so the host's decoding is
// tested against what Windows really sends.
func codePageOf(locale string) (int, encoding.Encoding) {
	if locale == LocaleDeDE {
		return 850, charmap.CodePage850
	}
	return 437, charmap.CodePage437
}

// chcp prints the active code page, in the device's language.
func chcp(s *session, args []string) nativeResult {
	if len(args) != 0 {
		return notSimulated("chcp", args)
	}
	page, _ := codePageOf(s.st.Scenario.Device.Locale)
	if s.st.Scenario.Device.Locale == LocaleDeDE {
		return nativeResult{stdout: crlf("Aktive Codepage: " + itoa(page) + ".")}
	}
	return nativeResult{stdout: crlf("Active code page: " + itoa(page))}
}

// hostname prints the computer name.
func hostnameCmd(s *session, args []string) nativeResult {
	if len(args) != 0 {
		return notSimulated("hostname", args)
	}
	return nativeResult{stdout: crlf(s.st.Scenario.Device.Hostname)}
}

func itoa(n int) string {
	var b strings.Builder
	if n == 0 {
		return "0"
	}
	var digits []byte
	for ; n > 0; n /= 10 {
		digits = append([]byte{byte('0' + n%10)}, digits...)
	}
	b.Write(digits)
	return b.String()
}

// ServeConsole is [Serve] behind the console of a Windows device: it reads
// stdin and writes stdout and stderr in the device's OEM code page, as
// powershell.exe does when its streams are redirected. Characters the code
// page cannot carry arrive as '?', as WideCharToMultiByte makes them. The
// starters use it; Serve itself speaks text, for tests of the interpreter.
func ServeConsole(stdin io.Reader, stdout, stderr io.Writer, stateDir string) error {
	return serveConsole(stdin, stdout, stderr, stateDir, time.Now)
}

func serveConsole(stdin io.Reader, stdout, stderr io.Writer, stateDir string, now func() time.Time) error {
	st, err := loadState(stateDir)
	if err != nil {
		fmt.Fprintf(stderr, "devicesim: %v\r\n", err)
		return err
	}
	_, enc := codePageOf(st.Scenario.Device.Locale)
	return serve(transform.NewReader(stdin, enc.NewDecoder()),
		oemWriter{stdout, enc}, oemWriter{stderr, enc}, stateDir, now)
}

// oemWriter encodes each write whole; the simulator writes whole lines.
type oemWriter struct {
	w   io.Writer
	enc encoding.Encoding
}

func (o oemWriter) Write(p []byte) (int, error) {
	b, err := encoding.ReplaceUnsupported(o.enc.NewEncoder()).Bytes(p)
	if err != nil {
		return 0, err
	}
	if _, err := o.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}
