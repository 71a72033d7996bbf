package devicesim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caafix/caafix/pshost"
	"github.com/caafix/caafix/scripts"
	"github.com/caafix/caafix/task"
)

// noBoundary drops go-powershell's boundary line from stderr.
func noBoundary(s string) string {
	return strings.TrimSuffix(s, "$gorilla000000000000000000000002$\r\n")
}

func selfHealDoc(t *testing.T) *task.Document {
	t.Helper()
	d, err := task.NewSelfHeal(task.SelfHeal{Exe: `C:\caafix\caafix.exe`, Start: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A task registered through caafix's own script is kept, byte for byte
// as UTF-16, and /Query /XML prints it; /Delete removes it once.
func TestSchtasksLifecycle(t *testing.T) {
	dir := newDevice(t, "wam-cache")
	file := filepath.Join(dir, "task-self-heal.xml")
	doc := selfHealDoc(t)
	out, errs := serveLinesNB(t, dir, testNow, envelope(scripts.RegisterTask(task.SelfHealName, file, doc.Lines())))
	if got := exitLine(t, out); got != "0 True" || errs != "" {
		t.Fatalf("register: exit %q, stderr %q, stdout %q", got, errs, out)
	}
	if !strings.Contains(out, `SUCCESS: The scheduled task "caafix\self-heal" has successfully been created.`+"\r\n") {
		t.Errorf("register printed %q", out)
	}
	if ok, err := TaskRegistered(dir, task.SelfHealName); !ok || err != nil {
		t.Fatalf("TaskRegistered = %v, %v", ok, err)
	}
	kept, _ := os.ReadFile(filepath.Join(dir, "devicesim", "tasks", "caafix", "self-heal.xml"))
	if string(kept) != string(doc.UTF16()) {
		t.Errorf("the registered bytes differ from the UTF-16 document")
	}
	if st, err := loadState(dir); err != nil || len(st.Files) != 0 {
		t.Errorf("the XML file was not removed: %v, %v", st.Files, err)
	}
	out, _ = serveLines(t, dir, testNow, envelope(scripts.QueryTask(task.SelfHealName)))
	if !strings.Contains(out, "<Arguments>run --self-heal</Arguments>\r\n") {
		t.Errorf("query printed %q", out)
	}
	out, errs = serveLinesNB(t, dir, testNow, envelope(scripts.DeleteTask(task.SelfHealName)))
	if got := exitLine(t, out); got != "0 True" || !strings.Contains(out, `SUCCESS: The scheduled task "caafix\self-heal" was successfully deleted.`) {
		t.Errorf("delete: exit %q, stdout %q, stderr %q", got, out, errs)
	}
	out, errs = serveLinesNB(t, dir, testNow, envelope(scripts.DeleteTask(task.SelfHealName)))
	if got := exitLine(t, out); got != "1 False" || errs != "ERROR: The system cannot find the file specified.\r\n" {
		t.Errorf("second delete: exit %q, stderr %q", got, errs)
	}
}

func TestSchtasksRejects(t *testing.T) {
	utf16 := func(s string) []byte { return task.EncodeUTF16(s) }
	const decl = `<?xml version="1.0" encoding="UTF-16"?>` + "\r\n"
	const ns = `xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task"`
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"UTF-8 without the byte-order mark", []byte(selfHealDoc(t).Text()), "ERROR: The task XML is malformed.\r\n(1,2)::ERROR: incorrect document syntax\r\n"},
		{"UTF-16 declaring UTF-8", utf16(`<?xml version="1.0" encoding="UTF-8"?>` + "\r\n<Task/>"), "ERROR: The task XML is malformed.\r\n(1,40)::ERROR: unable to switch the encoding\r\n"},
		{"unclosed element", utf16(decl + "<Task " + ns + ">\r\n<Actions>\r\n</Task>"), "ERROR: The task XML is malformed.\r\n(4,1)::ERROR: incorrect document syntax\r\n"},
		{"another root", utf16(decl + "<Job " + ns + "/>"), "ERROR: The task XML contains an unexpected node.\r\n(1,2):Job:\r\n"},
		{"no actions", utf16(decl + "<Task " + ns + "><Triggers/></Task>"), "ERROR: The task XML is missing a required element or attribute.\r\n:Actions:\r\n"},
		{"empty command", utf16(decl + "<Task " + ns + "><Actions><Exec><Command> </Command></Exec></Actions></Task>"), "ERROR: The task XML contains a value which is incorrectly formatted or out of range.\r\n:Command:\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := newDevice(t, "wam-cache")
			file := `C:\ProgramData\caafix\t.xml`
			putDeviceFile(t, dir, file, c.data)
			out, errs := serveLinesNB(t, dir, testNow, envelope(pshost.Build(`schtasks /Create /TN %v /XML %v /F`, `caafix\x`, file)))
			if got := exitLine(t, out); got != "1 False" || errs != c.want {
				t.Errorf("exit %q, stderr %q, want %q", got, errs, c.want)
			}
			if ok, _ := TaskRegistered(dir, `caafix\x`); ok {
				t.Error("a rejected task was registered")
			}
		})
	}
}

