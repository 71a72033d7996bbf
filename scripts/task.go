package scripts

import (
	"strings"

	"github.com/caafix/caafix/pshost"
)

// RegisterTask registers a scheduled task from its XML definition with the
// native schtasks.exe. Set-Content -Encoding Unicode writes the lines as
// UTF-16LE with a byte-order mark and CRLF line endings, the only form
// schtasks /Create /XML reads reliably; /F replaces a task of the same
// name. The file is removed afterwards. The exit code is schtasks'.
//
// In Windows PowerShell 5.1 -Encoding Unicode is UTF-16 little-endian, and
// "any Unicode encoding, except UTF7, always creates a BOM"
// (about_Character_Encoding, learn.microsoft.com, PowerShell 5.1). The
// lines go as an array: Set-Content writes each on its own line with
// CRLF, so the command stays one line.
func RegisterTask(name, file string, lines []string) string {
	values := make([]string, 0, len(lines)+3)
	values = append(values, file)
	values = append(values, lines...)
	values = append(values, name)
	tmpl := `$caafixTaskFile = %v; Set-Content -LiteralPath $caafixTaskFile -Encoding Unicode -Value ` +
		strings.TrimSuffix(strings.Repeat("%v, ", len(lines)), ", ") +
		`; schtasks /Create /TN %v /XML $caafixTaskFile /F; Remove-Item -LiteralPath $caafixTaskFile -ErrorAction SilentlyContinue`
	return pshost.Build(tmpl, values...)
}

// DeleteTask removes a scheduled task without asking (/F).
func DeleteTask(name string) string {
	return pshost.Build(`schtasks /Delete /TN %v /F`, name)
}

// QueryTask prints a scheduled task's XML definition.
func QueryTask(name string) string {
	return pshost.Build(`schtasks /Query /TN %v /XML`, name)
}
