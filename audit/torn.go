package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// errTornTail marks a log whose last line has no line end: caafix stopped
// while writing it (power loss; a write to a file is not cut by kill -9,
// but the disk may not have kept all of it).
var errTornTail = errors.New("it is incomplete (caafix stopped while writing it, or the file was cut)")

// recoverTail moves a torn last line out of the log f of the given size
// so that the chain can
// go on from the last complete line: the fragment is saved, byte for byte,
// to PATH.torn-TIME beside the log (synced before the log is cut), the log
// is truncated to its last line end, and the next line written is an
// audit.recovered event naming the fragment's file, size and SHA-256. The
// fragment holds no hash, so no line of the chain depends on it. It
// returns the log's new size and the event to write first.
func recoverTail(f *os.File, size int64, path string, now time.Time) (int64, *Event, error) {
	n := min(size, MaxLine+2)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil {
		return 0, nil, err
	}
	i := bytes.LastIndexByte(buf, '\n')
	if i < 0 && n < size {
		return 0, nil, fmt.Errorf("%w: it is longer than %d bytes", errBadTail, MaxLine)
	}
	frag := buf[i+1:]
	keep := size - int64(len(frag))
	// The chain must go on from a sound line; otherwise the damage is
	// more than a torn write, and the log is left as it is.
	if _, _, err := lastOf(f, keep); err != nil {
		return 0, nil, err
	}
	side := fmt.Sprintf("%s.torn-%s", path, now.UTC().Format("20060102T150405.000000000Z"))
	sf, err := os.OpenFile(side, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, nil, fmt.Errorf("keep the torn last line: %w", err)
	}
	if _, err := sf.Write(frag); err != nil {
		sf.Close()
		return 0, nil, fmt.Errorf("keep the torn last line: %w", err)
	}
	if err := sf.Sync(); err != nil {
		sf.Close()
		return 0, nil, fmt.Errorf("keep the torn last line: %w", err)
	}
	if err := sf.Close(); err != nil {
		return 0, nil, fmt.Errorf("keep the torn last line: %w", err)
	}
	if err := f.Truncate(keep); err != nil {
		return 0, nil, fmt.Errorf("cut the torn last line: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, nil, fmt.Errorf("cut the torn last line: %w", err)
	}
	sum := sha256.Sum256(frag)
	return keep, &Event{Name: "audit.recovered",
		Reason: "the log ended in a line caafix did not finish writing; it was moved to " + filepath.Base(side),
		Fields: map[string]any{"torn_file": filepath.Base(side), "torn_bytes": len(frag), "torn_sha256": hex.EncodeToString(sum[:])}}, nil
}
