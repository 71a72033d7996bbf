package scripts

import "github.com/caafix/caafix/pshost"

// A command of a user step, sent while caafix runs as SYSTEM, runs in the
// signed-in user's session as a one-shot scheduled task with the user's
// principal (design.md, "Who runs a step"). The task gets its own folder,
// %ProgramData%\caafix\session\NAME:
//
//	command.ps1  the command, then `exit $LASTEXITCODE`     (user: read)
//	run.ps1      runs command.ps1 with its output redirected (user: read)
//	out\         stdout.txt, stderr.txt, exit.txt            (user: modify)
//
// The task runs `powershell.exe -File run.ps1`, not -EncodedCommand: the
// command stays readable in the folder and in the task's definition, and
// security products flag encoded PowerShell as an attack technique
// (MITRE ATT&CK T1027.010). A script file must not be writable by the user
// it runs as, or a program in the user's session could change what runs
// with the user's elevated token: session\ and the task's folder are
// writable only by SYSTEM and Administrators (their inheritance cut), the
// user may read the scripts and write only in out\. What comes back from
// out\ is the user's data: caafix parses it as text and a number, nothing
// more.

// UserTaskFolder is the Task Scheduler folder of the one-shot user tasks.
const UserTaskFolder = `\caafix\`

// The sids of SYSTEM and the local Administrators group, which alone may
// write the scripts.
const (
	sidSystem = "*S-1-5-18"
	sidAdmins = "*S-1-5-32-544"
)

// UserTask is one command run in the signed-in user's session.
type UserTask struct {
	Name     string // the task's name, and its folder's
	User     string // the principal, as Win32_ComputerSystem names the user (AzureAD\alex)
	Elevated bool   // RunLevel Highest: the user's elevated token, when the user has one
}

func (t UserTask) folder() string { return `caafix\session\` + t.Name }

// runScript runs command.ps1 from the task's folder with its output in
// out\ and writes its exit code last: exit.txt exists only once the
// command has ended.
const runScript = `$d = $PSScriptRoot; $p = Start-Process -FilePath 'powershell.exe' -ArgumentList '-NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File command.ps1' -WorkingDirectory $d -RedirectStandardOutput (Join-Path $d 'out\stdout.txt') -RedirectStandardError (Join-Path $d 'out\stderr.txt') -NoNewWindow -Wait -PassThru; Set-Content -LiteralPath (Join-Path $d 'out\exit.txt') -Value $p.ExitCode -Encoding Ascii`

// UserTaskPrepare creates the task's folder with its permissions and
// writes the scripts. It prints `acl` and the exit codes of the three
// icacls calls: the task must not start unless all are 0.
func UserTaskPrepare(t UserTask, command string) string {
	return pshost.Build(`$s = Join-Path $env:ProgramData 'caafix\session'; $d = Join-Path $env:ProgramData %v; New-Item -ItemType Directory -Path $s -Force -ErrorAction Stop | Out-Null; icacls $s /inheritance:r /grant:r %v %v | Out-Null; $a = $LASTEXITCODE; New-Item -ItemType Directory -Path (Join-Path $d 'out') -Force -ErrorAction Stop | Out-Null; icacls $d /grant %v | Out-Null; $b = $LASTEXITCODE; icacls (Join-Path $d 'out') /grant %v | Out-Null; $c = $LASTEXITCODE; Set-Content -LiteralPath (Join-Path $d 'command.ps1') -Value %v, 'exit $LASTEXITCODE' -Encoding UTF8 -ErrorAction Stop; Set-Content -LiteralPath (Join-Path $d 'run.ps1') -Value %v -Encoding UTF8 -ErrorAction Stop; Write-Output ('acl ' + $a + ' ' + $b + ' ' + $c)`,
		t.folder(), sidSystem+":(OI)(CI)F", sidAdmins+":(OI)(CI)F",
		t.User+":(OI)(CI)RX", t.User+":(OI)(CI)M", command, runScript)
}

// UserTaskStart registers the one-shot task with the user's principal
// (interactive: it runs in the user's session, and only while the user is
// signed in) and starts it.
func UserTaskStart(t UserTask) string {
	level := "Limited"
	if t.Elevated {
		level = "Highest"
	}
	return pshost.Build(`$d = Join-Path $env:ProgramData %v; $a = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument '-NoLogo -NoProfile -NonInteractive -WindowStyle Hidden -ExecutionPolicy Bypass -File run.ps1' -WorkingDirectory $d; $p = New-ScheduledTaskPrincipal -UserId %v -LogonType Interactive -RunLevel %v; Register-ScheduledTask -TaskName %v -TaskPath %v -Action $a -Principal $p -Force -ErrorAction Stop | Out-Null; Start-ScheduledTask -TaskName %v -TaskPath %v -ErrorAction Stop`,
		t.folder(), t.User, level, t.Name, UserTaskFolder, t.Name, UserTaskFolder)
}

// UserTaskPoll prints the task's state and its last result, one a line.
func UserTaskPoll(t UserTask) string {
	return pshost.Build(`Get-ScheduledTask -TaskName %v -TaskPath %v | Select-Object -ExpandProperty State; Get-ScheduledTaskInfo -TaskName %v -TaskPath %v | Select-Object -ExpandProperty LastTaskResult`,
		t.Name, UserTaskFolder, t.Name, UserTaskFolder)
}

// The files the task leaves in out\.
const (
	UserTaskStdout = "stdout.txt"
	UserTaskStderr = "stderr.txt"
	UserTaskExit   = "exit.txt"
)

// UserTaskRead prints one of the task's output files as it is.
func UserTaskRead(t UserTask, file string) string {
	return pshost.Build(`Get-Content -LiteralPath (Join-Path $env:ProgramData %v) -Raw -ErrorAction Stop`, t.folder()+`\out\`+file)
}

// UserTaskCleanup stops and unregisters the task and deletes its folder;
// it is sent whatever happened before, and finding nothing is not an
// error.
func UserTaskCleanup(t UserTask) string {
	return pshost.Build(`Stop-ScheduledTask -TaskName %v -TaskPath %v -ErrorAction SilentlyContinue; Unregister-ScheduledTask -TaskName %v -TaskPath %v -Confirm:$false -ErrorAction SilentlyContinue; Remove-Item -LiteralPath (Join-Path $env:ProgramData %v) -Recurse -Force -ErrorAction SilentlyContinue`,
		t.Name, UserTaskFolder, t.Name, UserTaskFolder, t.folder())
}
