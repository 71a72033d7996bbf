package devicesim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf16"
)

// schtasks simulates schtasks.exe's /Create /XML, /Delete and /Query /XML
// for single tasks. Registered tasks live in STATEDIR/devicesim/tasks/, one
// file per task named by its path, holding the bytes that were registered
// (Windows keeps them in C:\Windows\System32\Tasks).
//
// Texts, from public captures and from projects that script schtasks:
// success is `SUCCESS: The scheduled task "NAME" has successfully been
// created.` and `… was successfully deleted.` on stdout; failures are
// `ERROR: …` on stderr with exit code 1: "ERROR: The system cannot find the
// file specified." for an unknown task or a missing XML file, "ERROR:
// Access is denied." without elevation, and for a file Task Scheduler
// cannot parse "ERROR: The task XML is malformed." followed by the XML
// parser's "(line,column)::ERROR: reason" line — "(1,2)::ERROR: incorrect
// document syntax" for a file without the UTF-16 byte-order mark, "unable
// to switch the encoding" for a UTF-16 file that declares another encoding.
// Structural problems use Task Scheduler's SCHED_E_* messages ("The task
// XML contains an unexpected node.", "The task XML is missing a required
// element or attribute.", "The task XML contains a value which is
// incorrectly formatted or out of range."). The column of a syntax error
// is the simulator's approximation: Go's XML decoder reports lines only.
func schtasks(s *session, args []string) nativeResult {
	sw := switches(args)
	var op, name, xmlFile string
	force, asXML := false, false
	for i := 0; i < len(sw); i++ {
		switch sw[i] {
		case "/create", "/delete", "/query":
			if op != "" {
				return schtasksErr("Invalid syntax. Mandatory option '/" + strings.TrimPrefix(op, "/") + "' is specified more than once.")
			}
			op = sw[i]
		case "/tn", "/xml":
			if i+1 >= len(args) {
				if sw[i] == "/xml" && op == "/query" {
					asXML = true
					continue
				}
				return schtasksErr("Invalid syntax. Value expected for '" + args[i] + "'.")
			}
			if sw[i] == "/tn" {
				name = args[i+1]
			} else if op == "/query" {
				asXML = true
				if !strings.EqualFold(args[i+1], "ONE") {
					continue
				}
			} else {
				xmlFile = args[i+1]
			}
			i++
		case "/f":
			force = true
		default:
			return notSimulated("schtasks", args)
		}
	}
	if op == "" || name == "" {
		return notSimulated("schtasks", args)
	}
	if !s.st.Scenario.Device.Elevated {
		return schtasksErr("Access is denied.")
	}
	file, ok := taskFile(s.dir, name)
	if !ok {
		return schtasksErr("The filename, directory name, or volume label syntax is incorrect.")
	}
	display := strings.TrimPrefix(name, `\`)
	switch op {
	case "/create":
		if xmlFile == "" || !force {
			// Without /XML schtasks builds the task from its own switches;
			// without /F it asks before it replaces a task. caafix does
			// neither.
			return notSimulated("schtasks", args)
		}
		data, found, err := s.readDeviceFile(xmlFile)
		if err != nil {
			return nativeResult{stderr: crlf("devicesim: " + err.Error()), code: 1}
		}
		if !found {
			return schtasksErr("The system cannot find the file specified.")
		}
		if msg := checkTaskXML(data); msg != "" {
			return nativeResult{stderr: "ERROR: " + strings.ReplaceAll(msg, "\n", "\r\n") + "\r\n", code: 1}
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return nativeResult{stderr: crlf("devicesim: " + err.Error()), code: 1}
		}
		if err := writeAtomic(file, data); err != nil {
			return nativeResult{stderr: crlf("devicesim: " + err.Error()), code: 1}
		}
		return nativeResult{stdout: crlf("SUCCESS: The scheduled task \"" + display + "\" has successfully been created.")}
	case "/delete":
		if !force {
			return notSimulated("schtasks", args)
		}
		err := os.Remove(file)
		if errors.Is(err, fs.ErrNotExist) {
			return schtasksErr("The system cannot find the file specified.")
		}
		if err != nil {
			return nativeResult{stderr: crlf("devicesim: " + err.Error()), code: 1}
		}
		return nativeResult{stdout: crlf("SUCCESS: The scheduled task \"" + display + "\" was successfully deleted.")}
	default: // /query
		if !asXML {
			return notSimulated("schtasks", args)
		}
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			return schtasksErr("The system cannot find the file specified.")
		}
		if err != nil {
			return nativeResult{stderr: crlf("devicesim: " + err.Error()), code: 1}
		}
		text, _ := decodeUTF16(data)
		return nativeResult{stdout: strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")}
	}
}

func schtasksErr(msg string) nativeResult {
	return nativeResult{stderr: crlf("ERROR: " + msg), code: 1}
}

// taskName is what Task Scheduler accepts as a task path: folders and a
// name separated by backslashes, none of them empty, "." or "..", and no
// character a file name cannot hold.
var taskName = regexp.MustCompile(`^\\?([^\\/:*?"<>|\x00-\x1f]+\\)*[^\\/:*?"<>|\x00-\x1f]+$`)

// taskFile returns where a registered task is kept.
func taskFile(stateDir, name string) (string, bool) {
	if !taskName.MatchString(name) {
		return "", false
	}
	parts := strings.Split(strings.TrimPrefix(name, `\`), `\`)
	for i, p := range parts {
		if strings.Trim(p, ". ") == "" {
			return "", false
		}
		parts[i] = strings.ToLower(p)
	}
	return filepath.Join(append([]string{stateDirOf(stateDir), "tasks"}, parts...)...) + ".xml", true
}

// TaskRegistered reports whether the simulated device in stateDir has a
// scheduled task registered under name (such as `caafix\resume`).
func TaskRegistered(stateDir, name string) (bool, error) {
	file, ok := taskFile(stateDir, name)
	if !ok {
		return false, fmt.Errorf("%q is not a task name", name)
	}
	_, err := os.Stat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func decodeUTF16(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
		return "", false
	}
	u := make([]uint16, (len(b)-2)/2)
	for i := range u {
		u[i] = uint16(b[2+2*i]) | uint16(b[3+2*i])<<8
	}
	return string(utf16.Decode(u)), true
}

// xmlDecl is an XML declaration; declEncoding the encoding it names.
var (
	xmlDecl      = regexp.MustCompile(`^<\?xml[^>]*\?>`)
	declEncoding = regexp.MustCompile(`encoding=["']([^"']*)["']`)
)

const taskNS = "http://schemas.microsoft.com/windows/2004/02/mit/task"

// checkTaskXML checks a task file as Task Scheduler reads it and returns
// its error text ("" when it is accepted): UTF-16 with its byte-order
// mark, well-formed, the Task element in the task namespace, and the
// elements a task needs.
func checkTaskXML(data []byte) string {
	const malformed = "The task XML is malformed.\n"
	text, ok := decodeUTF16(data)
	if !ok {
		return malformed + "(1,2)::ERROR: incorrect document syntax"
	}
	if decl := xmlDecl.FindString(text); decl != "" {
		if m := declEncoding.FindStringSubmatch(decl); m != nil && !strings.EqualFold(m[1], "UTF-16") {
			// The parser notices after the declaration's closing "?>".
			return malformed + fmt.Sprintf("(1,%d)::ERROR: unable to switch the encoding", len(decl)+2)
		}
	}
	// Go's decoder would refuse the UTF-16 declaration: the text is
	// decoded already, so it is dropped before parsing (its line stays,
	// so line numbers match).
	body := xmlDecl.ReplaceAllString(text, "")
	dec := xml.NewDecoder(strings.NewReader(body))
	var stack []string
	seen := map[string]bool{}
	var execCommand bytes.Buffer
	inCommand := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 1
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			return malformed + fmt.Sprintf("(%d,1)::ERROR: incorrect document syntax", line)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && (t.Name.Local != "Task" || t.Name.Space != taskNS) {
				return "The task XML contains an unexpected node.\n(1,2):" + t.Name.Local + ":"
			}
			if t.Name.Space != taskNS {
				return "The task XML contains an element or attribute from an unexpected namespace."
			}
			stack = append(stack, t.Name.Local)
			path := strings.Join(stack, "/")
			seen[path] = true
			inCommand = path == "Task/Actions/Exec/Command"
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			inCommand = false
		case xml.CharData:
			if inCommand {
				execCommand.Write(t)
			}
		}
	}
	if len(stack) != 0 || !seen["Task"] {
		return malformed + "(1,1)::ERROR: incorrect document syntax"
	}
	switch {
	case !seen["Task/Actions"]:
		return "The task XML is missing a required element or attribute.\n:Actions:"
	case seen["Task/Actions/Exec"] && strings.TrimSpace(execCommand.String()) == "":
		return "The task XML contains a value which is incorrectly formatted or out of range.\n:Command:"
	}
	return ""
}
