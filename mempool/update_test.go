package mempool

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/types"
)

func TestUpdate(t *testing.T) {
	type step struct {
		nonce, amount uint64
	}
	cases := []struct {
		name        string
		start       account // state at admission
		pool        []step
		included    []int   // indices of pool txs in the committed block
		after       account // state after the block
		wantLeft    []uint64
		wantPending uint64
	}{
		{
			name:  "included txs are removed, the rest stays",
			start: account{0, 1000}, pool: []step{{0, 10}, {1, 10}, {2, 10}},
			included: []int{0, 1}, after: account{2, 1000 - 40},
			wantLeft: []uint64{2}, wantPending: 3,
		},
		{
			name:  "nonces used by txs included elsewhere are dropped",
			start: account{0, 1000}, pool: []step{{0, 10}, {1, 10}, {2, 10}, {3, 10}},
			after:    account{2, 1000 - 40}, // another validator's copy of nonces 0 and 1
			wantLeft: []uint64{2, 3}, wantPending: 4,
		},
		{
			name:  "balance taken by someone else's tx drops what no longer fits, in nonce order",
			start: account{0, 100}, pool: []step{{0, 40}, {1, 20}, {2, 0}},
			after:    account{0, 45}, // 50 held by nonce 0 no longer fits; 30 + 10 do
			wantLeft: []uint64{1, 2}, wantPending: 0,
		},
		{
			name:  "everything dropped forgets the sender",
			start: account{0, 100}, pool: []step{{0, 10}, {1, 10}},
			after:    account{5, 100},
			wantLeft: nil, wantPending: 0,
		},
		{
			name:  "block without pool txs changes nothing when state is unchanged",
			start: account{0, 100}, pool: []step{{0, 10}, {2, 10}},
			after:    account{0, 100},
			wantLeft: []uint64{0, 2}, wantPending: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := newUser(t)
			e := newEnv(t, baseConfig())
			e.state.set(u.addr, c.start.nonce, c.start.balance)
			var txs []*types.Tx
			for _, s := range c.pool {
				txs = append(txs, u.tx(t, s.nonce, s.amount))
			}
			e.mustAdd(t, txs...)
			var block []*types.Tx
			for _, i := range c.included {
				block = append(block, txs[i])
			}
			block = append(block, newUser(t).tx(t, 0, 1)) // a tx the pool never saw
			e.state.set(u.addr, c.after.nonce, c.after.balance)
			e.pool.Update(block)
			checkInvariants(t, e.pool)

			var left []uint64
			for _, tx := range txs {
				if e.pool.Has(tx.Hash()) {
					left = append(left, tx.Nonce)
				}
			}
			if !equalU64(left, c.wantLeft) {
				t.Fatalf("left %v, want %v", left, c.wantLeft)
			}
			n, ok := e.pool.PendingNonce(u.addr)
			if ok != (len(c.wantLeft) > 0) || (ok && n != c.wantPending) {
				t.Fatalf("pending nonce %d,%v; want %d", n, ok, c.wantPending)
			}
			if e.pool.Size() != len(c.wantLeft) {
				t.Fatalf("size %d", e.pool.Size())
			}
			if len(c.wantLeft) == 0 && e.pool.Bytes() != 0 {
				t.Fatalf("bytes %d in an empty pool", e.pool.Bytes())
			}
		})
	}
}

func TestDroppedNonceCanBeResubmitted(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 100)
	e.mustAdd(t, u.tx(t, 0, 80), u.tx(t, 1, 0))
	e.state.set(u.addr, 0, 50)
	e.pool.Update(nil)
	if got := e.pool.Reap(0, 0); len(got) != 0 {
		t.Fatalf("reaped %v behind the dropped nonce 0", nonces(got))
	}
	e.mustAdd(t, u.tx(t, 0, 20)) // a cheaper nonce 0 fills the gap
	if got := nonces(e.pool.Reap(0, 0)); !equalU64(got, []uint64{0, 1}) {
		t.Fatalf("reap = %v", got)
	}
}

