package escalation

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/caafix/caafix/audit"
	"github.com/caafix/caafix/internal/scrub"
)

// Size bounds: whatever the device prints, a bundle stays small enough to
// attach to a ticket.
const (
	maxText    = 64 << 10 // dsregcmd output, unparseable event output
	maxMessage = 4 << 10  // one event message
	maxAudit   = 2 << 20  // the run's audit lines
	// MaxBundle is the most a bundle's files hold together.
	MaxBundle = 4 << 20
)

// Options tune [Write].
type Options struct {
	// Zip writes DIR/NAME.zip instead of the folder DIR/NAME.
	Zip bool
	// RedactUsers replaces user names and e-mail addresses with the keyed
	// pseudonyms of a redacted audit log (see audit.Options.RedactUsers);
	// RedactKey must then be at least audit.MinRedactKey bytes.
	RedactUsers bool
	RedactKey   []byte
}

// Name returns the bundle's name: escalation-RUNID-TIME, legal as a file
// name on Windows.
func Name(c *Case) string {
	return "escalation-" + safeName.ReplaceAllString(c.RunID, "_") + "-" + c.Time.UTC().Format("20060102T150405Z")
}

var safeName = regexp.MustCompile(`[^A-Za-z0-9-]`)

// Write writes the case's bundle into dir (created if needed) and returns
// its path: the folder DIR/NAME, or DIR/NAME.zip with [Options.Zip]. It
// writes under a temporary name and renames, so the path holds a whole
// bundle or nothing; it never replaces an existing bundle.
func Write(dir string, c *Case, o Options) (string, error) {
	files, err := Files(c, o)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create the escalation folder %s: %w", dir, err)
	}
	name := Name(c)
	if o.Zip {
		return writeZip(dir, name, files)
	}
	return writeFolder(dir, name, files)
}

// File is one file of a bundle.
type File struct {
	Name string
	Data []byte
}

// Files returns the bundle's files, scrubbed, redacted and bounded, in
// the order they are written.
func Files(c *Case, o Options) ([]File, error) {
	if c.RunID == "" || c.Time.IsZero() {
		return nil, errors.New("escalation bundle: the case has no run id or time")
	}
	red := func(s string) string { return s }
	v := &view{c: c, ev: gatherEvidence(c)}
	user := ""
	if c.Facts != nil {
		user = c.Facts.User
	}
	v.user, v.upn = user, upn(v.ev)
	if o.RedactUsers {
		r, err := audit.NewRedactor(o.RedactKey)
		if err != nil {
			return nil, fmt.Errorf("escalation bundle: %w", err)
		}
		users := []string{user}
		red = func(s string) string { return r.Text(s, users...) }
		v.user, v.upn, v.redacted = r.User(user), r.Text(v.upn), true
	}
	clean := func(s string) string { return red(scrub.Text(s)) }

	lines, omitted := boundLines(c.AuditLines, maxAudit)
	var audit strings.Builder
	for _, l := range lines {
		out := clean(l)
		if out != l {
			v.changed++
		}
		audit.WriteString(out + "\n")
	}
	v.omitted = omitted

	facts, err := factsJSON(c, clean)
	if err != nil {
		return nil, err
	}
	files := []File{
		{FileReadme, []byte(clean(v.markdown()))},
		{FileFacts, facts},
		{FileDsreg, []byte(clean(clip(c.Dsreg, maxText)))},
		{FileEvents, []byte(clean(eventsText(v.ev, c.Events)))},
		{FileAudit, []byte(audit.String())},
	}
	total := 0
	for _, f := range files {
		total += len(f.Data)
	}
	if total > MaxBundle {
		return nil, fmt.Errorf("escalation bundle: %d bytes, over the %d-byte bound", total, MaxBundle)
	}
	return files, nil
}

// upn is the user's sign-in name as dsregcmd shows it: the e-mail after
// the account name in Executing Account Name, else the SSO diagnostics'
// User Identity.
func upn(ev *evidence) string {
	if ev.dsreg == nil {
		return ""
	}
	for _, v := range []string{ev.dsreg.ExecutingAccount(), get(ev, "SSO State", "User Identity")} {
		for _, part := range strings.Split(v, ",") {
			if p := strings.TrimSpace(part); strings.Contains(p, "@") {
				return p
			}
		}
	}
	return ""
}

func get(ev *evidence, section, label string) string {
	v, _ := ev.dsreg.Get(section, label)
	return v
}

// factsJSON is facts.json: the facts and the OS, every string cleaned.
func factsJSON(c *Case, clean func(string) string) ([]byte, error) {
	doc := map[string]any{"run_id": c.RunID, "os": c.OS, "facts": c.Facts}
	if c.Evidence != nil {
		doc["evidence"] = c.Evidence
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("escalation bundle: facts: %w", err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, fmt.Errorf("escalation bundle: facts: %w", err)
	}
	out, err := json.MarshalIndent(scrub.Walk(tree, clean), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("escalation bundle: facts: %w", err)
	}
	return append(out, '\n'), nil
}

// boundLines keeps the first lines that fit in max bytes and says how many
// were left out.
func boundLines(lines []string, max int) ([]string, int) {
	n := 0
	for i, l := range lines {
		n += len(l) + 1
		if n > max {
			return lines[:i], len(lines) - i
		}
	}
	return lines, 0
}

// writeFolder writes the files into a temporary folder beside the bundle
// and renames it into place.
func writeFolder(dir, name string, files []File) (string, error) {
	final := filepath.Join(dir, name)
	if _, err := os.Lstat(final); !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("write the escalation bundle: %s already exists", final)
	}
	tmp, err := os.MkdirTemp(dir, "."+name+".tmp-")
	if err != nil {
		return "", fmt.Errorf("write the escalation bundle: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	for _, f := range files {
		if err := writeFile(filepath.Join(tmp, f.Name), f.Data); err != nil {
			return "", fmt.Errorf("write the escalation bundle: %w", err)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("write the escalation bundle: %w", err)
	}
	return final, nil
}

// writeZip writes DIR/NAME.zip, its entries in the folder NAME/, through a
// temporary file and a rename.
func writeZip(dir, name string, files []File) (string, error) {
	final := filepath.Join(dir, name+".zip")
	if _, err := os.Lstat(final); !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("write the escalation bundle: %s already exists", final)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name + "/" + f.Name, Method: zip.Deflate})
		if err != nil {
			return "", fmt.Errorf("write the escalation bundle: %w", err)
		}
		if _, err := w.Write(f.Data); err != nil {
			return "", fmt.Errorf("write the escalation bundle: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("write the escalation bundle: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".zip.tmp-")
	if err != nil {
		return "", fmt.Errorf("write the escalation bundle: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := syncClose(tmp, buf.Bytes()); err != nil {
		return "", fmt.Errorf("write the escalation bundle: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", fmt.Errorf("write the escalation bundle: %w", err)
	}
	return final, nil
}

func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	return syncClose(f, data)
}

// syncClose writes data, syncs and closes: the bundle is on disk before
// the rename makes it visible.
func syncClose(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