func TestSchtasksNeedsElevationAndFile(t *testing.T) {
	dir := newDevice(t, "not-elevated")
	out, errs := serveLinesNB(t, dir, testNow, envelope(scripts.DeleteTask(task.SelfHealName)))
	if got := exitLine(t, out); got != "1 False" || errs != "ERROR: Access is denied.\r\n" {
		t.Errorf("not elevated: exit %q, stderr %q", got, errs)
	}
	dir = newDevice(t, "wam-cache")
	out, errs = serveLinesNB(t, dir, testNow.Add(time.Minute), envelope(pshost.Build(`schtasks /Create /TN %v /XML %v /F`, `caafix\x`, `C:\nowhere.xml`)))
	if got := exitLine(t, out); got != "1 False" || errs != "ERROR: The system cannot find the file specified.\r\n" {
		t.Errorf("missing file: exit %q, stderr %q", got, errs)
	}
	out, errs = serveLinesNB(t, dir, testNow, envelope(pshost.Build(`schtasks /Delete /TN %v /F`, `caafix\..\x`)))
	if got := exitLine(t, out); got != "1 False" || !strings.Contains(errs, "syntax is incorrect") {
		t.Errorf("bad name: exit %q, stderr %q", got, errs)
	}
}

// Set-Content into a folder that does not exist fails as on Windows, and
// schtasks then finds no file.
func TestSetContentMissingFolder(t *testing.T) {
	dir := newDevice(t, "wam-cache")
	out, errs := serveLinesNB(t, dir, testNow, envelope(scripts.RegisterTask(`caafix\x`, `C:\missing\t.xml`, []string{"<Task/>"})))
	if got := exitLine(t, out); got != "1 False" {
		t.Errorf("exit %q", got)
	}
	for _, want := range []string{"Set-Content : Could not find a part of the path 'C:\\missing\\t.xml'.", "DirectoryNotFoundException", "ERROR: The system cannot find the file specified."} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func serveLinesNB(t *testing.T, dir string, now time.Time, lines ...string) (string, string) {
	t.Helper()
	out, errs := serveLines(t, dir, now, lines...)
	return out, noBoundary(errs)
}

// The task file check never panics and accepts only what starts with the
// UTF-16 byte-order mark.
func FuzzCheckTaskXML(f *testing.F) {
	f.Add([]byte(selfHealDocForFuzz()))
	f.Add([]byte("<Task/>"))
	f.Add([]byte{0xFF, 0xFE, '<', 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		msg := checkTaskXML(data)
		if msg == "" && (len(data) < 2 || data[0] != 0xFF || data[1] != 0xFE) {
			t.Errorf("accepted a file without the UTF-16 byte-order mark: %q", data)
		}
	})
}

func selfHealDocForFuzz() string {
	d, err := task.NewSelfHeal(task.SelfHeal{Exe: `C:\caafix\caafix.exe`, Start: testNow})
	if err != nil {
		panic(err)
	}
	return string(d.UTF16())
}

// putDeviceFile places a file on the simulated device as Set-Content would
// have written those bytes.
func putDeviceFile(t *testing.T, dir, path string, data []byte) {
	t.Helper()
	st, err := loadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	text, enc := decodeFile(data)
	st.Files = map[string]string{fsKey(path): text}
	st.Encodings = map[string]string{}
	if enc != "" {
		st.Encodings[fsKey(path)] = enc
	}
	if err := saveState(dir, st); err != nil {
		t.Fatal(err)
	}
}
