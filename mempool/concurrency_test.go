package mempool

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/accordnet/accord/types"
)

// TestConcurrentAddReapUpdate runs admission from several goroutines (single
// and batch, raw and decoded, with duplicates) while a "proposer" reaps,
// commits what it reaped to the fake state and calls Update. Run with -race.
// Afterwards every tx is either committed or still pooled and valid, and
// the bookkeeping is consistent.
func TestConcurrentAddReapUpdate(t *testing.T) {
	const senders, perSender = 8, 12
	users := make([]user, senders)
	txs := make([][]*types.Tx, senders)
	for i := range users {
		users[i] = newUser(t)
		for n := uint64(0); n < perSender; n++ {
			txs[i] = append(txs[i], users[i].tx(t, n, 1))
		}
	}
	cfg := baseConfig()
	cfg.Workers = 3
	e := newEnv(t, cfg)
	for _, u := range users {
		e.state.set(u.addr, 0, 1_000_000)
	}
	var admittedCount atomic.Int64
	e.pool.cfg.OnAdmit = func(txs []*types.Tx) {
		admittedCount.Add(int64(len(txs)))
		_ = e.pool.Size() // callbacks run outside the lock
	}

	var wg sync.WaitGroup
	// Admitters: each sender's txs in order, alternating single and batch,
	// raw and decoded, each tx sent twice (gossip from two peers).
	for i := range users {
		wg.Go(func() {
			for n := 0; n < perSender; n += 2 {
				pair := []*types.Tx{fresh(t, txs[i][n]), fresh(t, txs[i][n+1])}
				if n%4 == 0 {
					e.pool.AddBatch(pair)
					e.pool.AddRaw(txs[i][n].Encode())
				} else {
					e.pool.AddRawBatch([][]byte{pair[0].Encode(), pair[1].Encode()})
					e.pool.Add(fresh(t, txs[i][n+1]))
				}
			}
		})
	}
	// Readers.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, u := range users {
				e.pool.PendingNonce(u.addr)
			}
			e.pool.Has(txs[0][0].Hash())
			e.pool.Bytes()
		}
	})
	// Proposer: reap, commit to state, update.
	committed := map[types.Hash]bool{}
	proposer := func(rounds int) {
		for r := 0; r < rounds; r++ {
			block := e.pool.Reap(5, 0)
			checkReapOrder(t, e, block)
			for _, tx := range block {
				from, _ := tx.Sender()
				acc := e.state.get(from)
				e.state.set(from, acc.nonce+1, acc.balance-11)
				committed[tx.Hash()] = true
			}
			e.pool.Update(block)
		}
	}
	var prop sync.WaitGroup
	prop.Go(func() { proposer(40) })
	wg.Wait()
	prop.Wait()
	proposer(senders * perSender) // drain
	close(stop)
	readers.Wait()
	checkInvariants(t, e.pool)

	if e.pool.Size() != 0 {
		t.Fatalf("%d txs left after draining", e.pool.Size())
	}
	if len(committed) != senders*perSender {
		t.Fatalf("committed %d txs, want %d", len(committed), senders*perSender)
	}
	for _, u := range users {
		if acc := e.state.get(u.addr); acc.nonce != perSender {
			t.Fatalf("sender nonce %d, want %d", acc.nonce, perSender)
		}
	}
	if admittedCount.Load() != senders*perSender {
		t.Fatalf("OnAdmit saw %d txs, want %d (each once)", admittedCount.Load(), senders*perSender)
	}
}

// checkReapOrder: a reaped block must execute: per sender, nonces start at
// the account nonce and are consecutive.
func checkReapOrder(t *testing.T, e *env, block []*types.Tx) {
	t.Helper()
	next := map[types.Address]uint64{}
	for _, tx := range block {
		from, err := tx.Sender()
		if err != nil {
			t.Fatal(err)
		}
		want, ok := next[from]
		if !ok {
			want = e.state.get(from).nonce
		}
		if tx.Nonce != want {
			t.Fatalf("reaped nonce %d for %s, want %d", tx.Nonce, from.Hex(), want)
		}
		next[from] = want + 1
	}
}

func fresh(t testing.TB, tx *types.Tx) *types.Tx {
	t.Helper()
	dec, err := types.DecodeTx(tx.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return dec
}
