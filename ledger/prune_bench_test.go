//go:build unix

package ledger_test

// Disk a node spends on a chain of ACCORD_PRUNE_TXS transfers (default
// 250,000; the size is 1000000) among 10,000 accounts, keeping
// every block or pruning to the last 10 blocks as a node does (every 16
// commits). Run once per variant:
//
//	ACCORD_PRUNE_TXS=1000000 go test ./ledger -run '^$' -bench PruneDisk -benchtime 1x -timeout 1h

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

func BenchmarkPruneDisk(b *testing.B) {
	total := 250_000
	if s := os.Getenv("ACCORD_PRUNE_TXS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < scaleBlockTxs {
			b.Fatalf("ACCORD_PRUNE_TXS=%q", s)
		}
		total = n
	}
	const accounts = 10_000
	for _, backend := range benchBackends {
		for _, keep := range []uint64{0, 10} {
			b.Run(fmt.Sprintf("%s/keep=%d", backend, keep), func(b *testing.B) {
				dir := b.TempDir()
				l, err := ledger.Open(backend, dir, kv.Options{CacheBytes: 64 << 20, MemTableBytes: kv.LoadMemTableBytes})
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				c := &ledgertest.Chain{Ledger: l, App: ledgertest.App{}, Validator: ledgertest.DeterministicKey(1 << 40), Treasury: ledgertest.Treasury}
				c.Genesis = ledgertest.Genesis(c.Validator, nil, "1")
				if err := l.InitGenesis(c.Genesis, c.App); err != nil {
					b.Fatal(err)
				}
				loadAccounts(b, l, accounts, 1_000_000*types.MicroPerUSDT)
				rng := rand.New(rand.NewPCG(1, 2))
				nonces := make([]uint64, accounts)
				sig := make([]byte, types.SignatureLength)
				b.ResetTimer()
				for done, blocks := 0, 0; done < total; blocks++ {
					txs := make([]*types.Tx, scaleBlockTxs)
					for j := range txs {
						s, to := rng.IntN(accounts), rng.IntN(accounts)
						binary.BigEndian.PutUint64(sig, rng.Uint64())
						tx := &types.Tx{ChainID: ledgertest.ChainID, Nonce: nonces[s], Type: ledgertest.TypeTransfer, Fee: ledgertest.MinFee,
							Payload: ledgertest.TransferPayload(scaleAddr(to), 1), Sig: append([]byte(nil), sig...)}
						nonces[s]++
						tx.SetSender(scaleAddr(s), nil)
						txs[j] = tx
					}
					x := build(b, c, txs)
					if err := l.Commit(x, c.Cert(x.Block)); err != nil {
						b.Fatal(err)
					}
					done += len(txs)
					if keep > 0 && blocks%16 == 15 {
						if _, err := l.Prune(keep); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.StopTimer()
				if keep > 0 {
					if _, err := l.Prune(keep); err != nil {
						b.Fatal(err)
					}
				}
				disk := dirBytes(dir)
				b.ReportMetric(float64(disk)/(1<<20), "disk-MiB")
				b.ReportMetric(float64(disk)/float64(total), "disk-B/transfer")
				b.ReportMetric(float64(l.PrunedBase()), "pruned-base")
			})
		}
	}
}
