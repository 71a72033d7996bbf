// Package task builds the Task Scheduler definitions caafix registers: the
// self-healing task that runs "caafix run --self-heal" every few hours (and
// optionally at logon), and the one-shot resume task that starts caafix
// again after a restart it scheduled. It decides what the XML says — the
// triggers, the principal, the settings a fleet wants — and how the file is
// encoded; it never talks to Task Scheduler (scripts and the executor do,
// through schtasks.exe).
//
// # Invariants
//
// The XML is produced with encoding/xml from typed structs, never from a
// string template, so every value is escaped. Elements appear in the order
// Microsoft's published schema (task-scheduler.xsd) demands: Enabled first
// in each trigger, a Principal with an id that the Actions' Context names,
// and no LogonType for SYSTEM. Tests validate every generated document
// against that schema with xmllint.
//
// schtasks /Create /XML reads the file as UTF-16 only when it starts with
// the UTF-16LE byte-order mark and declares encoding="UTF-16"; a UTF-8 file
// is refused as "The task XML is malformed" on many builds. [Document.UTF16]
// produces exactly that form; [Document.Text] is the same document as UTF-8
// text for people to read.
//
// Arguments are quoted for the Windows command line (CommandLineToArgvW's
// rules, which Go's own runtime follows when it parses os.Args): an
// argument with a space, tab or quote is wrapped in quotes, with
// backslashes before a quote doubled. Task Scheduler also expands
// environment variables written as %NAME% in a command and its arguments,
// and has no escape for that: a path that contains such a pair of percent
// signs is changed when the task runs. caafix's own paths do not.
package task