func TestUpdateKeepsSenderWhenStateUnreadable(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 100)
	e.mustAdd(t, u.tx(t, 0, 10))
	e.state.fail[u.addr] = errors.New("io error")
	e.pool.Update(nil)
	if e.pool.Size() != 1 {
		t.Fatal("tx dropped on a failed state read")
	}
	checkInvariants(t, e.pool)
}

func TestUpdateRefreshesStateForLaterAdmission(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 100)
	tx0 := u.tx(t, 0, 10)
	e.mustAdd(t, tx0, u.tx(t, 1, 10))
	e.state.set(u.addr, 1, 1000) // nonce 0 committed; a deposit arrived
	e.pool.Update([]*types.Tx{tx0})
	if _, err := e.pool.AddRaw(u.tx(t, 0, 1).Encode()); !errors.Is(err, ErrNonceTooLow) {
		t.Fatalf("replay after commit: %v", err)
	}
	e.mustAdd(t, u.tx(t, 2, 900)) // the deposit is spendable
}

// TestReplayDuringUpdateIsRefused: a copy of a just-committed tx arriving
// while Update is re-reading state (pool lock released) must be refused,
// not admitted against the pre-block state.
func TestReplayDuringUpdateIsRefused(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 1000)
	tx0 := u.tx(t, 0, 1)
	e.mustAdd(t, tx0, u.tx(t, 1, 1), u.tx(t, 2, 1))
	e.state.set(u.addr, 1, 989)

	var replayErr error
	inUpdate := true
	e.state.hook = func(a types.Address) {
		if !inUpdate {
			return
		}
		inUpdate = false // the replay's own state read must not recurse
		_, replayErr = e.pool.AddRaw(tx0.Encode())
	}
	e.pool.Update([]*types.Tx{tx0})
	if inUpdate {
		t.Fatal("hook did not run during Update")
	}
	if !errors.Is(replayErr, ErrNonceTooLow) {
		t.Fatalf("replay during Update: err = %v, want ErrNonceTooLow", replayErr)
	}
	checkInvariants(t, e.pool)
	if got := nonces(e.pool.Reap(0, 0)); !equalU64(got, []uint64{1, 2}) {
		t.Fatalf("reap = %v", got)
	}
}

func TestUpdateChangedReadsOnlyChangedSenders(t *testing.T) {
	a, b := newUser(t), newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(a.addr, 0, 1000)
	e.state.set(b.addr, 0, 1000)
	ta := []*types.Tx{a.tx(t, 0, 10), a.tx(t, 1, 10)}
	tb := []*types.Tx{b.tx(t, 0, 10)}
	e.mustAdd(t, append(ta, tb...)...)

	// The block includes a's nonce 0; b's account is not written.
	e.state.set(a.addr, 1, 1000-20)
	before := e.state.reads
	e.pool.UpdateChanged(ta[:1], func(x types.Address) bool { return x == a.addr })
	checkInvariants(t, e.pool)
	if got := e.state.reads - before; got != 1 {
		t.Fatalf("%d state reads, want 1 (only the changed sender)", got)
	}
	if e.pool.Has(ta[0].Hash()) || !e.pool.Has(ta[1].Hash()) || !e.pool.Has(tb[0].Hash()) {
		t.Fatal("wrong txs left")
	}
	// b's account, carried over without a read, still admits its next nonce
	// with no read at admission either.
	before = e.state.reads
	e.mustAdd(t, b.tx(t, 1, 10))
	if got := e.state.reads - before; got != 0 {
		t.Fatalf("%d state reads admitting a pooled sender's tx, want 0", got)
	}
	if n, _ := e.pool.PendingNonce(b.addr); n != 2 {
		t.Fatalf("b pending nonce %d", n)
	}
	// A later plain Update re-reads everyone: a debit of b made elsewhere
	// (the callback is only trusted for the block it describes) is seen.
	e.state.set(b.addr, 0, 25) // each tx takes 10 + fee 10
	e.pool.Update(nil)
	checkInvariants(t, e.pool)
	if !e.pool.Has(tb[0].Hash()) || e.pool.Size() != 2 {
		t.Fatalf("size %d after b's balance dropped to one tx", e.pool.Size())
	}
}
