//go:build unix

package ledger_test

import "testing"

// BenchmarkBuildThenCheck is what a proposer does with a block before it
// signs it: Build, then the engine's CheckStructure of the proposal. Build
// remembers the tx root it sealed (types.SealTxRoot), so the check costs a
// comparison, not the Merkle root of every transaction again.
//
//	go test ./ledger -run '^$' -bench BuildThenCheck -benchtime 20x
func BenchmarkBuildThenCheck(b *testing.B) {
	c := benchChain(b, "pebble")
	const warm = 3
	for h := uint64(1); h <= warm; h++ {
		x := build(b, c, benchTxs(h))
		if err := c.Ledger.Commit(x, c.Cert(x.Block)); err != nil {
			b.Fatal(err)
		}
	}
	m := newMeter(b)
	m.reset()
	for i := 0; i < b.N; i++ {
		// Fresh *Tx values each time, as the mempool hands over a new
		// block's: the same ones would hit the root memo of the last check.
		m.stopTimer()
		txs := benchTxs(warm + 1)
		m.startTimer()
		x := build(b, c, txs)
		if err := x.Block.CheckStructure(); err != nil {
			b.Fatal(err)
		}
	}
	m.report()
}
