package escalation

import (
	"testing"
	"time"
)

// BenchmarkWrite writes the bundle of the conditional-access golden case
// (real dsregcmd capture, AAD events, audit lines) as a folder, with a new
// time each round so that every bundle has a name of its own.
func BenchmarkWrite(b *testing.B) {
	c := *goldenCases(b)[0].c
	dir := b.TempDir()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Time = testNow.Add(time.Duration(i) * time.Second)
		if _, err := Write(dir, &c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFilesLargeAudit builds the files of a case with 2 MiB of audit
// lines, the most a bundle keeps: the cost is the scrubbing.
func BenchmarkFilesLargeAudit(b *testing.B) {
	c := *goldenCases(b)[0].c
	line := `{"schema":1,"event":"step.output","run_id":"x","stdout":"CMDKEY: Credential deleted successfully. Target: MicrosoftOffice16_Data:SSPI:alex@contoso.com","hash":"00"}`
	for n := 0; n < 2<<20; n += len(line) + 1 {
		c.AuditLines = append(c.AuditLines, line)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Files(&c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
