//go:build windows

package pshost

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"unsafe"

	"github.com/bhendo/go-powershell/backend"
	"golang.org/x/sys/windows"
)

// PowerShell starts Windows PowerShell (powershell.exe) for a [Host].
type PowerShell struct {
	// Path is the absolute path of powershell.exe. It is never looked up
	// on PATH: caafix runs as SYSTEM, and a PATH entry that an ordinary
	// user can write must not decide what runs.
	Path string
}

var _ backend.Starter = (*PowerShell)(nil)

// NewPowerShell returns a starter for the system's powershell.exe.
func NewPowerShell() (*PowerShell, error) {
	dir, err := windows.GetSystemDirectory()
	if err != nil {
		return nil, fmt.Errorf("find the system directory: %w", err)
	}
	return &PowerShell{Path: filepath.Join(dir, `WindowsPowerShell\v1.0\powershell.exe`)}, nil
}

// StartProcess starts powershell.exe reading commands from stdin. The name
// and arguments go-powershell passes are replaced by caafix's own: no
// profile (a user profile must not change what SYSTEM runs), no logo, no
// prompts.
func (p *PowerShell) StartProcess(string, ...string) (backend.Waiter, io.Writer, io.Reader, io.Reader, error) {
	cmd := exec.Command(p.Path, "-NoLogo", "-NoProfile", "-NonInteractive", "-NoExit", "-Command", "-")
	// Commands start in the system directory: a run must not depend on
	// where the RMM agent happened to launch caafix, and must not load
	// DLLs or modules from there.
	cmd.Dir = filepath.Dir(filepath.Dir(filepath.Dir(p.Path)))
	cmd.Env = os.Environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: windows.CREATE_NO_WINDOW | windows.CREATE_SUSPENDED}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("stdin pipe: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("stdout pipe: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("stderr pipe: %w", err)
	}
	job, err := newKillJob()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		windows.CloseHandle(job)
		return nil, nil, nil, nil, fmt.Errorf("start %s: %w", p.Path, err)
	}
	proc := &jobProcess{cmd: cmd, job: job}
	// The child starts suspended so that it is in the job before it can
	// start children of its own; killing the job then kills them all.
	if err := assignAndResume(job, cmd.Process.Pid); err != nil {
		_ = proc.Kill()
		_ = cmd.Wait()
		return nil, nil, nil, nil, err
	}
	return proc, stdin, stdout, stderr, nil
}

type jobProcess struct {
	cmd  *exec.Cmd
	job  windows.Handle
	once sync.Once
}

func (p *jobProcess) Wait() error {
	err := p.cmd.Wait()
	p.closeJob()
	return err
}

// Kill terminates the whole process tree.
func (p *jobProcess) Kill() error {
	err := windows.TerminateJobObject(p.job, 1)
	if err != nil {
		err = p.cmd.Process.Kill()
	}
	return err
}

func (p *jobProcess) closeJob() {
	p.once.Do(func() { windows.CloseHandle(p.job) })
}

func newKillJob() (windows.Handle, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return 0, fmt.Errorf("create job object: %w", err)
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{
			LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
		},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return 0, fmt.Errorf("set job object limits: %w", err)
	}
	return job, nil
}

func assignAndResume(job windows.Handle, pid int) error {
	ph, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		return fmt.Errorf("open powershell.exe process: %w", err)
	}
	defer windows.CloseHandle(ph)
	if err := windows.AssignProcessToJobObject(job, ph); err != nil {
		return fmt.Errorf("put powershell.exe in its job object: %w", err)
	}
	return resumeProcess(uint32(pid))
}

// resumeProcess resumes the threads of a process started suspended.
func resumeProcess(pid uint32) error {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPTHREAD, 0)
	if err != nil {
		return fmt.Errorf("list threads of powershell.exe: %w", err)
	}
	defer windows.CloseHandle(snap)
	var te windows.ThreadEntry32
	te.Size = uint32(unsafe.Sizeof(te))
	resumed := 0
	for err = windows.Thread32First(snap, &te); err == nil; err = windows.Thread32Next(snap, &te) {
		if te.OwnerProcessID != pid {
			continue
		}
		th, oerr := windows.OpenThread(windows.THREAD_SUSPEND_RESUME, false, te.ThreadID)
		if oerr != nil {
			return fmt.Errorf("open thread of powershell.exe: %w", oerr)
		}
		_, rerr := windows.ResumeThread(th)
		windows.CloseHandle(th)
		if rerr != nil {
			return fmt.Errorf("resume powershell.exe: %w", rerr)
		}
		resumed++
	}
	if resumed == 0 {
		return fmt.Errorf("resume powershell.exe: no thread found")
	}
	return nil
}
