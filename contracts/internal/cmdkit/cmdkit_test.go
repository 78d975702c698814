package cmdkit

import (
	"testing"

	"github.com/accordnet/accord/types"
)

func TestHashArgsAndExpiry(t *testing.T) {
	h := types.Keccak([]byte("ref"))
	if got, err := HashArg(h.Hex()); err != nil || got != h {
		t.Fatalf("hex: %v %v", got, err)
	}
	if got, err := HashArg("ref"); err != nil || got != h {
		t.Fatalf("text: %v %v", got, err)
	}
	if _, err := HashArg("0x1234"); err == nil {
		t.Fatal("short hex accepted")
	}
	if ms, err := Expiry("2027-12-31"); err != nil || ms != 1830211200000 {
		t.Fatalf("date: %d %v", ms, err)
	}
	if ms, err := Expiry("2027-12-31T12:00:00+08:00"); err != nil || ms != 1830211200000+4*3600*1000 {
		t.Fatalf("rfc3339: %d %v", ms, err)
	}
	for _, bad := range []string{"", "31/12/2027", "1960-01-01"} {
		if _, err := Expiry(bad); err == nil {
			t.Errorf("Expiry(%q) accepted", bad)
		}
	}
}
