package devicesim

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The ScheduledTasks module (Windows PowerShell 5.1's CDXML functions over
// root/Microsoft/Windows/TaskScheduler) and Start-Process, as far as
// caafix runs a user step's command in the signed-in user's session:
// New-ScheduledTaskAction, New-ScheduledTaskPrincipal,
// Register-ScheduledTask, Start-ScheduledTask, Get-ScheduledTask,
// Get-ScheduledTaskInfo, Stop-ScheduledTask and Unregister-ScheduledTask.
//
// Tasks live in the device state. Start-ScheduledTask runs a task's action
// at once (no real time passes, so a task is Ready again when the next
// command arrives): `powershell.exe … -File SCRIPT` runs the script file
// in the principal's context, so that cmdkey sees the user's vault and
// dsregcmd /cleanupaccounts clears the user's WAM accounts; RunLevel
// Highest runs it elevated (the simulator treats the signed-in user as a
// local administrator). An interactive task whose user is not signed in
// does not start: its last result is 0x800704DD (ERROR_NOT_LOGGED_ON), as
// Task Scheduler records it. A principal naming an account the device does
// not know fails to register with 0x80070534.
//
// Error texts: the CDXML cmdlets wrap CIM errors as CimException with the
// HRESULT in the FullyQualifiedErrorId, and a query that finds nothing as
// CimJobException "No MSFT_ScheduledTask objects found with property
// 'TaskName' equal to 'X'.  Verify the value of the property and retry."
// (two spaces, as Cmdletization writes it; a Windows capture of the whole
// error view is in github.com/acceleration3/cloudgamestream issue 17).
// ERROR_NOT_LOGGED_ON (0x800704DD) as the result of an interactive task
// whose user was signed out is what Task Scheduler's history records
// (event 101); SCHED_S_* codes from the Task Scheduler error constants.

// The task states (MSFT_ScheduledTask.State, StateEnum) and results.
const (
	taskReady   = 3
	taskRunning = 4

	// sSchedTaskHasNotRun is SCHED_S_TASK_HAS_NOT_RUN (0x41303).
	sSchedTaskHasNotRun = 267011
	// errNotLoggedOn is HRESULT_FROM_WIN32(ERROR_NOT_LOGGED_ON),
	// 0x800704DD: an interactive task whose user is not signed in.
	errNotLoggedOn = 2147943645
)

var taskStates = map[int]string{0: "Unknown", 1: "Disabled", 2: "Queued", taskReady: "Ready", taskRunning: "Running"}

// simTask is a registered task.
type simTask struct {
	Path             string    `json:"path"`
	Name             string    `json:"name"`
	Execute          string    `json:"execute"`
	Arguments        string    `json:"arguments"`
	WorkingDirectory string    `json:"working_directory"`
	UserID           string    `json:"user_id"`
	LogonType        string    `json:"logon_type"`
	RunLevel         string    `json:"run_level"`
	State            int       `json:"state"`
	LastTaskResult   int64     `json:"last_task_result"`
	LastRunTime      time.Time `json:"last_run_time,omitzero"`
}

const cimTaskNS = "Microsoft.Management.Infrastructure.CimInstance#Root/Microsoft/Windows/TaskScheduler/"

func init() {
	taskParams := []paramSpec{{name: "TaskName", position: 0}, {name: "TaskPath", position: 1}}
	register(&cmdletSpec{
		name:  "New-ScheduledTaskAction",
		class: "New-ScheduledTaskAction",
		params: []paramSpec{
			{name: "Execute", position: 0}, {name: "Argument", position: 1},
			{name: "WorkingDirectory", position: 2}, {name: "Id", position: 3},
		},
		run: newTaskAction,
	})
	register(&cmdletSpec{
		name:  "New-ScheduledTaskPrincipal",
		class: "New-ScheduledTaskPrincipal",
		params: []paramSpec{
			{name: "UserId", position: 0}, {name: "LogonType", position: 1}, {name: "RunLevel", position: 2},
			{name: "Id", position: -1},
		},
		run: newTaskPrincipal,
	})
	register(&cmdletSpec{
		name:  "Register-ScheduledTask",
		class: "Register-ScheduledTask",
		params: append([]paramSpec{
			{name: "Action", position: 2}, {name: "Principal", position: -1},
			{name: "Force", position: -1, isSwitch: true}, {name: "Description", position: -1},
		}, taskParams...),
		run: registerTask,
	})
	register(&cmdletSpec{name: "Start-ScheduledTask", class: "Start-ScheduledTask", params: taskParams, run: startTask})
	register(&cmdletSpec{name: "Stop-ScheduledTask", class: "Stop-ScheduledTask", params: taskParams, run: stopTask})
	register(&cmdletSpec{name: "Get-ScheduledTask", class: "Get-ScheduledTask", params: taskParams, run: getTask})
	register(&cmdletSpec{name: "Get-ScheduledTaskInfo", class: "Get-ScheduledTaskInfo", params: taskParams, run: getTaskInfo})
	register(&cmdletSpec{
		name:   "Unregister-ScheduledTask",
		class:  "Unregister-ScheduledTask",
		params: append([]paramSpec{{name: "Confirm", position: -1, isSwitch: true}}, taskParams...),
		run:    unregisterTask,
	})
	register(&cmdletSpec{
		name:  "Start-Process",
		class: "Microsoft.PowerShell.Commands.StartProcessCommand",
		params: []paramSpec{
			{name: "FilePath", aliases: []string{"PSPath"}, position: 0}, {name: "ArgumentList", aliases: []string{"Args"}, position: 1},
			{name: "WorkingDirectory", position: -1}, {name: "RedirectStandardOutput", position: -1},
			{name: "RedirectStandardError", position: -1}, {name: "NoNewWindow", position: -1, isSwitch: true},
			{name: "Wait", position: -1, isSwitch: true}, {name: "PassThru", position: -1, isSwitch: true},
		},
		run: startProcess,
	}, "saps", "start")
}

func newTaskAction(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	exe, _ := args.str("Execute")
	arg, _ := args.str("Argument")
	wd, _ := args.str("WorkingDirectory")
	return []any{obj(cimTaskNS+"MSFT_TaskExecAction", "Id", nil, "Arguments", arg, "Execute", exe,
		"WorkingDirectory", wd, "PSComputerName", nil)}, nil
}

var (
	logonTypes = []string{"None", "Password", "S4U", "Interactive", "Group", "ServiceAccount", "InteractiveOrPassword"}
	runLevels  = []string{"Limited", "Highest"}
)

// enumArg returns the enumerator an argument names, or the binder's error.
func enumArg(c *cmdletCtx, args boundArgs, param, typ string, names []string, def string) (string, error) {
	v, ok := args.str(param)
	if !ok {
		return def, nil
	}
	for _, n := range names {
		if strings.EqualFold(n, v) {
			return n, nil
		}
	}
	return "", c.record("CannotConvertArgumentNoMessage", "InvalidArgument",
		fmt.Sprintf("Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"Microsoft.PowerShell.Cmdletization.GeneratedTypes.ScheduledTask.%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n%s\"",
			param, v, typ, v, strings.Join(names, ", ")), "", "", "ParameterBindingException")
}

func newTaskPrincipal(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	user, _ := args.str("UserId")
	logon, err := enumArg(c, args, "LogonType", "LogonTypeEnum", logonTypes, "None")
	if err != nil {
		return nil, err
	}
	level, err := enumArg(c, args, "RunLevel", "RunLevelEnum", runLevels, "Limited")
	if err != nil {
		return nil, err
	}
	return []any{obj(cimTaskNS+"MSFT_TaskPrincipal2", "DisplayName", nil, "GroupId", nil, "Id", "Author",
		"LogonType", psEnum{logon, indexOf(logonTypes, logon)}, "RunLevel", psEnum{level, indexOf(runLevels, level)},
		"UserId", user, "ProcessTokenSidType", psEnum{"Default", 2}, "RequiredPrivilege", nil, "PSComputerName", nil)}, nil
}

func indexOf(list []string, s string) int {
	for i, e := range list {
		if e == s {
			return i
		}
	}
	return -1
}

// cimError is how the CDXML cmdlets report a failed CIM call.
func cimError(c *cmdletCtx, hresult, category, message string) *errorRecord {
	rec := c.record("HRESULT "+hresult, category, message, "PS_ScheduledTask", "Root/Microsoft/...S_ScheduledTask", "CimException")
	rec.fqid = "HRESULT " + hresult + "," + c.spec.name
	return rec
}

func taskNotFound(c *cmdletCtx, name string) *errorRecord {
	rec := c.record("CmdletizationQuery_NotFound_TaskName", "ObjectNotFound",
		fmt.Sprintf("No MSFT_ScheduledTask objects found with property 'TaskName' equal to '%s'.  Verify the value of the property and retry.", name),
		name, "String", "CimJobException")
	rec.fqid = "CmdletizationQuery_NotFound_TaskName," + c.spec.name
	return rec
}

func taskKey(path, name string) string {
	if path == "" {
		path = `\`
	}
	return strings.ToLower(path + name)
}

func (c *cmdletCtx) task(args boundArgs) (*simTask, string) {
	name, _ := args.str("TaskName")
	path, _ := args.str("TaskPath")
	return c.st().Tasks[taskKey(path, name)], name
}

// knownAccount reports whether Windows can map a principal's name to a
// SID: the built-in service accounts, and the signed-in user by
// Win32_ComputerSystem's name or by UPN.
func knownAccount(dev Device, user string) bool {
	switch strings.ToUpper(user) {
	case "SYSTEM", `NT AUTHORITY\SYSTEM`, "LOCALSERVICE", "NETWORKSERVICE", "S-1-5-18":
		return true
	}
	return dev.User != "" && (strings.EqualFold(user, accountName(dev)) || strings.EqualFold(user, dev.User))
}

// signedIn reports whether the principal is the user signed in now.
func signedIn(dev Device, user string) bool {
	return dev.User != "" && (strings.EqualFold(user, accountName(dev)) || strings.EqualFold(user, dev.User))
}

func registerTask(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	name, _ := args.str("TaskName")
	path, _ := args.str("TaskPath")
	if path == "" {
		path = `\`
	}
	st := c.st()
	action, _ := args["Action"].(*psObject)
	principal, _ := args["Principal"].(*psObject)
	if action == nil {
		return nil, c.writeError(notSimulatedRecord(c, "Register-ScheduledTask without -Action"))
	}
	t := &simTask{Path: path, Name: name, State: taskReady, LastTaskResult: sSchedTaskHasNotRun, UserID: "SYSTEM", LogonType: "ServiceAccount", RunLevel: "Limited"}
	t.Execute = toStr(property(action, "Execute"))
	t.Arguments = toStr(property(action, "Arguments"))
	t.WorkingDirectory = toStr(property(action, "WorkingDirectory"))
	if principal != nil {
		t.UserID = toStr(property(principal, "UserId"))
		t.LogonType = toStr(property(principal, "LogonType"))
		t.RunLevel = toStr(property(principal, "RunLevel"))
	}
	if !knownAccount(st.Scenario.Device, t.UserID) {
		return nil, c.writeError(cimError(c, "0x80070534", "NotSpecified", "No mapping between account names and security IDs was done."))
	}
	key := taskKey(path, name)
	if _, dup := st.Tasks[key]; dup && !args.flag("Force") {
		return nil, c.writeError(cimError(c, "0x800700b7", "ResourceExists", "Cannot create a file when that file already exists."))
	}
	if st.Tasks == nil {
		st.Tasks = map[string]*simTask{}
	}
	st.Tasks[key] = t
	c.changed()
	return []any{taskObject(t)}, nil
}

func taskObject(t *simTask) *psObject {
	return obj(cimTaskNS+"MSFT_ScheduledTask", "TaskPath", t.Path, "TaskName", t.Name, "State", psEnum{taskStates[t.State], t.State})
}

func getTask(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	t, name := c.task(args)
	if t == nil {
		return nil, c.writeError(taskNotFound(c, name))
	}
	return []any{taskObject(t)}, nil
}

func getTaskInfo(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	t, _ := c.task(args)
	if t == nil {
		return nil, c.writeError(cimError(c, "0x80070002", "ObjectNotFound", "The system cannot find the file specified."))
	}
	var last any
	if !t.LastRunTime.IsZero() {
		last = t.LastRunTime
	}
	return []any{obj(cimTaskNS+"MSFT_TaskDynamicInfo", "LastRunTime", last, "LastTaskResult", t.LastTaskResult,
		"NextRunTime", nil, "NumberOfMissedRuns", int64(0), "TaskName", t.Name, "TaskPath", t.Path, "PSComputerName", nil)}, nil
}

func stopTask(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	t, _ := c.task(args)
	if t == nil {
		return nil, c.writeError(cimError(c, "0x80070002", "ObjectNotFound", "The system cannot find the file specified."))
	}
	if t.State == taskRunning {
		t.State = taskReady
		c.changed()
	}
	return nil, nil
}

func unregisterTask(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	t, name := c.task(args)
	if t == nil {
		return nil, c.writeError(taskNotFound(c, name))
	}
	delete(c.st().Tasks, taskKey(t.Path, t.Name))
	c.changed()
	return nil, nil
}

// startTask runs the task's action now, in its principal's context.
func startTask(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	t, _ := c.task(args)
	if t == nil {
		return nil, c.writeError(cimError(c, "0x80070002", "ObjectNotFound", "The system cannot find the file specified."))
	}
	s := c.in.s
	st := c.st()
	t.LastRunTime = s.now()
	c.changed()
	dev := st.Scenario.Device
	if strings.EqualFold(t.LogonType, "Interactive") && !signedIn(dev, t.UserID) {
		t.LastTaskResult = errNotLoggedOn
		return nil, nil
	}
	script, ok := powerShellFile(t.Execute, t.Arguments)
	if !ok {
		return nil, c.writeError(notSimulatedRecord(c, "a task action other than powershell.exe -File ("+t.Execute+" "+t.Arguments+")"))
	}
	as := identity{context: ContextSystem, elevated: true, label: `\` + strings.TrimPrefix(t.Path, `\`) + t.Name}
	if signedIn(dev, t.UserID) {
		as = identity{context: ContextUser, elevated: strings.EqualFold(t.RunLevel, "Highest"), label: dev.User + " " + as.label}
	}
	t.State = taskRunning
	res, err := s.runFile(joinWin(t.WorkingDirectory, script), t.WorkingDirectory, as)
	if err != nil {
		return nil, err
	}
	t.State = taskReady
	t.LastTaskResult = int64(uint32(res.code))
	return nil, nil
}

// startProcess models Start-Process for powershell.exe -File SCRIPT: the
// script runs in the current context, its output goes to the redirection
// files, and -PassThru returns the process with its ExitCode.
func startProcess(c *cmdletCtx, args boundArgs, _ []any) ([]any, error) {
	exe, _ := args.str("FilePath")
	argList := strings.Join(args.strs("ArgumentList"), " ")
	wd, _ := args.str("WorkingDirectory")
	script, ok := powerShellFile(exe, argList)
	if !ok || !args.flag("Wait") {
		return nil, c.writeError(notSimulatedRecord(c, "Start-Process other than powershell.exe -File with -Wait"))
	}
	s := c.in.s
	st := c.st()
	as := identity{context: st.Scenario.Device.Context, elevated: st.Scenario.Device.Elevated, label: s.runAs}
	res, err := s.runFile(joinWin(wd, script), wd, as)
	if err != nil {
		return nil, err
	}
	for param, text := range map[string]string{"RedirectStandardOutput": res.stdout, "RedirectStandardError": res.stderr} {
		if p, ok := args.str(param); ok {
			if !st.isDir(fsParent(fsKey(p))) {
				return nil, c.writeError(c.record("InvalidOperationException", "InvalidOperation",
					"This command cannot be run due to the error: Could not find a part of the path '"+p+"'.", "", "", "InvalidOperationException"))
			}
			if st.Files == nil {
				st.Files = map[string]string{}
			}
			st.Files[fsKey(p)] = text
		}
	}
	c.changed()
	if !args.flag("PassThru") {
		return nil, nil
	}
	return []any{obj("System.Diagnostics.Process", "Id", int64(4242), "ProcessName", "powershell", "ExitCode", int64(res.code), "HasExited", true)}, nil
}

// powerShellFile returns the script that `EXE ARGS` runs when EXE is
// powershell.exe and ARGS hold -File SCRIPT.
func powerShellFile(exe, args string) (string, bool) {
	base := strings.ToLower(exe[strings.LastIndexAny(exe, `\/`)+1:])
	if base != "powershell.exe" && base != "powershell" {
		return "", false
	}
	f := splitWinArgs(args)
	for i, a := range f {
		if strings.EqualFold(a, "-File") && i+1 < len(f) {
			return f[i+1], true
		}
	}
	return "", false
}

// splitWinArgs splits a command line as CommandLineToArgvW does for the
// plain cases: spaces separate, double quotes group.
func splitWinArgs(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, any := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, any = !quoted, true
		case r == ' ' && !quoted:
			if any {
				out = append(out, cur.String())
			}
			cur.Reset()
			any = false
		default:
			cur.WriteRune(r)
			any = true
		}
	}
	if any {
		out = append(out, cur.String())
	}
	return out
}

func joinWin(dir, p string) string {
	if len(p) > 1 && p[1] == ':' || dir == "" {
		return p
	}
	return strings.TrimRight(dir, `\`) + `\` + p
}

// identity is who a script file runs as.
type identity struct {
	context  Context
	elevated bool
	label    string // recorded with each line: the user and the task
}

// runAsOverride keeps the device's own context while a script runs as
// someone else, so that the saved device never keeps the borrowed one.
type runAsOverride struct {
	context  Context
	elevated bool
}

// runFile runs a script file line by line, as powershell.exe -File does,
// as the given identity, and returns its output and exit code: the code
// of `exit N`, else 0. Each line is recorded with the identity.
func (s *session) runFile(path, dir string, as identity) (nativeResult, error) {
	st := s.st
	text, ok := st.Files[fsKey(path)]
	if !ok {
		msg := fmt.Sprintf("The argument '%s' to the -File parameter does not exist. Provide the path to an existing '.ps1' file as an argument to the -File parameter.", path)
		return nativeResult{stderr: msg + "\r\n", code: -196608}, nil
	}
	var out, errOut bytes.Buffer
	child := &session{dir: s.dir, id: s.id, now: s.now, stdout: &out, stderr: &errOut, bootChecked: true, lastOK: true,
		vars: map[string]any{"psscriptroot": strings.TrimRight(dir, `\`)}, st: st, runAs: as.label}
	dev := &st.Scenario.Device
	if st.runAs == nil {
		st.runAs = &runAsOverride{context: dev.Context, elevated: dev.Elevated}
		defer func() { dev.Context, dev.Elevated, st.runAs = st.runAs.context, st.runAs.elevated, nil }()
	}
	dev.Context, dev.Elevated = as.context, as.elevated
	code := 0
	for _, line := range strings.Split(strings.ReplaceAll(strings.TrimPrefix(text, "\ufeff"), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := record(s.dir, Recorded{Time: s.now().UTC(), Command: line, Line: line, RunAs: as.label}); err != nil {
			return nativeResult{}, err
		}
		stmts, perrs := parseLine(line)
		if len(perrs) > 0 {
			if err := child.writeErr(parserErrorRecord(line, perrs).render()); err != nil {
				return nativeResult{}, err
			}
			code = 1
			break
		}
		in := &interp{s: child, line: line}
		err := in.runStmts(stmts, 0, nil)
		if ex, ok := err.(exitSignal); ok {
			code = ex.code
			break
		}
		if err != nil {
			return nativeResult{}, err
		}
	}
	if child.dirty {
		s.dirty = true
	}
	return nativeResult{stdout: out.String(), stderr: errOut.String(), code: code}, nil
}

// exitCodeOf converts the value of `exit VALUE` to a process exit code.
func exitCodeOf(v any) int {
	switch x := v.(type) {
	case int64:
		return int(int32(x))
	case int:
		return x
	case nil:
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(toStr(v)))
	if err != nil {
		return 1
	}
	return n
}

// Tasks returns the names of the tasks registered on the simulated device
// in stateDir and the files under C:\ProgramData\caafix, for tests that
// check nothing was left behind.
func Tasks(stateDir string) (tasks, files []string, err error) {
	st, err := loadState(stateDir)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range st.Tasks {
		tasks = append(tasks, t.Path+t.Name)
	}
	sort.Strings(tasks)
	return tasks, st.filesUnder(`C:\ProgramData\caafix`), nil
}
