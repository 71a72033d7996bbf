package devicesim

import (
	"fmt"
	"sort"
	"strings"
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
			{name: "Path", position: 0}, {name: "LiteralPath", aliases: []string{"PSPath"}, position: -1},
			{name: "Value", position: 1}, {name: "Encoding", position: -1}, {name: "Force", position: -1, isSwitch: true},
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

// setContent writes the values, one a line, each ending in CRLF.
func setContent(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	p := pathArg(args)
	key := fsKey(p)
	st := c.st()
	if !st.isDir(fsParent(key)) {
		return nil, c.writeError(c.record("GetContentWriterDirectoryNotFoundError", "ObjectNotFound",
			fmt.Sprintf("Could not find a part of the path '%s'.", p), p, "String", "DirectoryNotFoundException"))
	}
	if st.isDir(key) {
		return nil, c.writeError(c.record("GetContentWriterUnauthorizedAccessError", "PermissionDenied",
			fmt.Sprintf("Access to the path '%s' is denied.", p), p, "String", "UnauthorizedAccessException"))
	}
	var b strings.Builder
	for _, v := range args.strs("Value") {
		b.WriteString(v + "\r\n")
	}
	if st.Files == nil {
		st.Files = map[string]string{}
	}
	st.Files[key] = b.String()
	c.changed()
	return nil, nil
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
	delete(st.Dirs, key)
	for k := range st.Files {
		if strings.HasPrefix(k, key+`\`) {
			delete(st.Files, k)
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
