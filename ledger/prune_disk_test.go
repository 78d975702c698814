//go:build unix

package ledger_test

import (
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

// On badger, pruned blocks stay in the value log until a garbage
// collection rewrites their file, and it only picks files that compactions
// have found mostly dead. Pruning must get that done itself: the disk a
// pruned ledger holds goes down, not only in the timer's next pass.
func TestPruneGivesBadgerDiskBack(t *testing.T) {
	dir := t.TempDir()
	// 1 MiB value-log files (badger's least) so a few megabytes of
	// blocks fill several; each block (~1000 transfers) is far above
	// badger's value threshold, so it lives in the value log.
	l, err := ledger.Open(kv.BackendBadger, dir, kv.Options{ValueLogFileBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c := &ledgertest.Chain{Ledger: l, App: ledgertest.App{}, Validator: ledgertest.DeterministicKey(1 << 40), Treasury: ledgertest.Treasury}
	c.Genesis = ledgertest.Genesis(c.Validator, nil, "1")
	if err := l.InitGenesis(c.Genesis, c.App); err != nil {
		t.Fatal(err)
	}
	const accounts, blocks, keep = 1_000, 40, 4
	loadAccounts(t, l, accounts, 1_000_000*types.MicroPerUSDT)
	next := transferBlocks(accounts, 1_000)
	for range blocks {
		x := build(t, c, next())
		if err := l.Commit(x, c.Cert(x.Block)); err != nil {
			t.Fatal(err)
		}
	}
	before := dirBytes(dir)
	res, err := l.Prune(keep)
	if err != nil {
		t.Fatal(err)
	}
	after := dirBytes(dir)
	t.Logf("disk %d KiB before pruning heights %d-%d, %d KiB after", before>>10, res.From, res.To-1, after>>10)
	// At least one value-log file's worth must be gone.
	if after > before-1<<20 {
		t.Fatalf("pruning %d of %d blocks left disk at %d KiB (was %d KiB)", res.To-res.From, blocks, after>>10, before>>10)
	}
	// What was kept survived the value-log rewrite.
	for h := res.To; h <= l.Last().Height; h++ {
		if _, err := l.Block(h); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		if _, err := l.Receipts(h); err != nil {
			t.Fatalf("receipts %d: %v", h, err)
		}
	}
}
