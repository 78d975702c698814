package ledger_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// pruneChain commits n blocks of two transfers each and returns the chain
// and the transaction hashes by height.
func pruneChain(t *testing.T, c *ledgertest.Chain, n int) map[uint64][]types.Hash {
	t.Helper()
	hashes := map[uint64][]types.Hash{}
	for i := 0; i < n; i++ {
		h := c.Ledger.Last().Height + 1
		txs := []*types.Tx{
			ledgertest.SignTransfer(c.Keys[0], h-1, addr(c, 1), 1),
			ledgertest.SignTransfer(c.Keys[1], h-1, addr(c, 2), 2),
		}
		x, dropped, err := c.Produce(txs)
		if err != nil || len(dropped) > 0 {
			t.Fatalf("block %d: %v %v", h, err, dropped)
		}
		for _, tx := range x.Block.Txs {
			hashes[h] = append(hashes[h], tx.Hash())
		}
	}
	return hashes
}

// checkPruned asserts that heights below base are pruned but keep header,
// certificate and hash index, and heights from base to the head are whole.
func checkPruned(t *testing.T, l *ledger.Ledger, hashes map[uint64][]types.Hash, base uint64) {
	t.Helper()
	if got := l.PrunedBase(); got != base {
		t.Fatalf("pruned base %d, want %d", got, base)
	}
	for h := uint64(1); h <= l.Last().Height; h++ {
		hdr, err := l.Header(h)
		if err != nil {
			t.Fatalf("header %d: %v", h, err)
		}
		if hdr.Height != h {
			t.Fatalf("header %d has height %d", h, hdr.Height)
		}
		cert, err := l.Cert(h)
		if err != nil || cert.BlockHash != hdr.Hash() {
			t.Fatalf("certificate %d: %v (matches header: %v)", h, err, err == nil && cert.BlockHash == hdr.Hash())
		}
		if at, err := l.HeightOf(hdr.Hash()); err != nil || at != h {
			t.Fatalf("height of block %d: %d, %v", h, at, err)
		}
		_, errB := l.Block(h)
		_, errR := l.Receipts(h)
		_, errT := l.Tx(hashes[h][0])
		if h < base {
			if !errors.Is(errB, ledger.ErrPruned) || !errors.Is(errB, ledger.ErrNotFound) || !errors.Is(errR, ledger.ErrPruned) {
				t.Fatalf("height %d below base %d: block err %v, receipts err %v", h, base, errB, errR)
			}
			if !strings.Contains(errB.Error(), "pruned") {
				t.Fatalf("block error does not say pruned: %v", errB)
			}
			if !errors.Is(errT, ledger.ErrNotFound) || !strings.Contains(errT.Error(), "pruned") {
				t.Fatalf("pruned tx lookup: %v", errT)
			}
			if _, err := l.BlockEvents(h); !errors.Is(err, ledger.ErrPruned) {
				t.Fatalf("events of pruned height %d: %v", h, err)
			}
		} else if errB != nil || errR != nil || errT != nil {
			t.Fatalf("height %d at/after base %d: %v / %v / %v", h, base, errB, errR, errT)
		}
	}
}

func TestPruneKeepsHeadersCertsAndState(t *testing.T) {
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger} {
		t.Run(backend, func(t *testing.T) {
			c, _ := openChain(t, backend, 3)
			hashes := pruneChain(t, c, 40)
			before := [3]uint64{}
			for i := range before {
				before[i] = ledgertest.Balance(c.Ledger.ReadState(), addr(c, i))
			}
			checkPruned(t, c.Ledger, hashes, 1)
			res, err := c.Ledger.Prune(10)
			if err != nil {
				t.Fatal(err)
			}
			if res.From != 1 || res.To != 31 || res.HeldBy != 0 {
				t.Fatalf("prune result %+v, want [1,31)", res)
			}
			checkPruned(t, c.Ledger, hashes, 31)
			for i := range before {
				if got := ledgertest.Balance(c.Ledger.ReadState(), addr(c, i)); got != before[i] {
					t.Fatalf("balance %d changed by pruning: %d -> %d", i, before[i], got)
				}
			}
			// Pruning again with nothing new is a no-op; the chain goes on.
			if res, err := c.Ledger.Prune(10); err != nil || res.From != res.To {
				t.Fatalf("second prune: %+v %v", res, err)
			}
			more := pruneChain(t, c, 5)
			for h, hs := range more {
				hashes[h] = hs
			}
			if _, err := c.Ledger.Prune(10); err != nil {
				t.Fatal(err)
			}
			checkPruned(t, c.Ledger, hashes, 36)
		})
	}
}

func TestPruneRespectsRetainHeight(t *testing.T) {
	cases := []struct {
		name     string
		retain   []uint64
		keep     uint64
		wantBase uint64
		held     uint64
	}{
		{"no retainer prunes to keep", nil, 5, 26, 0},
		{"a retainer below keep holds pruning", []uint64{12}, 5, 12, 12},
		{"the lowest retainer wins", []uint64{20, 8, 0}, 5, 8, 8},
		{"a retainer above keep changes nothing", []uint64{29}, 5, 26, 0},
		{"zero means no need", []uint64{0}, 5, 26, 0},
		{"keep 0 still keeps the head", nil, 0, 30, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := openChain(t, kv.BackendMemory, 3)
			hashes := pruneChain(t, c, 30)
			var rs []ledger.Retainer
			for _, h := range tc.retain {
				rs = append(rs, ledger.RetainFunc(func(state.Store) uint64 { return h }))
			}
			res, err := c.Ledger.Prune(tc.keep, rs...)
			if err != nil {
				t.Fatal(err)
			}
			if res.HeldBy != tc.held {
				t.Fatalf("held by %d, want %d", res.HeldBy, tc.held)
			}
			checkPruned(t, c.Ledger, hashes, tc.wantBase)
		})
	}
}

// failingDB makes every batch commit after the first okCommits fail
// without applying it, as a process killed mid-prune leaves the store (a
// batch is atomic: all of it or none of it lands).
type failingDB struct {
	kv.DB
	okCommits int
}

type failingBatch struct {
	kv.Batch
	db *failingDB
}

func (d *failingDB) NewBatch() kv.Batch { return &failingBatch{d.DB.NewBatch(), d} }

func (b *failingBatch) Commit() error {
	if b.db.okCommits <= 0 {
		b.Batch.Close()
		return errors.New("injected crash")
	}
	b.db.okCommits--
	return b.Batch.Commit()
}

func TestPruneCrashMidwayIsSafe(t *testing.T) {
	for _, ok := range []int{0, 1, 2, 3} {
		c, _ := openChain(t, kv.BackendPebble, 3)
		hashes := pruneChain(t, c, 70)
		db := c.Ledger.DB()
		crashed, err := ledger.New(&failingDB{DB: db, okCommits: ok})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := crashed.Prune(5); err == nil {
			t.Fatalf("%d good batches: prune did not hit the injected crash", ok)
		}
		// Restart on the same store: whole batches only.
		l, err := ledger.New(db)
		if err != nil {
			t.Fatal(err)
		}
		checkPruned(t, l, hashes, 1+uint64(ok)*16)
		if _, err := l.Prune(5); err != nil {
			t.Fatal(err)
		}
		checkPruned(t, l, hashes, 66)
	}
}
