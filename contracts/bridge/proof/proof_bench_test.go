package proof

import "testing"

// BenchmarkBurnProofVerify: a burn in a block of 1,000 receipts inside a
// checkpoint of 256 blocks (the default interval), decode included. The
// proof's size is reported as bytes/proof.
func BenchmarkBurnProofVerify(b *testing.B) {
	c := newSideChain("side-a", 256, func(h uint64) int {
		if h == 100 {
			return 1000
		}
		return 2
	})
	sp := c.span(1, 256)
	enc := c.burnProof(b, 1, 256, 100, 777).Encode()
	b.ResetTimer()
	for range b.N {
		p, err := DecodeBurnProof(enc)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := p.Verify(sp); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(enc)), "bytes/proof")
}
