package audit

import (
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkWrite measures writing a step.output line of 1 KiB of output
// to a file through lumberjack, rotating at 2 MB with compressed backups,
// and a Sync (the one before a disruptive step) through a handle of its own.
func BenchmarkWrite(b *testing.B) {
	out := strings.Repeat("0123456789abcdef", 64)
	for _, bc := range []struct {
		name string
		rot  Rotation
	}{
		{"no-rotation", Rotation{MaxSizeMB: 100 << 10}},
		{"rotate-2MB-compress", Rotation{MaxSizeMB: MinRotateMB, Compress: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tr, err := Open(filepath.Join(b.TempDir(), "audit.jsonl"), Options{Rotate: &bc.rot})
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			e := Event{Name: "step.output", Step: "clock", Uses: "w32tm.resync", Fields: map[string]any{"phase": "action", "stdout": out, "stderr": ""}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := tr.Write(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("sync", func(b *testing.B) {
		tr, err := Open(filepath.Join(b.TempDir(), "audit.jsonl"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer tr.Close()
		if err := tr.Write(Event{Name: "run.start"}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := tr.Sync(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
