package checkpoint

import (
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
)

// BenchmarkSubmit measures accepting one checkpoint on main (decode,
// stateless checks, signature recovery of the smallest > 2/3 quorum,
// writes) for side sets of 4, 16 and 64 validators, and reports the
// MsgSubmit's size, with and without a hand-over to a set of the same size.
func BenchmarkSubmit(b *testing.B) {
	for _, n := range []int{4, 16, 64} {
		ks, next := newKeys(1, n), newKeys(2, n)
		q := 2*n/3 + 1
		idx := make([]int, q)
		for i := range idx {
			idx[i] = i
		}
		msg := signed(b, mkCP(1, 1, 256, ks, ks), ks, idx...)
		payload := core.Encode(msg)
		ho := signed(b, mkCP(1, 1, 256, ks, next), ks, idx...)
		ho.NextValidators = next.Addrs()
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			e := newEnv(b, ks)
			b.ResetTimer()
			for range b.N {
				st := state.NewOverlay(nil)
				b.StopTimer()
				e.st = st
				if err := e.m.Register(core.NewContext(core.Block{}, st), side, ks.Addrs(), 1); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				ctx := core.NewContext(core.Block{Height: 2}, st)
				if err := e.m.handleSubmit(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(payload)), "bytes/checkpoint")
			b.ReportMetric(float64(len(core.Encode(ho))), "bytes/handover")
		})
	}
}
