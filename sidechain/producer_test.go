package sidechain

import (
	"errors"
	"log/slog"
	"slices"
	"testing"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/types"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// stubBlocks is a side chain given by block times and a validator set per height.
type stubBlocks struct {
	times []uint64 // times[h-1]
	set   func(h uint64) []types.Address
}

func (s stubBlocks) Height() (uint64, error) { return uint64(len(s.times)), nil }
func (s stubBlocks) Header(h uint64) (*types.Header, error) {
	return &types.Header{ChainID: sideID, Height: h, Time: s.times[h-1], StateRoot: types.Keccak([]byte{byte(h)})}, nil
}
func (s stubBlocks) Validators(h uint64) ([]types.Address, error) { return s.set(h), nil }

var quiet = slog.New(slog.DiscardHandler)

func memStore(t testing.TB, fs vfs.FS) *Store {
	t.Helper()
	st, err := OpenStore("db", fs)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestNextBoundaries(t *testing.T) {
	a, b := addrs([]testKey{newKey(1), newKey(2)}), addrs([]testKey{newKey(3), newKey(4)})
	steady := func(uint64) []types.Address { return a }
	every := func(n int, step uint64) []uint64 {
		out := make([]uint64, n)
		for i := range out {
			out[i] = uint64(i) * step
		}
		return out
	}
	tests := []struct {
		name       string
		blocks     stubBlocks
		start      uint64
		wantEnd    uint64 // 0: not due
		wantHandov bool
	}{
		{"interval reached", stubBlocks{every(10, 1000), steady}, 1, 8, false},
		{"interval not reached", stubBlocks{every(7, 1000), steady}, 1, 0, false},
		{"second checkpoint", stubBlocks{every(20, 1000), steady}, 9, 16, false},
		{"max age cuts early", stubBlocks{every(10, 10*60*1000), steady}, 1, 4, false},
		{"set changes at 6", stubBlocks{every(10, 1000), func(h uint64) []types.Address {
			if h >= 6 {
				return b
			}
			return a
		}}, 1, 5, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewProducer(ProducerConfig{ChainID: sideID, Interval: 8, Key: newKey(1).key}, tc.blocks, nil, nil, memStore(t, vfs.NewMem()))
			if err != nil {
				t.Fatal(err)
			}
			cp, _, err := p.Next(3, tc.start)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantEnd == 0 {
				if cp != nil {
					t.Fatalf("due early: %+v", cp)
				}
				return
			}
			if cp == nil || cp.Start != tc.start || cp.End != tc.wantEnd || cp.Number != 3 {
				t.Fatalf("got %+v, want [%d, %d]", cp, tc.start, tc.wantEnd)
			}
			var hashes []types.Hash
			for h := cp.Start; h <= cp.End; h++ {
				hd, _ := tc.blocks.Header(h)
				hashes = append(hashes, hd.Hash())
			}
			if cp.BlocksRoot != proof.BlocksRoot(hashes) || cp.AppHash != types.Keccak([]byte{byte(cp.End)}) {
				t.Fatal("roots")
			}
			if (cp.NextValidatorsHash != cp.ValidatorsHash) != tc.wantHandov {
				t.Fatalf("hand-over %v", !tc.wantHandov)
			}
			if err := cp.ValidateBasic(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// bus queues votes; the test delivers them, so delivery order is fixed.
type bus struct{ q []*Vote }

func (b *bus) Broadcast(v *Vote) error { b.q = append(b.q, v); return nil }

type mainView struct {
	c        *fakeChain
	k        testKey
	subs     map[uint64]int
	noSubmit bool // a relayer carries the checkpoints
}

func (m *mainView) Anchored(id string) (uint64, error) {
	ch, err := checkpoint.Keeper{}.Chain(m.c.st, id)
	if err != nil {
		return 0, err
	}
	return ch.LastNumber, nil
}

func (m *mainView) Submit(s *checkpoint.MsgSubmit) error {
	m.subs[s.Checkpoint.Number]++
	if m.noSubmit {
		return nil
	}
	m.c.send(m.k, checkpoint.TypeSubmit, s)
	return nil
}

type producers struct {
	w     *world
	bus   *bus
	ps    []*Producer
	views []*mainView
	fss   []*vfs.MemFS
	down  map[int]bool
}

func newProducers(t *testing.T, w *world) *producers {
	return newProducersOver(t, w, w.sideVals, sideBlocks{w.side})
}

func newProducersOver(t *testing.T, w *world, keys []testKey, blocks Blocks) *producers {
	s := &producers{w: w, bus: &bus{}, down: map[int]bool{}}
	for i, v := range keys {
		mv := &mainView{c: w.main, k: v, subs: map[uint64]int{}}
		fs := vfs.NewCrashableMem()
		p, err := NewProducer(ProducerConfig{ChainID: sideID, Interval: 8, SubmitTimeout: 3, Key: v.key, Log: quiet}, blocks, s.bus, mv, memStore(t, fs))
		if err != nil {
			t.Fatal(err)
		}
		_ = i
		s.ps, s.views, s.fss = append(s.ps, p), append(s.views, mv), append(s.fss, fs)
	}
	return s
}

// round steps every live producer, delivers the votes, and seals a block on each chain.
func (s *producers) round(t *testing.T) {
	t.Helper()
	for i, p := range s.ps {
		if !s.down[i] {
			if err := p.Step(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, v := range s.bus.q {
		for i, p := range s.ps {
			if !s.down[i] {
				if err := p.HandleVote(v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	s.bus.q = nil
	s.w.main.produce()
	s.w.side.produce()
}

func anchored(t *testing.T, c *fakeChain) uint64 {
	ch, err := checkpoint.Keeper{}.Chain(c.st, sideID)
	if err != nil {
		t.Fatal(err)
	}
	return ch.LastNumber
}

func TestProducerAnchorsEachCheckpointOnce(t *testing.T) {
	w := newWorld(t)
	s := newProducers(t, w)
	for range 30 {
		s.round(t)
	}
	if got := anchored(t, w.main); got != 3 {
		t.Fatalf("anchored %d checkpoints over 30 side blocks of interval 8, want 3", got)
	}
	for n := uint64(1); n <= 3; n++ {
		a, err := checkpoint.Keeper{}.ByNumber(w.main.st, sideID, n)
		if err != nil {
			t.Fatal(err)
		}
		if a.Checkpoint.Start != 8*(n-1)+1 || a.Checkpoint.End != 8*n {
			t.Fatalf("checkpoint %d: [%d, %d]", n, a.Checkpoint.Start, a.Checkpoint.End)
		}
		total := 0
		for i, v := range s.views {
			total += v.subs[n]
			if v.subs[n] > 0 && uint64(i) != n%4 {
				t.Fatalf("checkpoint %d submitted by %d, designated %d", n, i, n%4)
			}
		}
		if total != 1 {
			t.Fatalf("checkpoint %d submitted %d times", n, total)
		}
	}
	for _, rc := range w.main.included {
		if rc.Status != types.StatusOK {
			t.Fatalf("failed tx on main: %s", rc.Error)
		}
	}
}

func TestProducerFallbackSubmitter(t *testing.T) {
	w := newWorld(t)
	s := newProducers(t, w)
	s.down[1] = true // the designated submitter of checkpoint 1; 3 of 4 still make a quorum
	for range 16 {
		s.round(t)
	}
	if got := anchored(t, w.main); got < 1 {
		t.Fatal("checkpoint 1 not anchored without its designated submitter")
	}
	if s.views[2].subs[1] != 1 || s.views[1].subs[1] != 0 {
		t.Fatalf("checkpoint 1 submissions by validator: %v %v %v %v", s.views[0].subs, s.views[1].subs, s.views[2].subs, s.views[3].subs)
	}
	a, _ := checkpoint.Keeper{}.ByNumber(w.main.st, sideID, 1)
	if a.Signers != 3 {
		t.Fatalf("signers %d", a.Signers)
	}
}

func TestProducerRestartNeverSignsTwoCheckpointsForANumber(t *testing.T) {
	w := newWorld(t)
	s := newProducers(t, w)
	for range 9 {
		s.round(t)
	}
	// Crash validator 0: only synced writes survive.
	crashed := s.fss[0].CrashClone(vfs.CrashCloneCfg{})
	st := memStore(t, crashed)
	signed, ok, err := st.Get(numKey(prefixSigned, 1))
	if err != nil || !ok {
		t.Fatalf("signed checkpoint 1 not persisted: %v", err)
	}
	// The same history: restarting signs again, fine.
	p, err := NewProducer(ProducerConfig{ChainID: sideID, Interval: 8, SubmitTimeout: 3, Key: w.sideVals[0].key}, sideBlocks{w.side}, s.bus, s.views[0], st)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Step(); err != nil {
		t.Fatal(err)
	}
	// A forked history (other block times, so other hashes) for the same
	// number is refused, and the record is unchanged.
	fork := stubBlocks{times: make([]uint64, 9), set: func(uint64) []types.Address { return addrs(w.sideVals) }}
	crashed2 := crashed.CrashClone(vfs.CrashCloneCfg{})
	st2 := memStore(t, crashed2)
	anch := &mainView{c: newWorld(t).main, k: w.sideVals[0], subs: map[uint64]int{}} // a main with nothing anchored
	p2, err := NewProducer(ProducerConfig{ChainID: sideID, Interval: 8, Key: w.sideVals[0].key}, fork, s.bus, anch, st2)
	if err != nil {
		t.Fatal(err)
	}
	if err := st2.Set(keyCursor, append(be(1), be(1)...)); err != nil { // recompute checkpoint 1
		t.Fatal(err)
	}
	if err := p2.Step(); !errors.Is(err, ErrConflictingSign) {
		t.Fatalf("forked checkpoint 1: %v", err)
	}
	after, _, _ := st2.Get(numKey(prefixSigned, 1))
	if string(after) != string(signed) {
		t.Fatal("signed record changed")
	}
}

func be(v uint64) []byte {
	b := make([]byte, 8)
	for i := range 8 {
		b[7-i] = byte(v >> (8 * i))
	}
	return b
}

// handoverBlocks is the fake side chain with its set changing at height at.
type handoverBlocks struct {
	sideBlocks
	at       uint64
	old, new []types.Address
}

func (b handoverBlocks) Validators(h uint64) ([]types.Address, error) {
	if h >= b.at {
		return b.new, nil
	}
	return b.old, nil
}

// TestProducerHandsOverToTheNextSet changes the side set at height 6
// (validator 0 leaves, a fifth key joins): checkpoint 1 ends at 5 and
// carries the next set, main registers it, and checkpoint 2 is signed by
// the new set only — the leaver, still running, signs nothing.
func TestProducerHandsOverToTheNextSet(t *testing.T) {
	w := newWorld(t)
	joiner := newKey(205)
	keys := append(slices.Clone(w.sideVals), joiner)
	oldSet, newSet := addrs(w.sideVals), append(addrs(w.sideVals[1:]), joiner.addr)
	s := newProducersOver(t, w, keys, handoverBlocks{sideBlocks{w.side}, 6, oldSet, newSet})
	for range 24 {
		s.round(t)
	}
	one, err := checkpoint.Keeper{}.ByNumber(w.main.st, sideID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if one.Checkpoint.End != 5 || one.Checkpoint.NextValidatorsHash != setHashOf(t, newSet) || one.Checkpoint.ValidatorsHash != setHashOf(t, oldSet) {
		t.Fatalf("checkpoint 1: %+v", one.Checkpoint)
	}
	two, err := checkpoint.Keeper{}.ByNumber(w.main.st, sideID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if two.Checkpoint.Start != 6 || two.Checkpoint.End != 13 || two.Checkpoint.ValidatorsHash != setHashOf(t, newSet) {
		t.Fatalf("checkpoint 2: %+v", two.Checkpoint)
	}
	ch, _ := checkpoint.Keeper{}.Chain(w.main.st, sideID)
	if ch.ValidatorsHash != setHashOf(t, newSet) {
		t.Fatal("main did not register the new set")
	}
	if raw, ok, _ := s.ps[0].store.Get(numKey(prefixSigned, 2)); !ok || len(raw) == 0 {
		t.Fatal("the leaver does not follow checkpoint 2")
	}
	seen := false
	for _, tx := range w.main.includedTx {
		if tx.Type != checkpoint.TypeSubmit {
			continue
		}
		m, err := checkpoint.DecodeSubmit(tx.Payload)
		if err != nil || m.Checkpoint.Number != 2 {
			continue
		}
		seen = true
		for _, sg := range m.Sigs {
			if a, _ := types.RecoverAddress(m.Checkpoint.Digest(), sg.Sig); a == w.sideVals[0].addr || a != newSet[sg.Index] {
				t.Fatalf("checkpoint 2 signature %d recovers to %s", sg.Index, a.Hex())
			}
		}
	}
	if !seen {
		t.Fatal("checkpoint 2 never submitted")
	}
	for _, rc := range w.main.included {
		if rc.Status != types.StatusOK {
			t.Fatalf("failed tx on main: %s", rc.Error)
		}
	}
}
