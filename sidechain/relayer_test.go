package sidechain

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/types"
	"github.com/cockroachdb/pebble/v2/vfs"
)

var errKilled = errors.New("relayer killed")

// killer counts the relayer's RPC calls and "kills" it at chosen ones:
// that call (and every later one of the same relayer) fails. A send that
// is killed may have reached the node first (the reply was lost).
type killer struct {
	calls  int
	points []int // global call numbers to die at, ascending
	dead   bool
	rng    *rand.Rand
	byName map[string]int
}

func (k *killer) call(name string) error {
	if k.dead {
		return errKilled
	}
	k.calls++
	k.byName[name]++
	if len(k.points) > 0 && k.calls >= k.points[0] {
		k.points = k.points[1:]
		k.dead = true
		return errKilled
	}
	return nil
}

type mainRPC struct {
	c *fakeChain
	k *killer
}

func (m mainRPC) Height(context.Context) (uint64, error) { return m.c.height(), m.k.call("height") }
func (m mainRPC) Nonce(_ context.Context, a types.Address) (uint64, error) {
	return m.c.nonce(a), m.k.call("nonce")
}
func (m mainRPC) SendTx(_ context.Context, tx *types.Tx) error { return m.k.send(m.c, tx) }
func (m mainRPC) Block(_ context.Context, h uint64) (*types.Header, *types.CommitCert, []*types.Receipt, error) {
	if err := m.k.call("block"); err != nil {
		return nil, nil, nil, err
	}
	return &m.c.headers[h-1], &m.c.certs[h-1], m.c.receipts[h-1], nil
}
func (m mainRPC) Released(_ context.Context, id types.Hash) (bool, error) {
	return bridge.Keeper{}.Released(m.c.st, id), m.k.call("released")
}
func (m mainRPC) Anchored(_ context.Context, id string) (uint64, uint64, error) {
	if err := m.k.call("anchored"); err != nil {
		return 0, 0, err
	}
	ch, err := checkpoint.Keeper{}.Chain(m.c.st, id)
	if err != nil {
		return 0, 0, err
	}
	return ch.LastNumber, ch.LastEnd, nil
}
func (m mainRPC) Covering(_ context.Context, id string, h uint64) (*checkpoint.Checkpoint, error) {
	if err := m.k.call("covering"); err != nil {
		return nil, err
	}
	a, err := checkpoint.Keeper{}.Covering(m.c.st, id, h)
	if errors.Is(err, checkpoint.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a.Checkpoint, nil
}

func (k *killer) send(c *fakeChain, tx *types.Tx) error {
	if k.dead {
		return errKilled
	}
	if err := k.call("send"); err != nil {
		if k.rng.IntN(2) == 0 {
			_ = c.submit(tx) // it got there; the reply did not
		}
		return err
	}
	return c.submit(tx)
}

type sideRPC struct {
	c     *fakeChain
	k     *killer
	cps   *Producer
	hashC int
}

func (s sideRPC) Height(context.Context) (uint64, error) { return s.c.height(), s.k.call("height") }
func (s sideRPC) Nonce(_ context.Context, a types.Address) (uint64, error) {
	return s.c.nonce(a), s.k.call("nonce")
}
func (s sideRPC) SendTx(_ context.Context, tx *types.Tx) error { return s.k.send(s.c, tx) }
func (s sideRPC) Block(_ context.Context, h uint64) (*types.Header, []*types.Receipt, error) {
	if err := s.k.call("block"); err != nil {
		return nil, nil, err
	}
	return &s.c.headers[h-1], s.c.receipts[h-1], nil
}
func (s sideRPC) BlockHashes(_ context.Context, start, end uint64) ([]types.Hash, error) {
	if err := s.k.call("hashes"); err != nil {
		return nil, err
	}
	var out []types.Hash
	for h := start; h <= end; h++ {
		out = append(out, s.c.headers[h-1].Hash())
	}
	return out, nil
}
func (s sideRPC) Checkpoint(_ context.Context, n uint64) (*checkpoint.MsgSubmit, error) {
	if err := s.k.call("checkpoint"); err != nil {
		return nil, err
	}
	return s.cps.Completed(n)
}
func (s sideRPC) Trusted(_ context.Context, h uint64) (bool, error) {
	_, err := lightclient.Keeper{}.Header(s.c.st, h)
	return err == nil, s.k.call("trusted")
}
func (s sideRPC) Minted(_ context.Context, id types.Hash) (bool, error) {
	return sidebridge.Keeper{}.Minted(s.c.st, id), s.k.call("minted")
}

type outcome struct {
	locks, burns, rounds int
	calls                map[string]int
	totalCalls           int
	restarts             int
	peakItems            int
	peakBytes            int
	diskBytes            uint64
}

// scenario runs main, side (with its four checkpoint producers) and one
// relayer: user 0 locks 10 USDT to user 1 on side every other round, and
// user 1 burns 1 USDT to user 0 every third, for actionRounds rounds;
// then the chains run until the relayer has carried everything. The
// relayer dies at the kill points (global RPC call numbers) and restarts
// from what its store had synced.
func scenario(t *testing.T, seed uint64, actionRounds int, burnsPerRound int, points []int) *outcome {
	w := newWorld(t)
	s := newProducers(t, w)
	for _, v := range s.views {
		v.noSubmit = true
	}
	k := &killer{points: points, rng: rand.New(rand.NewPCG(seed, 1)), byName: map[string]int{}}
	fs := vfs.NewCrashableMem()
	st := memStore(t, fs)
	cfg := RelayerConfig{SideChainID: sideID, MainChainID: mainID, Key: w.relayer.key, Fee: 10_000, Log: quiet}
	newRelayer := func() *Relayer {
		r, err := NewRelayer(cfg, mainRPC{w.main, k}, sideRPC{c: w.side, k: k, cps: s.ps[0]}, st)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := newRelayer()
	out := &outcome{}
	ctx := context.Background()
	allDone := func() bool {
		return len(k.points) == 0 && len(w.main.mempool) == 0 && len(w.side.mempool) == 0 && pendingWork(t, st) == 0 &&
			unrelayed(w) == 0
	}
	for round := 0; ; round++ {
		if round > actionRounds*4+400 {
			t.Fatalf("seed %d: not done after %d rounds: %d pending items, %d unrelayed", seed, round, pendingWork(t, st), unrelayed(w))
		}
		if round < actionRounds {
			if round%2 == 0 {
				w.main.send(w.users[0], bridge.TypeLock, &bridge.MsgLock{ChainID: sideID, Recipient: w.users[1].addr, Amount: 10 * types.MicroPerUSDT})
				out.locks++
			}
			if round%3 == 1 {
				for range burnsPerRound {
					w.side.send(w.users[1], sidebridge.TypeBurn, &sidebridge.MsgBurn{Recipient: w.users[0].addr, Amount: types.MicroPerUSDT})
					out.burns++
				}
			}
		} else if allDone() {
			out.rounds = round
			break
		}
		if err := r.Step(ctx); err != nil {
			if !errors.Is(err, errKilled) {
				t.Fatalf("seed %d round %d: %v", seed, round, err)
			}
			// SIGKILL: only synced writes survive; the relayer object is dropped.
			crashed := fs.CrashClone(vfs.CrashCloneCfg{})
			_ = st.Close()
			fs, st = crashed, memStore(t, crashed)
			k.dead = false
			r = newRelayer()
			out.restarts++
		}
		if n, b := storeLive(t, st); n > out.peakItems {
			out.peakItems, out.peakBytes = n, b
		}
		s.round(t) // producers step, votes delivered, a block on each chain
	}
	out.calls, out.totalCalls = k.byName, k.calls
	if err := st.Flush(); err != nil {
		t.Fatal(err)
	}
	out.diskBytes = st.Size()
	_ = st.Close()
	checkExactlyOnce(t, seed, w, out)
	return out
}

func pendingWork(t *testing.T, st *Store) int {
	n := 0
	for _, p := range [][]byte{prefixHdr, prefixLock, prefixBurn, prefixTx, prefixDeposit, prefixWOpen, prefixWSeen, prefixPayment} {
		if err := st.Scan(p, func(_, _ []byte) bool { n++; return true }); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func storeLive(t *testing.T, st *Store) (n, bytes int) {
	if err := st.Scan(nil, func(k, v []byte) bool { n++; bytes += len(k) + len(v); return true }); err != nil {
		t.Fatal(err)
	}
	return n, bytes
}

type event struct {
	height, receipt, index int
	ev                     types.Event
}

func events(c *fakeChain, typ string) []event {
	var out []event
	for h, rs := range c.receipts {
		for i, rc := range rs {
			if rc.Status != types.StatusOK {
				continue
			}
			for j, ev := range rc.Events {
				if ev.Type == typ {
					out = append(out, event{h + 1, i, j, ev})
				}
			}
		}
	}
	return out
}

// unrelayed counts locks not minted and burns not released.
func unrelayed(w *world) int {
	n := 0
	for _, e := range events(w.main, bridge.EventLocked) {
		if !(sidebridge.Keeper{}).Minted(w.side.st, proof.LockID(mainID, uint64(e.height), uint64(e.receipt), uint64(e.index))) {
			n++
		}
	}
	for _, e := range events(w.side, bridge.EventBurned) {
		if !(bridge.Keeper{}).Released(w.main.st, proof.BurnID(sideID, uint64(e.height), uint64(e.receipt), uint64(e.index))) {
			n++
		}
	}
	return n
}

func checkExactlyOnce(t *testing.T, seed uint64, w *world, out *outcome) {
	t.Helper()
	locks, burns := events(w.main, bridge.EventLocked), events(w.side, bridge.EventBurned)
	if len(locks) != out.locks || len(burns) != out.burns {
		t.Fatalf("seed %d: %d locks and %d burns on chain, %d and %d sent", seed, len(locks), len(burns), out.locks, out.burns)
	}
	minted := map[string]int{}
	for _, e := range events(w.side, "bridge.minted") {
		minted[e.ev.Get("lock")]++
	}
	for _, e := range locks {
		id := proof.LockID(mainID, uint64(e.height), uint64(e.receipt), uint64(e.index)).Hex()
		if minted[id] != 1 {
			t.Fatalf("seed %d: lock %s minted %d times", seed, id, minted[id])
		}
	}
	released := map[string]int{}
	for _, e := range events(w.main, bridge.EventReleased) {
		released[e.ev.Get("burn")]++
	}
	for _, e := range burns {
		id := proof.BurnID(sideID, uint64(e.height), uint64(e.receipt), uint64(e.index)).Hex()
		if released[id] != 1 {
			t.Fatalf("seed %d: burn %s released %d times", seed, id, released[id])
		}
	}
	// No relayer transaction failed, none was sent that was not needed,
	// and every distinct one it sent was included: nothing doubled.
	for _, c := range []*fakeChain{w.main, w.side} {
		relayed := 0
		for i, tx := range c.includedTx {
			if from, _ := tx.Sender(); from == w.relayer.addr {
				relayed++
			}
			if c.included[i].Status != types.StatusOK {
				t.Fatalf("seed %d: failed tx %#x on %s: %s", seed, tx.Type, c.id, c.included[i].Error)
			}
		}
		if relayed != c.submits {
			t.Fatalf("seed %d: %s: relayer sent %d distinct txs, %d included", seed, c.id, c.submits, relayed)
		}
	}
	lockBlocks := map[int]bool{}
	for _, e := range locks {
		lockBlocks[e.height] = true
	}
	if w.side.submits != len(lockBlocks)+len(locks) {
		t.Fatalf("seed %d: side got %d relayer txs, want %d header updates + %d mints", seed, w.side.submits, len(lockBlocks), len(locks))
	}
	if want := int(anchored(t, w.main)) + len(burns); w.main.submits != want {
		t.Fatalf("seed %d: main got %d relayer txs, want %d (checkpoints + releases)", seed, w.main.submits, want)
	}
	// The escrow holds what was locked less what was released.
	if got, want := (bridge.Keeper{}).Locked(w.main.st, sideID), uint64(len(locks))*10*types.MicroPerUSDT-uint64(len(burns))*types.MicroPerUSDT; got != want {
		t.Fatalf("seed %d: escrow for side holds %d, want %d", seed, got, want)
	}
}

func TestRelayerCarriesEverythingOnce(t *testing.T) {
	out := scenario(t, 0, 40, 1, nil)
	if out.locks != 20 || out.burns != 13 || out.restarts != 0 {
		t.Fatalf("%+v", out)
	}
}

// TestRelayerKilledAtRandomPoints kills the relayer at 20 random RPC calls
// (a kill at a send may or may not have delivered it) and restarts it from
// its crashed store each time; every lock is minted once, every burn
// released once, no transaction doubled. RELAYER_SEED replays a run.
func TestRelayerKilledAtRandomPoints(t *testing.T) {
	seed := rand.Uint64()
	if s := os.Getenv("RELAYER_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seed %d (RELAYER_SEED=%d to replay)", seed, seed)
	clean := scenario(t, seed, 40, 1, nil)
	rng := rand.New(rand.NewPCG(seed, 0))
	var points []int
	for len(points) < 20 {
		if p := 1 + rng.IntN(clean.totalCalls); !slices.Contains(points, p) {
			points = append(points, p)
		}
	}
	slices.Sort(points)
	out := scenario(t, seed, 40, 1, points)
	if out.restarts != 20 {
		t.Fatalf("seed %d: %d restarts, want 20", seed, out.restarts)
	}
}

// TestRelayerCosts measures RPC calls per relayed burn and the store's
// footprint per 1,000 items (logged; see the package's report).
func TestRelayerCosts(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	out := scenario(t, 1, 300, 10, nil)
	t.Logf("%d locks, %d burns over %d rounds; RPC calls %d: %v", out.locks, out.burns, out.rounds, out.totalCalls, out.calls)
	t.Logf("per burn: released %.2f covering %.2f block %.2f hashes %.2f send %.2f",
		float64(out.calls["released"])/float64(out.burns), float64(out.calls["covering"])/float64(out.burns),
		float64(out.calls["block"])/float64(out.burns+out.locks), float64(out.calls["hashes"])/float64(out.burns),
		float64(out.calls["send"])/float64(out.burns+out.locks))
	t.Logf("peak live store: %d entries, %d bytes (%.0f bytes per 1000 entries)", out.peakItems, out.peakBytes,
		1000*float64(out.peakBytes)/float64(max(out.peakItems, 1)))
	t.Logf("store on disk after the run: %d bytes", out.diskBytes)
}
