package mempool

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable Config.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (e *env) fund(us ...user) {
	for _, u := range us {
		e.state.set(u.addr, 0, 1_000_000)
	}
}

// senderNonces lists the pooled nonces of u.
func (e *env) senderNonces(u user) []uint64 {
	e.pool.mu.RLock()
	defer e.pool.mu.RUnlock()
	sq := e.pool.senders[u.addr]
	if sq == nil {
		return nil
	}
	out := make([]uint64, len(sq.txs))
	for i, x := range sq.txs {
		out[i] = x.nonce
	}
	return out
}

func TestAgeEviction(t *testing.T) {
	type step struct {
		wait  time.Duration
		add   []uint64 // alice's nonces to add after waiting
		after []uint64 // alice's pooled nonces after the Update that follows
	}
	cases := []struct {
		name     string
		steps    []step
		wantAged uint64
		wantReap []uint64 // alice's nonces reaped at the end
	}{
		{
			name: "gap filled before the age limit lets the whole sequence in",
			steps: []step{
				{add: []uint64{1, 2}, after: []uint64{1, 2}},
				{wait: 59 * time.Second, add: []uint64{0}, after: []uint64{0, 1, 2}},
				{wait: time.Hour, after: []uint64{0, 1, 2}}, // runnable txs never age out
			},
			wantReap: []uint64{0, 1, 2},
		},
		{
			name: "gapped txs past the age limit are evicted and may be resubmitted",
			steps: []step{
				{add: []uint64{1, 2}, after: []uint64{1, 2}},
				{wait: time.Minute, after: nil},
				{add: []uint64{0, 1, 2}, after: []uint64{0, 1, 2}},
			},
			wantAged: 2,
			wantReap: []uint64{0, 1, 2},
		},
		{
			name: "only the gapped txs that are old enough go",
			steps: []step{
				{add: []uint64{1}, after: []uint64{1}},
				{wait: 40 * time.Second, add: []uint64{2}, after: []uint64{1, 2}},
				{wait: 20 * time.Second, after: []uint64{2}},
				{add: []uint64{0}, after: []uint64{0, 2}},
			},
			wantAged: 1,
			wantReap: []uint64{0},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			cfg := baseConfig()
			cfg.MaxGapAge, cfg.Now = time.Minute, clock.Now
			e := newEnv(t, cfg)
			alice, bob := newUser(t), newUser(t)
			e.fund(alice, bob)
			e.mustAdd(t, bob.tx(t, 0, 1)) // runnable from the start: must survive every sweep
			for i, s := range tc.steps {
				clock.advance(s.wait)
				for _, n := range s.add {
					e.mustAdd(t, alice.tx(t, n, 1))
				}
				e.pool.Update(nil)
				checkInvariants(t, e.pool)
				if got := e.senderNonces(alice); !slices.Equal(got, s.after) {
					t.Fatalf("step %d: alice pooled %v, want %v", i, got, s.after)
				}
			}
			if got := e.senderNonces(bob); !slices.Equal(got, []uint64{0}) {
				t.Fatalf("bob's runnable tx: pooled %v, want [0]", got)
			}
			aged, pressure := e.pool.Evicted()
			if aged != tc.wantAged || pressure != 0 {
				t.Fatalf("evicted aged=%d pressure=%d, want aged=%d pressure=0", aged, pressure, tc.wantAged)
			}
			var got []uint64
			for _, tx := range e.pool.Reap(0, 0) {
				if from, _ := e.cache.Sender(tx); from == alice.addr {
					got = append(got, tx.Nonce)
				}
			}
			if !slices.Equal(got, tc.wantReap) {
				t.Fatalf("reaped alice %v, want %v", got, tc.wantReap)
			}
		})
	}
}

