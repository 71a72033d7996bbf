package devicesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

// The simulated device's files: only what caafix writes through
// Set-Content (the task XML it hands to schtasks /XML) lives here, in
// STATEDIR/devicesim/files.json, keyed by the path as written. Windows
// paths are case-insensitive, so lookups fold case.

const filesFile = "files.json"

func init() {
	register(&cmdletSpec{
		name:  "Set-Content",
		class: "Microsoft.PowerShell.Commands.SetContentCommand",
		params: []paramSpec{
			{name: "Path", position: 0}, {name: "Value", position: 1}, {name: "LiteralPath", aliases: []string{"PSPath", "LP"}, position: -1},
			{name: "Encoding", position: -1}, {name: "NoNewline", position: -1, isSwitch: true},
		},
		run: setContent,
	}, "sc")
	register(&cmdletSpec{
		name:   "Remove-Item",
		class:  "Microsoft.PowerShell.Commands.RemoveItemCommand",
		params: []paramSpec{{name: "Path", position: 0}, {name: "LiteralPath", aliases: []string{"PSPath", "LP"}, position: -1}, {name: "Force", position: -1, isSwitch: true}},
		run:    removeItem,
	}, "del", "rm", "ri", "erase", "rd", "rmdir")
}

// deviceFiles maps lower-cased paths to their content.
type deviceFiles map[string][]byte

func loadFiles(stateDir string) (deviceFiles, error) {
	b, err := os.ReadFile(filepath.Join(stateDirOf(stateDir), filesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return deviceFiles{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the simulated files: %w", err)
	}
	files := deviceFiles{}
	if err := json.Unmarshal(b, &files); err != nil {
		return nil, fmt.Errorf("read the simulated files: %w", err)
	}
	return files, nil
}

func saveFiles(stateDir string, files deviceFiles) error {
	b, err := json.Marshal(files)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(stateDirOf(stateDir), filesFile), b)
}

// readDeviceFile returns a file written on the simulated device.
func (s *session) readDeviceFile(path string) ([]byte, bool, error) {
	files, err := loadFiles(s.dir)
	if err != nil {
		return nil, false, err
	}
	b, ok := files[strings.ToLower(path)]
	return b, ok, nil
}

// dirExists says whether a directory exists on the simulated device: the
// usual Windows folders, and the state directory caafix runs with (it
// keeps its records there, so it exists on the device too).
func (s *session) dirExists(dir string) bool {
	d := strings.TrimRight(strings.ToLower(strings.ReplaceAll(dir, "/", `\`)), `\`)
	switch d {
	case `c:`, `c:\programdata`, `c:\programdata\caafix`, `c:\programdata\caafix\state`, `c:\windows`, `c:\windows\temp`, `c:\windows\system32`:
		return true
	}
	sd, err := filepath.Abs(s.dir)
	if err != nil {
		return false
	}
	state := strings.TrimRight(strings.ToLower(strings.ReplaceAll(sd, "/", `\`)), `\`)
	return d == state
}

// setContent writes a file as Windows PowerShell 5.1's Set-Content does:
// each value on its own line, CRLF after every line (none with
// -NoNewline); -Encoding Unicode is UTF-16LE with a byte-order mark, UTF8
// is UTF-8 with one, and the default (ASCII and the rest, which caafix
// does not use) is the text as it is. A missing folder is
// DirectoryNotFoundException, as on Windows.
func setContent(c *cmdletCtx, args boundArgs, input []any) ([]any, error) {
	paths := args.strs("LiteralPath")
	if len(paths) == 0 {
		paths = args.strs("Path")
	}
	values := args.strs("Value")
	for _, v := range input {
		values = append(values, toStr(v))
	}
	var text strings.Builder
	for _, v := range values {
		text.WriteString(v)
		if !args.flag("NoNewline") {
			text.WriteString("\r\n")
		}
	}
	enc, _ := args.str("Encoding")
	var data []byte
	switch strings.ToLower(enc) {
	case "unicode":
		u := utf16.Encode([]rune(text.String()))
		data = append(data, 0xFF, 0xFE)
		for _, r := range u {
			data = append(data, byte(r), byte(r>>8))
		}
	case "utf8":
		data = append([]byte{0xEF, 0xBB, 0xBF}, text.String()...)
	default:
		data = []byte(text.String())
	}
	s := c.in.s
	files, err := loadFiles(s.dir)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if !s.dirExists(parentDir(p)) {
			rec := c.record("GetContentWriterDirectoryNotFoundError", "ObjectNotFound", fmt.Sprintf("Could not find a part of the path '%s'.", p), p, "String", "DirectoryNotFoundException")
			if err := c.writeError(rec); err != nil {
				return nil, err
			}
			continue
		}
		files[strings.ToLower(p)] = data
	}
	return nil, saveFiles(s.dir, files)
}

// removeItem deletes files that Set-Content wrote; anything else does not
// exist on the simulated device.
func removeItem(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	paths := args.strs("LiteralPath")
	if len(paths) == 0 {
		paths = args.strs("Path")
	}
	s := c.in.s
	files, err := loadFiles(s.dir)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if _, ok := files[strings.ToLower(p)]; !ok {
			rec := c.record("PathNotFound", "ObjectNotFound", fmt.Sprintf("Cannot find path '%s' because it does not exist.", p), p, "String", "ItemNotFoundException")
			if err := c.writeError(rec); err != nil {
				return nil, err
			}
			continue
		}
		delete(files, strings.ToLower(p))
	}
	return nil, saveFiles(s.dir, files)
}

func parentDir(p string) string {
	p = strings.ReplaceAll(p, "/", `\`)
	if i := strings.LastIndex(p, `\`); i >= 0 {
		return p[:i]
	}
	return "."
}
