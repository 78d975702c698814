package ledger_test

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

// hookDB calls afterCommit once a batch has landed in the database, while
// the committing call (Ledger.Commit) is still running: the instant a
// reader on another goroutine may observe.
type hookDB struct {
	kv.DB
	afterCommit func()
}

func (d *hookDB) NewBatch() kv.Batch { return &hookBatch{Batch: d.DB.NewBatch(), db: d} }

type hookBatch struct {
	kv.Batch
	db *hookDB
}

func (b *hookBatch) Commit() error {
	if err := b.Batch.Commit(); err != nil {
		return err
	}
	if f := b.db.afterCommit; f != nil {
		f()
	}
	return nil
}

// TestCommittedTxIsVisibleOnlyWithItsState: a client that sees a
// transaction's receipt (a --wait) and then queries state must read the
// state after that transaction's block, never the block before. Commit
// lands the block, its tx index and its state in one database batch, but
// the state cache and the published height follow a moment later; in that
// moment the transaction must not be found yet.
func TestCommittedTxIsVisibleOnlyWithItsState(t *testing.T) {
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger} {
		t.Run(backend, func(t *testing.T) {
			db, err := kv.Open(backend, t.TempDir(), kv.Options{})
			if err != nil {
				t.Fatal(err)
			}
			hdb := &hookDB{DB: db}
			l, err := ledger.New(hdb)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			c, err := ledgertest.New(l, 2)
			if err != nil {
				t.Fatal(err)
			}
			to := addr(c, 1)
			before := ledgertest.Balance(l.ReadState(), to) // now in the state cache, as a hot account is
			tx := ledgertest.SignTransfer(c.Keys[0], 0, to, 1_500000)
			want := before + 1_500000
			var checked bool
			hdb.afterCommit = func() {
				checked = true
				res, err := l.Tx(tx.Hash())
				if errors.Is(err, ledger.ErrNotFound) {
					return // not published yet: a client keeps waiting
				}
				if err != nil {
					t.Errorf("Tx during commit: %v", err)
					return
				}
				if got := ledgertest.Balance(l.ReadState(), to); got != want {
					t.Errorf("tx found at height %d while the state shows balance %d, want %d (height %d published)",
						res.Height, got, want, l.Last().Height)
				}
				if h := l.Last().Height; h < res.Height {
					t.Errorf("tx found at height %d while height %d is published", res.Height, h)
				}
			}
			if _, _, err := c.Produce([]*types.Tx{tx}); err != nil {
				t.Fatal(err)
			}
			hdb.afterCommit = nil
			if !checked {
				t.Fatal("the commit hook never ran")
			}
			res, err := l.Tx(tx.Hash())
			if err != nil || res.Receipt.Status != types.StatusOK {
				t.Fatalf("after commit: %+v %v", res, err)
			}
			if got := ledgertest.Balance(l.ReadState(), to); got != want {
				t.Fatalf("after commit balance %d, want %d", got, want)
			}
		})
	}
}
