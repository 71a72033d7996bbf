package audit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/caafix/caafix/internal/syncdir"
)

// Rotation starts a new log file when the current one is full. lumberjack
// rotates: the full file is renamed to NAME-<UTC time>.EXT beside it
// (audit-2026-11-28T15-07-26.000.jsonl) and a new one takes its place.
// Then the trail compresses backups to NAME-<UTC time>.EXT.gz, as
// lumberjack names them, and removes old ones by count and age. The chain
// goes on across files: the first line of the new file has the seq after,
// and the hash of, the last line of the backup.
//
// Compressing and removing are the trail's, not lumberjack's: lumberjack
// does them in a goroutine that cannot be waited for, writes the .gz
// without a sync before it deletes the plain file (a power cut can lose
// the backup), and two such goroutines on the same folder (the next run
// starting while the last one exits) can delete a backup that both
// compressed. The trail does them in line, at the rotation, synced.
type Rotation struct {
	MaxSizeMB  int  // the size that triggers rotation; 0 or less means 100
	MaxBackups int  // rotated files to keep, oldest removed first; 0 keeps all
	MaxAgeDays int  // remove backups older than this; 0 keeps them whatever their age
	Compress   bool // gzip backups (in the background, after the rotation)

	maxBytes int64 // overrides MaxSizeMB for the trigger, in tests
}

// MinRotateMB is the smallest MaxSizeMB: a file must hold the longest line.
const MinRotateMB = 2

// backupLayout is lumberjack's time stamp in backup names, in UTC.
const backupLayout = "2006-01-02T15-04-05.000"

const gzSuffix = ".gz"

func (r Rotation) logger(path string) *lumberjack.Logger {
	// No MaxBackups, MaxAge or Compress: see Rotation.
	return &lumberjack.Logger{Filename: path, MaxSize: r.sizeMB()}
}

func (r Rotation) sizeMB() int {
	if r.MaxSizeMB <= 0 {
		return 100
	}
	return max(r.MaxSizeMB, MinRotateMB)
}

func (r Rotation) limit() int64 {
	if r.maxBytes > 0 {
		return r.maxBytes
	}
	return int64(r.sizeMB()) << 20
}

// rotateIfFull hands the file to lumberjack for rotation when a line of n
// bytes would fill it. The trail decides when, not lumberjack, so that it
// can sync the file first: lumberjack closes and renames it without a
// sync, and the lines in it would otherwise be on disk only when the OS
// gets round to it. lumberjack's own limit is the same size, so it never
// rotates on its own.
//
// Rotation is housekeeping: when it fails (on Windows another program may
// hold the file open without sharing delete), the trail writes on in the
// current file and tries again at the next line. Only a failed sync
// breaks the trail.
func (t *Trail) rotateIfFull(n int64) {
	if t.size == 0 || t.size+n < t.max {
		return
	}
	if err := t.syncFile(); err != nil {
		t.broken = &WriteError{Path: t.path, Op: "sync", Err: err}
		return
	}
	t.freeBackupName()
	if err := t.lj.Rotate(); err != nil {
		t.rotateErr = err
		return
	}
	t.rotateErr = nil
	t.size = 0
	t.rotated = time.Now().UTC().Truncate(time.Millisecond)
	t.housekeep()
}

// housekeep compresses the plain backups and removes the old ones, as
// configured. Failures cost disk space, not the record: the next rotation
// tries again.
func (t *Trail) housekeep() {
	backups, err := Backups(t.path)
	if err != nil {
		return
	}
	if t.rot.Compress {
		for i, b := range backups {
			if !strings.HasSuffix(b, gzSuffix) {
				if err := compressFile(b); err == nil {
					backups[i] = b + gzSuffix
				}
			}
		}
	}
	if t.rot.MaxAgeDays > 0 {
		cutoff := time.Now().UTC().AddDate(0, 0, -t.rot.MaxAgeDays)
		kept := backups[:0]
		for _, b := range backups {
			if at, ok := backupTime(t.path, b); ok && at.Before(cutoff) {
				if os.Remove(b) == nil {
					continue
				}
			}
			kept = append(kept, b)
		}
		backups = kept
	}
	for t.rot.MaxBackups > 0 && len(backups) > t.rot.MaxBackups {
		_ = os.Remove(backups[0])
		backups = backups[1:]
	}
}

// backupTime reads the time in a backup's name.
func backupTime(path, backup string) (time.Time, bool) {
	_, base, ext := splitPath(path)
	stamp := strings.TrimSuffix(filepath.Base(backup), gzSuffix)
	stamp = strings.TrimSuffix(strings.TrimPrefix(stamp, base+"-"), ext)
	at, err := time.Parse(backupLayout, stamp)
	return at, err == nil
}

// compressFile gzips path to path.gz and removes path. The .gz is written
// under a temporary name, synced, and renamed into place before the plain
// file goes, so a crash leaves one complete copy or both.
func compressFile(path string) (err error) {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp := path + gzSuffix + ".tmp"
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			dst.Close()
			os.Remove(tmp)
		}
	}()
	zw := gzip.NewWriter(dst)
	if _, err := io.Copy(zw, src); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := dst.Sync(); err != nil {
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path+gzSuffix); err != nil {
		return err
	}
	if err := syncdir.Dir(filepath.Dir(path)); err != nil {
		return err
	}
	src.Close()
	return os.Remove(path)
}

