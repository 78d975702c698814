package core

import (
	"testing"

	"github.com/accordnet/accord/types"
)

func addrOf(seed []byte) (a types.Address) {
	h := types.Keccak(seed)
	copy(a[:], h[12:])
	return a
}

// TestAddressHexCacheIsExact: the cached checksummed text is a.Hex() for
// every address, also for addresses that share a cache slot and replace
// each other in it.
func TestAddressHexCacheIsExact(t *testing.T) {
	var addrs []types.Address
	for i := range 64 {
		a := addrOf([]byte{byte(i)})
		addrs = append(addrs, a)
		b := a
		b[0] ^= 0xff // same slot as a, different address
		addrs = append(addrs, b)
	}
	for round := range 3 {
		for _, a := range addrs {
			if got := addressHex(a); got != a.Hex() {
				t.Fatalf("round %d: addressHex(%x) = %s, want %s", round, a[:], got, a.Hex())
			}
		}
	}
}

func BenchmarkAddressHex(b *testing.B) {
	a := addrOf([]byte("x"))
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = addressHex(a)
		}
	})
	b.Run("Hex", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = a.Hex()
		}
	})
}
