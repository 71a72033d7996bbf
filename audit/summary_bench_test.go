package audit

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var fleetLog = flag.String("fleetlog", "", "BenchmarkSummarize: keep the generated fleet log at this path (reused if it exists), e.g. to time jq on the same file")

// writeFleet writes a fleet log of at least n lines with the real trail:
// 5,000 devices over 30 days, each run gathering facts with 12 commands,
// 7 policy decisions of which 3 block, and outcomes mostly healthy.
func writeFleet(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	c := &stepClock{t: t0}
	tr, err := Open("-", Options{Stdout: bw, Now: c.now})
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	blocks := [][2]string{{"disruptive-needs-consent", "restart"}, {"disruptive-needs-consent", "office-repair"}, {"dangerous-needs-consent", "leave-entra"}}
	const devices = 5000
	span := 30 * 24 * time.Hour
	lines := 0
	for i := 0; lines < n; i++ {
		r := fleetRun{
			device: fmt.Sprintf("PC-%05d", rng.IntN(devices)),
			id:     fmt.Sprintf("20261128T080000Z-%012x", i),
			at:     t0.Add(time.Duration(rng.Int64N(int64(span)))),
			blocks: blocks,
			output: 100 + rng.IntN(700),
			cmds:   12,
		}
		switch p := rng.IntN(100); {
		case p < 70:
			r.outcome = "healthy"
		case p < 90:
			r.symptom, r.outcome, r.fixedBy = true, "fixed", []string{"wam-cache", "clock", "office-credentials"}[rng.IntN(3)]
		case p < 97:
			r.symptom, r.outcome, r.message = true, "blocked", "CAA50021 persists after the local fixes that policy allowed. Check the user's Entra ID sign-in logs, Conditional Access policies and the device's compliance state."
		default:
			r.symptom, r.outcome, r.message = true, "escalate", "Conditional Access blocks this device (AADSTS53000): check its compliance in Intune."
		}
		lines += 2*r.cmds + 2*len(blocks) + 4
		if r.symptom {
			lines += 4
		}
		writeRun(tb, tr, c, r)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSummarize summarizes a generated fleet log of 1,000,000 lines.
// Compare with jq on the same file: docs/performance.md.
func BenchmarkSummarize(b *testing.B) {
	path := *fleetLog
	if path == "" {
		path = filepath.Join(b.TempDir(), "fleet.jsonl")
	}
	if _, err := os.Stat(path); err != nil {
		writeFleet(b, path, 1_000_000)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("1M-lines", func(b *testing.B) {
		b.SetBytes(info.Size())
		b.ReportAllocs()
		for b.Loop() {
			s, err := SummarizePaths([]string{path}, SummaryOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if s.Lines < 1_000_000 || s.Skipped != 0 {
				b.Fatalf("%d lines, %d skipped", s.Lines, s.Skipped)
			}
		}
	})
}

// BenchmarkParseLine compares the summary's scan of a line with decoding
// the same members into a small struct with encoding/json, on the lines of
// a generated fleet log (docs/performance.md).
func BenchmarkParseLine(b *testing.B) {
	path := filepath.Join(b.TempDir(), "fleet.jsonl")
	writeFleet(b, path, 20_000)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	ls := lines(data)
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		var l sumLine
		for b.Loop() {
			for _, line := range ls {
				if !parseSumLine(line, &l) {
					b.Fatal("refused")
				}
			}
		}
	})
	b.Run("json.Unmarshal-struct", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			for _, line := range ls {
				var v struct {
					Schema   int    `json:"schema"`
					Time     string `json:"time"`
					Event    string `json:"event"`
					RunID    string `json:"run_id"`
					Device   string `json:"device"`
					Outcome  string `json:"outcome"`
					FixedBy  string `json:"fixed_by"`
					Message  string `json:"message"`
					Decision string `json:"decision"`
					Rule     string `json:"rule"`
					Step     string `json:"step"`
					Symptom  *struct {
						Present bool `json:"present"`
					} `json:"symptom"`
				}
				if err := json.Unmarshal(line, &v); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