func TestPressureEvictsGappedFirst(t *testing.T) {
	clock := newFakeClock()
	cfg := baseConfig()
	cfg.MaxTxs, cfg.Now = 10, clock.Now
	e := newEnv(t, cfg)
	old, young, runner, filler, newcomer := newUser(t), newUser(t), newUser(t), newUser(t), newUser(t)
	e.fund(old, young, runner, filler, newcomer)

	e.mustAdd(t, old.tx(t, 1, 1), old.tx(t, 2, 1), old.tx(t, 3, 1)) // gapped, oldest
	clock.advance(time.Second)
	e.mustAdd(t, young.tx(t, 5, 1), young.tx(t, 6, 1)) // gapped, younger
	clock.advance(time.Second)
	e.mustAdd(t, runner.tx(t, 0, 1), runner.tx(t, 1, 1))                     // runnable
	e.mustAdd(t, filler.tx(t, 0, 1), filler.tx(t, 2, 1), filler.tx(t, 3, 1)) // gap at 1
	if e.pool.Size() != cfg.MaxTxs {
		t.Fatalf("setup: size %d, want %d", e.pool.Size(), cfg.MaxTxs)
	}

	// A gapped tx may not push anything out.
	if err := e.pool.Add(newcomer.tx(t, 1, 1)); !errors.Is(err, ErrPoolFull) {
		t.Fatalf("gapped tx into a full pool: err %v, want ErrPoolFull", err)
	}
	// The tx that fills filler's gap is runnable: it evicts the oldest
	// gapped tail (old's), not filler's own tail, which it makes runnable.
	e.mustAdd(t, filler.tx(t, 1, 1))
	if got := e.senderNonces(old); got != nil {
		t.Fatalf("old's gapped txs still pooled: %v", got)
	}
	if got := e.senderNonces(young); !slices.Equal(got, []uint64{5, 6}) {
		t.Fatalf("young's gapped txs: %v, want [5 6] (one sweep stops at the low-water mark)", got)
	}
	if got := e.senderNonces(filler); !slices.Equal(got, []uint64{0, 1, 2, 3}) {
		t.Fatalf("filler: %v, want [0 1 2 3]", got)
	}
	// A new sender's runnable tx fits without another sweep.
	e.mustAdd(t, newcomer.tx(t, 0, 1))
	if _, pressure := e.pool.Evicted(); pressure != 3 {
		t.Fatalf("pressure evictions %d, want 3", pressure)
	}
	// Fill up with runnable txs: then nothing is gapped but young's, which
	// the next sweep takes; after that a full pool refuses.
	e.mustAdd(t, runner.tx(t, 2, 1), runner.tx(t, 3, 1))
	e.mustAdd(t, newcomer.tx(t, 1, 1))
	if got := e.senderNonces(young); got != nil {
		t.Fatalf("young's gapped txs survived a second sweep: %v", got)
	}
	for n := uint64(2); e.pool.Size() < cfg.MaxTxs; n++ {
		e.mustAdd(t, newcomer.tx(t, n, 1))
	}
	if err := e.pool.Add(runner.tx(t, 4, 1)); !errors.Is(err, ErrPoolFull) {
		t.Fatalf("runnable tx into a pool of runnable txs: err %v, want ErrPoolFull", err)
	}
	if _, pressure := e.pool.Evicted(); pressure != 5 {
		t.Fatalf("pressure evictions %d, want 5", pressure)
	}
	checkInvariants(t, e.pool)
	// Every pooled tx can run: reap returns them all.
	if got, want := len(e.pool.Reap(0, 0)), cfg.MaxTxs; got != want {
		t.Fatalf("reaped %d, want %d", got, want)
	}
}

func TestPressureEvictionByBytes(t *testing.T) {
	gapped, runner := newUser(t), newUser(t)
	one := gapped.tx(t, 1, 1).Size()
	cfg := baseConfig()
	cfg.MaxBytes = 3*one + one/2 // room for three txs of this size, not four
	e := newEnv(t, cfg)
	e.fund(gapped, runner)
	e.mustAdd(t, gapped.tx(t, 1, 1), gapped.tx(t, 2, 1), runner.tx(t, 0, 1))
	e.mustAdd(t, runner.tx(t, 1, 1))
	if got := e.senderNonces(gapped); got != nil {
		t.Fatalf("gapped txs still pooled: %v", got)
	}
	if _, pressure := e.pool.Evicted(); pressure != 2 {
		t.Fatalf("pressure evictions %d, want 2", pressure)
	}
}
