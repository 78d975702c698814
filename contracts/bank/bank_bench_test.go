package bank_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

// BenchmarkBuildBankTransfers measures executing a block of bank transfers
// through the router (ante, decode, handler) on the committed state: the
// real application's share of what the ledger's benchmarks measure over
// their test application.
func BenchmarkBuildBankTransfers(b *testing.B) {
	const accounts, perBlock = 1000, 2000
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := banktest.New(l, accounts)
	if err != nil {
		b.Fatal(err)
	}
	txs, err := c.Ring(perBlock) // recovered outside the timer, as the mempool has
	if err != nil {
		b.Fatal(err)
	}
	tpl := ledger.Template{Time: l.Last().Time + 1000, Proposer: types.PubkeyAddress(c.Validator)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x, dropped, err := l.Build(tpl, txs, c.Router)
		if err != nil || len(dropped) != 0 || len(x.Receipts) != perBlock {
			b.Fatalf("build: %v, %d dropped", err, len(dropped))
		}
	}
	b.ReportMetric(float64(b.N*perBlock)/b.Elapsed().Seconds(), "tx/s")
}
