package devicesim

import (
	"strings"

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

// encodeOEM turns text into the code page's bytes; characters it cannot
// carry become '?', as Windows' WideCharToMultiByte does.
func encodeOEM(enc encoding.Encoding, text string) string {
	if enc == nil {
		return text
	}
	out, err := encoding.ReplaceUnsupported(enc.NewEncoder()).String(text)
	if err != nil {
		return text
	}
	return out
}

// decodeOEM turns a line read from stdin into text.
func decodeOEM(enc encoding.Encoding, line string) string {
	if enc == nil {
		return line
	}
	out, err := enc.NewDecoder().String(line)
	if err != nil {
		return line
	}
	return out
}
