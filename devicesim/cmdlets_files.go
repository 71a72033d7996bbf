package devicesim

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The file system, as far as caafix uses it: the folders of the one-shot
// user tasks under C:\ProgramData (see cmdlets_scheduledtasks.go). New-Item
// -ItemType Directory, Set-Content, Get-Content -Raw, Remove-Item and
// icacls. Paths are Windows paths, case-insensitive; everything under a
// drive root exists as a folder only once created (C:\ProgramData and the
// other system folders always exist).

func init() {
	register(&cmdletSpec{
		name:  "New-Item",
		class: "Microsoft.PowerShell.Commands.NewItemCommand",
		params: []paramSpec{
			{name: "Path", position: 0}, {name: "ItemType", aliases: []string{"Type"}, position: -1},
			{name: "Force", position: -1, isSwitch: true}, {name: "Value", position: -1},
		},
		run: newItem,
	}, "ni")
	register(&cmdletSpec{
		name:  "Set-Content",
		class: "Microsoft.PowerShell.Commands.SetContentCommand",
		params: []paramSpec{
			{name: "Path", position: 0}, {name: "LiteralPath", aliases: []string{"PSPath", "LP"}, position: -1},
			{name: "Value", position: 1}, {name: "Encoding", position: -1}, {name: "Force", position: -1, isSwitch: true},
			{name: "NoNewline", position: -1, isSwitch: true},
		},
		run: setContent,
	}, "sc")
	register(&cmdletSpec{
		name:  "Get-Content",
		class: "Microsoft.PowerShell.Commands.GetContentCommand",
		params: []paramSpec{
			{name: "Path", position: 0}, {name: "LiteralPath", aliases: []string{"PSPath"}, position: -1},
			{name: "Raw", position: -1, isSwitch: true}, {name: "Encoding", position: -1},
		},
		run: getContent,
	}, "gc", "type", "cat")
	register(&cmdletSpec{
		name:  "Remove-Item",
		class: "Microsoft.PowerShell.Commands.RemoveItemCommand",
		params: []paramSpec{
			{name: "Path", position: 0}, {name: "LiteralPath", aliases: []string{"PSPath"}, position: -1},
			{name: "Recurse", position: -1, isSwitch: true}, {name: "Force", position: -1, isSwitch: true},
		},
		run: removeItem,
	}, "del", "rm", "ri")
	natives["icacls"] = icacls
}

