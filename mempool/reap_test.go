package mempool

import (
	"fmt"
	"testing"

	"github.com/accordnet/accord/types"
)

func TestReapStopsAtNonceGap(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 1000)
	tx0, tx1, tx3 := u.tx(t, 0, 1), u.tx(t, 1, 1), u.tx(t, 3, 1)
	e.mustAdd(t, tx3, tx1, tx0) // arrival order must not matter within a sender

	if got := nonces(e.pool.Reap(0, 0)); !equalU64(got, []uint64{0, 1}) {
		t.Fatalf("reap = %v, want [0 1]", got)
	}
	if n, ok := e.pool.PendingNonce(u.addr); n != 2 || !ok {
		t.Fatalf("pending nonce = %d, %v; want 2", n, ok)
	}
	if e.pool.Size() != 3 {
		t.Fatal("reap removed transactions")
	}

	// The block carries our 0 and 1, and a nonce-2 tx that reached another
	// validator; state moves to nonce 3.
	external := u.tx(t, 2, 7)
	e.state.set(u.addr, 3, 1000-11-11-17)
	e.pool.Update([]*types.Tx{tx0, tx1, external})
	checkInvariants(t, e.pool)
	if got := nonces(e.pool.Reap(0, 0)); !equalU64(got, []uint64{3}) {
		t.Fatalf("after update reap = %v, want [3]", got)
	}
	if n, _ := e.pool.PendingNonce(u.addr); n != 4 {
		t.Fatalf("pending nonce = %d, want 4", n)
	}
}

func TestReapNothingWhenFirstNonceMissing(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 4, 1000)
	e.mustAdd(t, u.tx(t, 5, 1), u.tx(t, 6, 1))
	if got := e.pool.Reap(0, 0); len(got) != 0 {
		t.Fatalf("reaped %v across a missing nonce 4", nonces(got))
	}
	if n, ok := e.pool.PendingNonce(u.addr); n != 4 || !ok {
		t.Fatalf("pending nonce = %d, %v; want 4 (the gap)", n, ok)
	}
	if _, ok := e.pool.PendingNonce(types.Address{7}); ok {
		t.Fatal("pending nonce for an unknown sender")
	}
}

// TestReapRoundRobin: senders take turns in arrival order, so the block
// interleaves them deterministically and a busy sender cannot crowd others.
func TestReapRoundRobin(t *testing.T) {
	a, b, c := newUser(t), newUser(t), newUser(t)
	e := newEnv(t, baseConfig())
	for _, u := range []user{a, b, c} {
		e.state.set(u.addr, 0, 1000)
	}
	who := map[types.Address]string{a.addr: "a", b.addr: "b", c.addr: "c"}
	e.mustAdd(t, a.tx(t, 0, 1), a.tx(t, 1, 1), a.tx(t, 2, 1), a.tx(t, 3, 1))
	e.mustAdd(t, b.tx(t, 0, 1), b.tx(t, 1, 1))
	e.mustAdd(t, c.tx(t, 0, 1))
	e.mustAdd(t, b.tx(t, 3, 1)) // behind a gap: never reaped

	label := func(txs []*types.Tx) string {
		s := ""
		for _, tx := range txs {
			from, _ := tx.Sender()
			s += fmt.Sprintf("%s%d ", who[from], tx.Nonce)
		}
		return s
	}
	cases := []struct {
		name             string
		maxTxs, maxBytes int
		want             string
	}{
		{"everything eligible", 0, 0, "a0 b0 c0 a1 b1 a2 a3 "},
		{"tx limit cuts mid-round", 4, 0, "a0 b0 c0 a1 "},
		{"one tx", 1, 0, "a0 "},
		{"byte limit of three txs", 0, 3 * e.pool.Get(e.pool.Reap(1, 0)[0].Hash()).Size(), "a0 b0 c0 "},
		{"byte limit below one tx", 0, 10, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := label(e.pool.Reap(tc.maxTxs, tc.maxBytes))
			if got != tc.want {
				t.Fatalf("reap = %q, want %q", got, tc.want)
			}
			if again := label(e.pool.Reap(tc.maxTxs, tc.maxBytes)); again != got {
				t.Fatalf("reap not deterministic: %q then %q", got, again)
			}
		})
	}
}

// TestReapSkipsSenderWhoseNextTxDoesNotFit: a big tx blocks only its own sender.
func TestReapSkipsSenderWhoseNextTxDoesNotFit(t *testing.T) {
	big, small := newUser(t), newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(big.addr, 0, 1000)
	e.state.set(small.addr, 0, 1000)
	bigTx := big.sign(t, &types.Tx{ChainID: testChain, Type: typeNoop, Payload: make([]byte, 2000), Fee: 10})
	e.mustAdd(t, bigTx, big.tx(t, 1, 1))
	s0, s1 := small.tx(t, 0, 1), small.tx(t, 1, 1)
	e.mustAdd(t, s0, s1)
	got := e.pool.Reap(0, s0.Size()+s1.Size()+10)
	if len(got) != 2 || got[0].Hash() != s0.Hash() || got[1].Hash() != s1.Hash() {
		t.Fatalf("reap = %v", nonces(got))
	}
}

func TestSenderReenteringGoesToTheBackOfTheRound(t *testing.T) {
	a, b := newUser(t), newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(a.addr, 0, 1000)
	e.state.set(b.addr, 0, 1000)
	a0 := a.tx(t, 0, 1)
	e.mustAdd(t, a0, b.tx(t, 0, 1))
	e.state.set(a.addr, 1, 989)
	e.pool.Update([]*types.Tx{a0}) // a leaves the pool
	e.mustAdd(t, a.tx(t, 1, 1))    // and comes back behind b
	got := e.pool.Reap(0, 0)
	if from, _ := got[0].Sender(); from != b.addr {
		t.Fatal("a returning sender kept its old place in the round")
	}
}