// freeBackupName waits, at most a few milliseconds, until lumberjack's
// backup name for the current time is free: it names backups by the
// millisecond and replaces a file of the same name, so two rotations in
// one millisecond would lose the first backup.
func (t *Trail) freeBackupName() {
	dir, base, ext := splitPath(t.path)
	for range 1000 {
		now := time.Now().UTC()
		if now.Truncate(time.Millisecond).After(t.rotated) {
			name := filepath.Join(dir, base+"-"+now.Format(backupLayout)+ext)
			_, err1 := os.Lstat(name)
			_, err2 := os.Lstat(name + gzSuffix)
			if errors.Is(err1, fs.ErrNotExist) && errors.Is(err2, fs.ErrNotExist) {
				return
			}
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func splitPath(path string) (dir, base, ext string) {
	dir, name := filepath.Split(path)
	ext = filepath.Ext(name)
	return dir, strings.TrimSuffix(name, ext), ext
}

// Backups returns the rotated backups of the log at path, plain or
// gzip-compressed, in chain order: by the seq of their first lines, so
// that a clock set back between two rotations cannot reorder them, then by
// name. When a backup exists both plain and compressed (lumberjack was
// stopped while compressing it), the plain file is the complete one.
func Backups(path string) ([]string, error) {
	dir, base, ext := splitPath(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	plain := map[string]bool{}
	var names []string
	for _, e := range entries {
		stamp, ok := strings.CutPrefix(e.Name(), base+"-")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		gz := strings.HasSuffix(stamp, ext+gzSuffix)
		stamp = strings.TrimSuffix(stamp, gzSuffix)
		stamp, ok = strings.CutSuffix(stamp, ext)
		if _, err := time.Parse(backupLayout, stamp); !ok || err != nil {
			continue
		}
		if !gz {
			plain[e.Name()] = true
		}
		names = append(names, e.Name())
	}
	type backup struct {
		path string
		seq  int64
	}
	var out []backup
	for _, name := range names {
		if stripped, ok := strings.CutSuffix(name, gzSuffix); ok && plain[stripped] {
			continue
		}
		p := filepath.Join(filepath.Dir(path), name)
		out = append(out, backup{p, firstSeq(p)})
	}
	slices.SortStableFunc(out, func(a, b backup) int {
		if a.seq != b.seq {
			return int(min(max(a.seq-b.seq, -1), 1))
		}
		return strings.Compare(a.path, b.path)
	})
	paths := make([]string, len(out))
	for i, b := range out {
		paths[i] = b.path
	}
	return paths, nil
}

// firstSeq returns the seq of a log file's first line, or 0 when it has
// none that can be read: such a file sorts first, where Verify will name
// it.
func firstSeq(path string) int64 {
	r, err := openLog(path)
	if err != nil {
		return 0
	}
	defer r.Close()
	line, err := newLineReader(r).next()
	if err != nil {
		return 0
	}
	h, _, problem := parseLine(line)
	if problem != "" {
		return 0
	}
	return h.seq
}

// Files returns the files that hold the log at path, in chain order: its
// rotated backups, oldest first, then the file itself if it exists. Pass
// them to [VerifyFiles].
func Files(path string) ([]string, error) {
	out, err := Backups(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		out = append(out, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return out, nil
}

// openLog opens a log file for reading, decompressing it when it starts
// with gzip's magic bytes, whatever its name.
func openLog(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(f)
	if magic, _ := br.Peek(2); !bytes.Equal(magic, gzipMagic) {
		return struct {
			io.Reader
			io.Closer
		}{br, f}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: read gzip: %w", path, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

// lastOfBackups continues from the newest rotated backup of path, if any.
// A compressed backup is read to its end: it is the one way to find its
// last line, and it happens once per Open, only when the current file is
// empty.
func lastOfBackups(path string) (int64, string, error) {
	backups, err := Backups(path)
	if err != nil || len(backups) == 0 {
		return 0, "", err
	}
	newest := backups[len(backups)-1]
	if !strings.HasSuffix(newest, gzSuffix) {
		f, err := os.Open(newest)
		if err != nil {
			return 0, "", err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return 0, "", err
		}
		seq, head, err := lastOf(f, info.Size())
		if err != nil {
			return 0, "", fmt.Errorf("%s: %w", newest, err)
		}
		return seq, head, nil
	}
	r, err := openLog(newest)
	if err != nil {
		return 0, "", err
	}
	defer r.Close()
	lr := newLineReader(r)
	var last []byte
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, "", fmt.Errorf("%s: %w: %v", newest, errBadTail, err)
		}
		last = append(last[:0], line...)
	}
	if last == nil {
		return 0, "", nil
	}
	h, hash, problem := parseLine(last)
	if problem != "" {
		return 0, "", fmt.Errorf("%s: %w: %s", newest, errBadTail, problem)
	}
	return h.seq, hash, nil
}