// fsKey is the key of a path in the simulated file system.
func fsKey(p string) string {
	return strings.TrimRight(strings.ToLower(strings.ReplaceAll(p, "/", `\`)), `\`)
}

// fsParent returns the folder a path is in.
func fsParent(key string) string {
	i := strings.LastIndex(key, `\`)
	if i < 0 {
		return ""
	}
	return key[:i]
}

// systemFolders always exist.
var systemFolders = map[string]bool{`c:`: true, `c:\programdata`: true, `c:\windows`: true, `c:\windows\system32`: true}

func (st *state) isDir(key string) bool { return systemFolders[key] || st.Dirs[key] }

// isDir also counts the state directory caafix runs with: it keeps its
// records there, so on the device that folder exists too.
func (s *session) isDir(key string) bool {
	if s.dir == "" {
		return s.st.isDir(key)
	}
	dir, err := filepath.Abs(s.dir)
	return s.st.isDir(key) || (err == nil && key == fsKey(dir))
}

func (st *state) exists(key string) bool {
	_, file := st.Files[key]
	return file || st.isDir(key)
}

func pathArg(args boundArgs) string {
	if p, ok := args.str("LiteralPath"); ok {
		return p
	}
	p, _ := args.str("Path")
	return p
}

func pathNotFound(c *cmdletCtx, p string) *errorRecord {
	return c.record("PathNotFound", "ObjectNotFound", fmt.Sprintf("Cannot find path '%s' because it does not exist.", p), p, "String", "ItemNotFoundException")
}

// newItem creates a folder and any missing parents, as New-Item does.
func newItem(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	p := pathArg(args)
	typ, _ := args.str("ItemType")
	st := c.st()
	key := fsKey(p)
	if !strings.EqualFold(typ, "Directory") {
		return nil, c.writeError(notSimulatedRecord(c, "New-Item -ItemType "+typ))
	}
	if st.exists(key) && !args.flag("Force") {
		return nil, c.writeError(c.record("DirectoryExist", "ResourceExists",
			fmt.Sprintf("An item with the specified name %s already exists.", p), p, "String", "IOException"))
	}
	for k := key; k != "" && !st.isDir(k); k = fsParent(k) {
		if st.Dirs == nil {
			st.Dirs = map[string]bool{}
		}
		st.Dirs[k] = true
	}
	c.changed()
	return []any{obj("System.IO.DirectoryInfo", "Name", p[strings.LastIndexAny(p, `\/`)+1:], "FullName", p)}, nil
}

// setContent writes a file as Windows PowerShell 5.1's Set-Content does:
// the values (and pipeline input), each on its own line ending in CRLF
// (no line ends with -NoNewline). -Encoding Unicode is UTF-16LE with a
// byte-order mark and UTF8 is UTF-8 with one, as the programs that read
// the file see it (see [session.readDeviceFile]); a missing folder is
// DirectoryNotFoundException.
func setContent(c *cmdletCtx, args boundArgs, input []any) ([]any, error) {
	p := pathArg(args)
	key := fsKey(p)
	st := c.st()
	if !c.in.s.isDir(fsParent(key)) {
		return nil, c.writeError(c.record("GetContentWriterDirectoryNotFoundError", "ObjectNotFound",
			fmt.Sprintf("Could not find a part of the path '%s'.", p), p, "String", "DirectoryNotFoundException"))
	}
	if st.isDir(key) {
		return nil, c.writeError(c.record("GetContentWriterUnauthorizedAccessError", "PermissionDenied",
			fmt.Sprintf("Access to the path '%s' is denied.", p), p, "String", "UnauthorizedAccessException"))
	}
	values := args.strs("Value")
	for _, v := range input {
		values = append(values, toStr(v))
	}
	var b strings.Builder
	for _, v := range values {
		b.WriteString(v)
		if !args.flag("NoNewline") {
			b.WriteString("\r\n")
		}
	}
	if st.Files == nil {
		st.Files = map[string]string{}
	}
	st.Files[key] = b.String()
	enc, _ := args.str("Encoding")
	switch enc = strings.ToLower(enc); enc {
	case "unicode", "utf8":
		if st.Encodings == nil {
			st.Encodings = map[string]string{}
		}
		st.Encodings[key] = enc
	default:
		delete(st.Encodings, key)
	}
	c.changed()
	return nil, nil
}

// readDeviceFile returns the bytes of a file on the simulated device as
// a program reading it would see them, in the encoding it was written.
func (s *session) readDeviceFile(path string) ([]byte, bool, error) {
	key := fsKey(path)
	text, ok := s.st.Files[key]
	if !ok {
		return nil, false, nil
	}
	return encodeFile(text, s.st.Encodings[key]), true, nil
}

// encodeFile writes text as Set-Content -Encoding enc does.
func encodeFile(text, enc string) []byte {
	switch enc {
	case "unicode":
		data := []byte{0xFF, 0xFE}
		for _, r := range utf16.Encode([]rune(text)) {
			data = append(data, byte(r), byte(r>>8))
		}
		return data
	case "utf8":
		return append([]byte{0xEF, 0xBB, 0xBF}, text...)
	}
	return []byte(text)
}

// decodeFile is the reverse of encodeFile: the text and encoding of
// bytes, judged by their byte-order mark.
func decodeFile(data []byte) (text, enc string) {
	switch {
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xFE && len(data)%2 == 0:
		u := make([]uint16, 0, len(data)/2-1)
		for i := 2; i+1 < len(data); i += 2 {
			u = append(u, uint16(data[i])|uint16(data[i+1])<<8)
		}
		return string(utf16.Decode(u)), "unicode"
	case len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF && utf8.Valid(data[3:]):
		return string(data[3:]), "utf8"
	}
	return string(data), ""
}

// getContent returns a file's lines, or with -Raw its whole text.
func getContent(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	p := pathArg(args)
	text, ok := c.st().Files[fsKey(p)]
	if !ok {
		return nil, c.writeError(pathNotFound(c, p))
	}
	if args.flag("Raw") {
		if text == "" {
			return nil, nil
		}
		return []any{text}, nil
	}
	var out []any
	for _, l := range strings.Split(strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), "\n") {
		out = append(out, l)
	}
	return out, nil
}

// removeItem deletes a file, or a folder with everything in it.
func removeItem(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	p := pathArg(args)
	key := fsKey(p)
	st := c.st()
	if !st.exists(key) || systemFolders[key] {
		return nil, c.writeError(pathNotFound(c, p))
	}
	delete(st.Files, key)
	delete(st.Encodings, key)
	delete(st.Dirs, key)
	for k := range st.Files {
		if strings.HasPrefix(k, key+`\`) {
			delete(st.Files, k)
			delete(st.Encodings, k)
		}
	}
	for k := range st.Dirs {
		if strings.HasPrefix(k, key+`\`) {
			delete(st.Dirs, k)
		}
	}
	c.changed()
	return nil, nil
}

// icacls records the grants on an existing file or folder and prints
// icacls' summary. The simulator does not check permissions against them.
func icacls(s *session, args []string) nativeResult {
	if len(args) == 0 {
		return notSimulated("icacls", args)
	}
	st := s.st
	key := fsKey(args[0])
	if !st.exists(key) {
		return nativeResult{
			stdout: crlf(args[0]+": The system cannot find the file specified.", "Successfully processed 0 files; Failed processing 1 files"),
			code:   2,
		}
	}
	if st.ACLs == nil {
		st.ACLs = map[string][]string{}
	}
	st.ACLs[key] = append(st.ACLs[key], strings.Join(args[1:], " "))
	s.dirty = true
	return nativeResult{stdout: crlf("processed file: "+args[0], "Successfully processed 1 files; Failed processing 0 files")}
}

// notSimulatedRecord is a terminating error naming what devicesim does not
// model.
func notSimulatedRecord(c *cmdletCtx, what string) *errorRecord {
	return c.record("NotSimulated", "NotImplemented", "devicesim: "+what+" is not simulated: teach devicesim this command", what, "String", "NotSupportedException")
}

// filesUnder lists the files in a folder, sorted, for tests.
func (st *state) filesUnder(dir string) []string {
	key := fsKey(dir)
	var out []string
	for k := range st.Files {
		if strings.HasPrefix(k, key+`\`) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
