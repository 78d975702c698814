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
	"time"

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
				next := transferGen(accounts)
				b.ResetTimer()
				var slowest time.Duration // the longest Prune (on badger it may hold commits while it reclaims disk)
				for done, blocks := 0, 0; done < total; blocks++ {
					txs := next()
					x := build(b, c, txs)
					if err := l.Commit(x, c.Cert(x.Block)); err != nil {
						b.Fatal(err)
					}
					done += len(txs)
					if keep > 0 && blocks%16 == 15 {
						start := time.Now()
						if _, err := l.Prune(keep); err != nil {
							b.Fatal(err)
						}
						slowest = max(slowest, time.Since(start))
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
				// What is left once compactions have dropped the deleted
				// data (they do in time; this does it now).
				if err := kv.Compact(l.DB()); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(dirBytes(dir))/(1<<20), "compacted-MiB")
				b.ReportMetric(float64(l.PrunedBase()), "pruned-base")
				b.ReportMetric(float64(slowest.Milliseconds()), "max-prune-ms")
			})
		}
	}
}

// transferGen returns a generator of blocks of scaleBlockTxs random
// transfers among accounts funded accounts (scaleAddr), the same sequence
// on every call of transferGen.
func transferGen(accounts int) func() []*types.Tx { return transferBlocks(accounts, scaleBlockTxs) }

// transferBlocks is transferGen with perBlock transfers a block.
func transferBlocks(accounts, perBlock int) func() []*types.Tx {
	rng := rand.New(rand.NewPCG(1, 2))
	nonces := make([]uint64, accounts)
	sig := make([]byte, types.SignatureLength)
	return func() []*types.Tx {
		txs := make([]*types.Tx, perBlock)
		for j := range txs {
			s, to := rng.IntN(accounts), rng.IntN(accounts)
			binary.BigEndian.PutUint64(sig, rng.Uint64())
			tx := &types.Tx{ChainID: ledgertest.ChainID, Nonce: nonces[s], Type: ledgertest.TypeTransfer, Fee: ledgertest.MinFee,
				Payload: ledgertest.TransferPayload(scaleAddr(to), 1), Sig: append([]byte(nil), sig...)}
			nonces[s]++
			tx.SetSender(scaleAddr(s), nil)
			txs[j] = tx
		}
		return txs
	}
}

// scaleChain opens a ledger in dir with accounts funded accounts.
func scaleChain(b *testing.B, backend, dir string, accounts int) *ledgertest.Chain {
	b.Helper()
	l, err := ledger.Open(backend, dir, kv.Options{CacheBytes: 64 << 20, MemTableBytes: kv.LoadMemTableBytes})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	c := &ledgertest.Chain{Ledger: l, App: ledgertest.App{}, Validator: ledgertest.DeterministicKey(1 << 40), Treasury: ledgertest.Treasury}
	c.Genesis = ledgertest.Genesis(c.Validator, nil, "1")
	if err := l.InitGenesis(c.Genesis, c.App); err != nil {
		b.Fatal(err)
	}
	loadAccounts(b, l, accounts, 1_000_000*types.MicroPerUSDT)
	return c
}

// BenchmarkJoinSnapshotVsReplay: the ledger's share of joining a chain of
// ACCORD_JOIN_TXS transfers (default 250,000) among 10,000 accounts, by
// re-executing every block (Build + Commit, senders already known: a real
// replay also recovers every signature, ~46 µs each here, and fetches the
// blocks) versus restoring the head's snapshot (chunks from local files:
// a real join also fetches them). Reports seconds for each and the
// snapshot's size.
func BenchmarkJoinSnapshotVsReplay(b *testing.B) {
	total := 250_000
	if s := os.Getenv("ACCORD_JOIN_TXS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < scaleBlockTxs {
			b.Fatalf("ACCORD_JOIN_TXS=%q", s)
		}
		total = n
	}
	const accounts = 10_000
	blocks := total / scaleBlockTxs
	b.Run(kv.BackendPebble, func(b *testing.B) {
		src := scaleChain(b, kv.BackendPebble, b.TempDir(), accounts)
		held := src.Ledger.SnapshotEvery(uint64(blocks), nil)
		next := transferGen(accounts)
		for range blocks {
			x := build(b, src, next())
			if err := src.Ledger.Commit(x, src.Cert(x.Block)); err != nil {
				b.Fatal(err)
			}
		}
		hs := <-held
		files, err := ledger.OpenSnapshotFiles(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()

		start := time.Now()
		w, err := files.Create(hs.Meta.Height)
		if err != nil {
			b.Fatal(err)
		}
		m, err := src.Ledger.WriteSnapshot(hs, w)
		hs.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Finish(m, nil); err != nil {
			b.Fatal(err)
		}
		written := time.Since(start)

		start = time.Now()
		dst, err := ledger.Open(kv.BackendPebble, b.TempDir(), kv.Options{CacheBytes: 64 << 20, MemTableBytes: kv.LoadMemTableBytes})
		if err != nil {
			b.Fatal(err)
		}
		defer dst.Close()
		r, err := dst.BeginRestore(m)
		if err != nil {
			b.Fatal(err)
		}
		var bytes int
		for !r.Done() {
			data, err := files.Chunk(m.Height, r.Next())
			if err != nil {
				b.Fatal(err)
			}
			bytes += len(data)
			if err := r.Apply(data); err != nil {
				b.Fatal(err)
			}
		}
		blk, _ := src.Ledger.Block(m.Height)
		cert, _ := src.Ledger.Cert(m.Height)
		if err := r.Finish(src.Genesis, blk, cert); err != nil {
			b.Fatal(err)
		}
		restored := time.Since(start)

		start = time.Now()
		rep := scaleChain(b, kv.BackendPebble, b.TempDir(), accounts)
		next = transferGen(accounts)
		for range blocks {
			x := build(b, rep, next())
			if err := rep.Ledger.Commit(x, rep.Cert(x.Block)); err != nil {
				b.Fatal(err)
			}
		}
		replayed := time.Since(start)
		b.StopTimer()
		// Both reached the source's head (a restored ledger takes the app
		// hash from the manifest; the tests compare the states key by key).
		if rep.Ledger.Last().AppHash != dst.Last().AppHash {
			b.Fatalf("replayed app hash %s, restored %s", rep.Ledger.Last().AppHash.Hex(), dst.Last().AppHash.Hex())
		}
		b.ReportMetric(written.Seconds(), "snapshot-write-s")
		b.ReportMetric(restored.Seconds(), "restore-s")
		b.ReportMetric(replayed.Seconds(), "replay-s")
		b.ReportMetric(float64(len(m.Chunks)), "chunks")
		b.ReportMetric(float64(bytes)/(1<<20), "snapshot-MiB")
	})
}
