package lightclient

import (
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/core"
)

// BenchmarkUpdate: accepting one relayed main header (decode, certificate
// of the smallest quorum, writes) for main sets of 4, 16 and 64.
func BenchmarkUpdate(b *testing.B) {
	for _, n := range []int{4, 16, 64} {
		ks := newKeys(1, n)
		q := (n+(n-1)/3)/2 + 1
		idx := make([]int, q)
		for i := range idx {
			idx[i] = i
		}
		blk := mkBlock(1, ks, lockReceipt("1"))
		payload := core.Encode(&MsgUpdate{Header: blk.hdr, Cert: certify(b, &blk.hdr, ks, idx...)})
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				e := newEnv(b, ks)
				b.StartTimer()
				if err := e.updateRaw(payload); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(payload)), "bytes/update")
		})
	}
}
