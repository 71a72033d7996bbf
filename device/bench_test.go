package device

import (
	"strings"
	"testing"
)

// Large outputs must parse in linear time: pshost keeps up to 16 MiB.

func BenchmarkParseDsregStatusManySections(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(box("Device State", "AzureAdJoined", "YES", "DomainJoined", "NO"))
	for i := 0; i < 5000; i++ {
		sb.WriteString(box("Work Account "+strings.Repeat("x", i%50)+string(rune('a'+i%26))+strings.Repeat("y", i/26), "NgcSet", "NO"))
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := ParseDsregStatus(text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkErrorCodesManyHits(b *testing.B) {
	msg := strings.Repeat("0xCAA50021 CAA5001C AADSTS50126 Error: 2147943712 ", 20000)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		ErrorCodes(msg)
	}
}

func BenchmarkParseCmdkeyListLarge(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Currently stored credentials:\n\n")
	for i := 0; i < 20000; i++ {
		sb.WriteString("    Target: LegacyGeneric:target=git:https://example.org\n    Type: Generic\n    User: alex\n    Local machine persistence\n\n")
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := ParseCmdkeyList(text); err != nil {
			b.Fatal(err)
		}
	}
}
