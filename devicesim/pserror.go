package devicesim

import (
	"fmt"
	"strings"
	"unicode"
)

// An errorRecord is a PowerShell error as Windows PowerShell 5.1 shows it.
// It is also a Go error, for the terminating errors that unwind the
// interpreter to the nearest catch block.
type errorRecord struct {
	message        string
	invocationName string // shown as "NAME : " before the message; "" for none
	line           string // the line the error points into
	sp             span
	hasPos         bool
	category       string // e.g. ObjectNotFound
	targetName     string
	targetType     string
	activity       string // the cmdlet, e.g. Get-Service; "" for none
	reason         string // the exception type, e.g. CommandNotFoundException
	fqid           string // FullyQualifiedErrorId
	// parseErrors marks a ParserError: its message already holds the
	// positions.
	parseErrors bool
}

func (e *errorRecord) Error() string { return e.message }

// consoleWidth is the buffer width the error view wraps its category
// lines at: Windows' default console buffer is 120 columns wide, and
// powershell.exe started without a console of its own gets a default one.
const consoleWidth = 120

// render returns the error as PowerShell 5.1's default error view writes
// it: the message, the position, the CategoryInfo and FullyQualifiedErrorId
// lines, and a line holding one space. The text follows the ErrorRecord
// view in Windows PowerShell's DotNetTypes.format.ps1xml; positions follow
// PositionUtilities.VerboseMessage (PowerShell/PowerShell, Position.cs).
func (e *errorRecord) render() string {
	var b strings.Builder
	if e.invocationName != "" && !e.parseErrors {
		b.WriteString(e.invocationName + " : ")
	}
	b.WriteString(e.message)
	if e.hasPos && !e.parseErrors {
		b.WriteString("\r\n" + positionMessage(e.line, e.sp))
	}
	width := consoleWidth - 4 - 2
	for _, l := range []string{
		"+ CategoryInfo          : " + e.categoryInfo(),
		"+ FullyQualifiedErrorId : " + e.fqid,
	} {
		r := []rune(l)
		for len(r) > 0 {
			n := min(width, len(r))
			b.WriteString("\r\n    " + string(r[:n]))
			r = r[n:]
		}
	}
	b.WriteString("\r\n \r\n")
	return b.String()
}

func (e *errorRecord) categoryInfo() string {
	return fmt.Sprintf("%s: (%s:%s) [%s], %s", e.category, e.targetName, e.targetType, e.activity, e.reason)
}

// positionMessage returns "At line:1 char:N", the line and the squiggle
// under the extent, as PositionUtilities.VerboseMessage builds them.
func positionMessage(line string, sp span) string {
	src := []rune(strings.TrimRightFunc(line, unicode.IsSpace))
	spaces := sp.start
	length := sp.end - sp.start
	if spaces > len(src) {
		spaces = len(src)
	}
	if spaces+length > len(src) {
		length = max(len(src)-spaces, 0)
	}
	if strings.ContainsRune(string(src), '\t') {
		before := strings.ReplaceAll(string(src[:spaces]), "\t", "    ")
		mid := strings.ReplaceAll(string(src[spaces:spaces+length]), "\t", "    ")
		after := strings.ReplaceAll(string(src[spaces+length:]), "\t", "    ")
		src = []rune(before + mid + after)
		spaces = len([]rune(before))
		length = len([]rune(mid))
	}
	var body string
	if len(src) > 0 {
		// Max width is 69: consoles may be 80 wide, "+ " is always
		// prepended, "... " and " ..." sometimes.
		const maxLineLength = 69
		prefixDots, suffixDots := false, false
		if n := len(src); n > maxLineLength {
			totalPrefix := spaces
			prefix := min(totalPrefix, 12)
			totalSuffix := n - length - spaces
			suffix := min(totalSuffix, 8)
			candidate := prefix + length + suffix
			if candidate >= maxLineLength {
				if prefix+length >= maxLineLength {
					length = maxLineLength - prefix
				}
				suffixDots = true
			} else {
				if avail := totalPrefix - prefix; avail > 0 {
					prefix += min(avail, maxLineLength-candidate)
					candidate = prefix + length + suffix
				}
				if candidate < maxLineLength && totalSuffix > 0 {
					suffix += min(totalSuffix, maxLineLength-candidate)
				}
				suffixDots = suffix < totalSuffix
			}
			prefixDots = prefix < totalPrefix
			startIndex := max(spaces-prefix, 0)
			src = src[startIndex:min(startIndex+maxLineLength, n)]
			spaces = min(spaces, prefix)
			length = min(length, maxLineLength-spaces)
		}
		var sb strings.Builder
		if prefixDots {
			sb.WriteString("... ")
		}
		sb.WriteString(string(src))
		if suffixDots {
			sb.WriteString(" ...")
		}
		sb.WriteString("\r\n+ ")
		pad := spaces
		if prefixDots {
			pad += 4
		}
		sb.WriteString(strings.Repeat(" ", pad))
		sb.WriteString(strings.Repeat("~", max(length, 1)))
		body = sb.String()
	}
	return fmt.Sprintf("At line:1 char:%d\r\n+ %s", sp.start+1, body)
}

// parserErrorRecord is the error for a line PowerShell refuses to parse:
// each error's position and message, a blank line between them.
func parserErrorRecord(line string, errs []parseError) *errorRecord {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = positionMessage(line, e.sp) + "\r\n" + e.msg
	}
	return &errorRecord{
		message:     strings.Join(parts, "\r\n\r\n"),
		category:    "ParserError",
		reason:      "ParentContainsErrorRecordException",
		fqid:        errs[0].id,
		parseErrors: true,
	}
}

// commandNotFound is the error for a name that is no command.
func commandNotFound(line, name, invocationName string, sp span) *errorRecord {
	return &errorRecord{
		message: "The term '" + name + "' is not recognized as the name of a cmdlet, function, script file, or operable program. " +
			"Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
		invocationName: invocationName,
		line:           line,
		sp:             sp,
		hasPos:         true,
		category:       "ObjectNotFound",
		targetName:     name,
		targetType:     "String",
		reason:         "CommandNotFoundException",
		fqid:           "CommandNotFoundException",
	}
}

// unsupportedRecord is the error for PowerShell the simulator does not
// model. It is not a PowerShell error: it names the simulator so that a
// test failing on it says what to teach devicesim.
func unsupportedRecord(line, text string, sp span) *errorRecord {
	return &errorRecord{
		message:  "devicesim does not simulate this PowerShell: " + text + " (teach devicesim the statement, or send only the commands in scripts.go)",
		line:     line,
		sp:       sp,
		hasPos:   true,
		category: "NotImplemented",
		reason:   "RuntimeException",
		fqid:     "DeviceSimUnsupported",
	}
}
