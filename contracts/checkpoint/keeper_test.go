package checkpoint

import (
	"errors"
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

const side = "accord-side-1"

type valKeys = testkit.ValKeys

func newKeys(seed, n int) valKeys { return testkit.NewValKeys(uint64(1000*seed), n) }

type env struct {
	t      testing.TB
	st     *state.Overlay
	m      Module
	height uint64
	events []types.Event
}

func newEnv(t testing.TB, vals valKeys) *env {
	e := &env{t: t, st: state.NewOverlay(nil), m: NewModule(), height: 1}
	g := fmt.Sprintf(`{"chains":[{"chain_id":%q,"validators":[%s]}]}`, side, vals.QuotedAddrs())
	if err := e.m.InitGenesis(core.NewContext(core.Block{}, e.st), []byte(g)); err != nil {
		t.Fatal(err)
	}
	return e
}

// submit runs the encoded message through the route, rolling back a
// failure as the router does.
func (e *env) submitRaw(payload []byte) error {
	e.height++
	ctx := core.NewContext(core.Block{ChainID: "accord-main", Height: e.height, Time: 1000 * e.height}, e.st)
	evs, err := testkit.Run(e.st, ctx, e.m.Routes()[0].Handler, payload)
	e.events = evs
	if err != nil {
		return err
	}
	if msg, broken := e.m.Keeper.Invariants(e.st); broken {
		e.t.Fatalf("invariant: %s", msg)
	}
	return nil
}

func (e *env) submit(m *MsgSubmit) error { return e.submitRaw(core.Encode(m)) }

func (e *env) dump() string { return testkit.Dump(e.st, []byte("checkpoint/")) }

func mkCP(n, start, end uint64, set, next valKeys) Checkpoint {
	return Checkpoint{ChainID: side, Number: n, Start: start, End: end,
		BlocksRoot:     types.Keccak([]byte(fmt.Sprintf("blocks %d-%d", start, end))),
		AppHash:        types.Keccak([]byte(fmt.Sprintf("app %d", end))),
		ValidatorsHash: set.Hash(), NextValidatorsHash: next.Hash()}
}

// signed returns a MsgSubmit for cp signed by keys at the given indices
// of the set (all of them if none are given).
func signed(t testing.TB, cp Checkpoint, ks valKeys, idx ...int) *MsgSubmit {
	t.Helper()
	if idx == nil {
		for i := range ks {
			idx = append(idx, i)
		}
	}
	m := &MsgSubmit{Checkpoint: cp}
	for _, i := range idx {
		s, err := Sign(&cp, uint32(i), ks[i])
		if err != nil {
			t.Fatal(err)
		}
		m.Sigs = append(m.Sigs, s)
	}
	return m
}

func TestAnchorAndQuery(t *testing.T) {
	a := newKeys(1, 4)
	e := newEnv(t, a)
	for n, r := range [][2]uint64{{1, 256}, {257, 512}, {513, 600}} {
		if err := e.submit(signed(t, mkCP(uint64(n+1), r[0], r[1], a, a), a, 0, 1, 3)); err != nil {
			t.Fatalf("checkpoint %d: %v", n+1, err)
		}
	}
	var anchored AnchoredEvent
	if found, err := core.FindEvent(e.events, &anchored); !found || err != nil ||
		(anchored != AnchoredEvent{Chain: side, Number: 3, Start: 513, End: 600, BlocksRoot: anchored.BlocksRoot, Hash: anchored.Hash, Signers: 3}) {
		t.Fatalf("events %+v: %+v %v", e.events, anchored, err)
	}
	if l, _ := e.m.Latest(e.st, side); anchored.Hash != l.Checkpoint.Hash() || anchored.BlocksRoot != l.Checkpoint.BlocksRoot {
		t.Fatalf("anchored event %+v, latest %+v", anchored, l)
	}
	l, err := e.m.Latest(e.st, side)
	if err != nil || l.Checkpoint.Number != 3 || l.Checkpoint.End != 600 {
		t.Fatalf("latest %+v %v", l, err)
	}
	for _, tc := range []struct{ h, n uint64 }{{1, 1}, {256, 1}, {257, 2}, {400, 2}, {512, 2}, {513, 3}, {600, 3}} {
		c, err := e.m.Covering(e.st, side, tc.h)
		if err != nil || c.Checkpoint.Number != tc.n {
			t.Errorf("covering %d: %+v %v, want #%d", tc.h, c, err, tc.n)
		}
	}
	for _, h := range []uint64{0, 601} {
		if _, err := e.m.Covering(e.st, side, h); !errors.Is(err, ErrNotFound) {
			t.Errorf("covering %d: %v", h, err)
		}
	}
	if e.m.Halted(e.st, side) || !e.m.Halted(e.st, "unknown") {
		t.Fatal("halted wrong")
	}
}

func TestSubmitRefusals(t *testing.T) {
	a, b := newKeys(1, 4), newKeys(2, 4)
	outsider := newKeys(3, 1)
	zero := func(f func(*Checkpoint)) Checkpoint { c := mkCP(2, 101, 200, a, a); f(&c); return c }
	cases := []struct {
		name string
		msg  func(t *testing.T) *MsgSubmit
		want error
	}{
		{"gap in heights", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(2, 102, 200, a, a), a) }, ErrNotContiguous},
		{"gap in numbers", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(3, 101, 200, a, a), a) }, ErrNotContiguous},
		{"overlapping range", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(2, 100, 200, a, a), a) }, ErrNotContiguous},
		{"identical resubmission", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(1, 1, 100, a, a), a) }, ErrAlreadyAnchored},
		{"duplicate signer", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(2, 101, 200, a, a), a, 0, 1, 1) }, ErrUnsortedSigners},
		{"unsorted signers", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(2, 101, 200, a, a), a, 0, 2, 1) }, ErrUnsortedSigners},
		{"below threshold", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(2, 101, 200, a, a), a, 0, 3) }, ErrBelowThreshold},
		{"no signatures", func(t *testing.T) *MsgSubmit { return &MsgSubmit{Checkpoint: mkCP(2, 101, 200, a, a)} }, ErrBelowThreshold},
		{"index outside the set", func(t *testing.T) *MsgSubmit {
			m := signed(t, mkCP(2, 101, 200, a, a), a, 0, 1, 2)
			s, _ := Sign(&m.Checkpoint, 4, outsider[0])
			m.Sigs = append(m.Sigs, s)
			return m
		}, ErrNotMember},
		{"outsider at a member's index", func(t *testing.T) *MsgSubmit {
			m := signed(t, mkCP(2, 101, 200, a, a), a, 0, 1)
			s, _ := Sign(&m.Checkpoint, 2, outsider[0])
			m.Sigs = append(m.Sigs, s)
			return m
		}, ErrBadSignature},
		{"signature over another checkpoint", func(t *testing.T) *MsgSubmit {
			m := signed(t, mkCP(2, 101, 200, a, a), a)
			m.Checkpoint.AppHash[0] ^= 1
			return m
		}, ErrBadSignature},
		{"short signature", func(t *testing.T) *MsgSubmit {
			m := signed(t, mkCP(2, 101, 200, a, a), a)
			m.Sigs[1].Sig = m.Sigs[1].Sig[:64]
			return m
		}, ErrBadSignature},
		{"zero blocks root", func(t *testing.T) *MsgSubmit {
			return signed(t, zero(func(c *Checkpoint) { c.BlocksRoot = types.Hash{} }), a)
		}, ErrZeroRoot},
		{"empty-tree blocks root", func(t *testing.T) *MsgSubmit {
			return signed(t, zero(func(c *Checkpoint) { c.BlocksRoot = types.MerkleRoot(nil) }), a)
		}, ErrZeroRoot},
		{"zero app hash", func(t *testing.T) *MsgSubmit {
			return signed(t, zero(func(c *Checkpoint) { c.AppHash = types.Hash{} }), a)
		}, ErrZeroRoot},
		{"zero validators hash", func(t *testing.T) *MsgSubmit {
			return signed(t, zero(func(c *Checkpoint) { c.ValidatorsHash = types.Hash{} }), a)
		}, ErrZeroRoot},
		{"zero next validators hash", func(t *testing.T) *MsgSubmit {
			return signed(t, zero(func(c *Checkpoint) { c.NextValidatorsHash = types.Hash{} }), a)
		}, ErrZeroRoot},
		{"end before start", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(2, 101, 100, a, a), a) }, ErrBadRange},
		{"signed by a set never registered", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(2, 101, 200, b, b), b) }, ErrStaleSet},
		{"unknown chain", func(t *testing.T) *MsgSubmit {
			c := mkCP(1, 1, 100, a, a)
			c.ChainID = "accord-side-9"
			return signed(t, c, a)
		}, ErrUnknownChain},
		{"hand-over without the next set", func(t *testing.T) *MsgSubmit { return signed(t, mkCP(2, 101, 200, a, b), a) }, ErrBadValidators},
		{"hand-over with the wrong members", func(t *testing.T) *MsgSubmit {
			m := signed(t, mkCP(2, 101, 200, a, b), a)
			m.NextValidators = b.Addrs()[:3]
			return m
		}, ErrBadValidators},
		{"next set given without a change", func(t *testing.T) *MsgSubmit {
			m := signed(t, mkCP(2, 101, 200, a, a), a)
			m.NextValidators = a.Addrs()
			return m
		}, ErrBadValidators},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, a)
			if err := e.submit(signed(t, mkCP(1, 1, 100, a, a), a, 1, 2, 3)); err != nil {
				t.Fatal(err)
			}
			before := e.dump()
			if err := e.submit(tc.msg(t)); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if e.dump() != before {
				t.Fatal("a refused checkpoint changed state")
			}
			if e.m.Halted(e.st, side) {
				t.Fatal("a refusal halted the chain")
			}
		})
	}
}

func TestNonCanonicalPayloadRefused(t *testing.T) {
	a := newKeys(1, 4)
	e := newEnv(t, a)
	enc := core.Encode(signed(t, mkCP(1, 1, 100, a, a), a))
	if err := e.submitRaw(append(enc, 0)); !errors.Is(err, core.ErrBadPayload) {
		t.Fatalf("trailing byte: %v", err)
	}
	if err := e.submitRaw(enc); err != nil {
		t.Fatal(err)
	}
}

// TestThreshold: exactly the smallest k with 3k > 2n is accepted.
func TestThreshold(t *testing.T) {
	for n := 1; n <= 10; n++ {
		need := 2*n/3 + 1
		ks := newKeys(10+n, n)
		for k := need - 1; k <= need; k++ {
			if k == 0 {
				continue
			}
			e := newEnv(t, ks)
			idx := make([]int, k)
			for i := range idx {
				idx[i] = n - k + i // any k members will do; take the last ones
			}
			err := e.submit(signed(t, mkCP(1, 1, 10, ks, ks), ks, idx...))
			if (k >= need) != (err == nil) {
				t.Errorf("n=%d k=%d: %v", n, k, err)
			}
			if k < need && !errors.Is(err, ErrBelowThreshold) {
				t.Errorf("n=%d k=%d: got %v, want ErrBelowThreshold", n, k, err)
			}
		}
	}
}

// TestHandover: set A hands over to set B (of another size) in checkpoint
// 2; checkpoint 3 must be signed by B, and A is stale from then on.
func TestHandover(t *testing.T) {
	a, b := newKeys(1, 4), newKeys(2, 7)
	e := newEnv(t, a)
	if err := e.submit(signed(t, mkCP(1, 1, 100, a, a), a)); err != nil {
		t.Fatal(err)
	}
	ho := signed(t, mkCP(2, 101, 200, a, b), a, 0, 1, 2)
	ho.NextValidators = b.Addrs()
	if err := e.submit(ho); err != nil {
		t.Fatal(err)
	}
	if e.events[0].Type != EventHandover || e.events[0].Get("validators_hash") != b.Hash().Hex() {
		t.Fatalf("events %+v", e.events)
	}
	if err := e.submit(signed(t, mkCP(3, 201, 300, a, a), a)); !errors.Is(err, ErrStaleSet) {
		t.Fatalf("stale set: %v", err)
	}
	mixed := valKeys{a[0], a[1], a[2], a[3], b[4], b[5], b[6]}
	forged := signed(t, mkCP(3, 201, 300, b, b), mixed) // A's keys under B's hash
	if err := e.submit(forged); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("A signing as B: %v", err)
	}
	if err := e.submit(signed(t, mkCP(3, 201, 300, b, b), b, 0, 1, 2, 3)); !errors.Is(err, ErrBelowThreshold) {
		t.Fatalf("4 of 7: %v", err)
	}
	if err := e.submit(signed(t, mkCP(3, 201, 300, b, b), b, 1, 2, 3, 4, 6)); err != nil {
		t.Fatalf("5 of 7: %v", err)
	}
}

func TestConflictHaltsUntilResumed(t *testing.T) {
	a, b := newKeys(1, 4), newKeys(2, 4)
	e := newEnv(t, a)
	first := mkCP(1, 1, 100, a, a)
	if err := e.submit(signed(t, first, a)); err != nil {
		t.Fatal(err)
	}
	other := first
	other.BlocksRoot = types.Keccak([]byte("a forked history"))

	// Without a quorum it is only a refused overlap.
	if err := e.submit(signed(t, other, a, 0, 1)); !errors.Is(err, ErrBelowThreshold) {
		t.Fatalf("conflict below threshold: %v", err)
	}
	if e.m.Halted(e.st, side) {
		t.Fatal("halted on an unsigned conflict")
	}
	// With a quorum of the set that signed #1 it is evidence, and halts.
	if err := e.submit(signed(t, other, a, 0, 1, 2)); err != nil {
		t.Fatalf("conflict with quorum: %v", err)
	}
	if !e.m.Halted(e.st, side) || e.events[0].Type != EventConflict {
		t.Fatalf("not halted: %+v", e.events)
	}
	ev, err := e.m.EvidenceFor(e.st, side, 1)
	if err != nil || len(ev) != 1 || ev[0].Anchored != first.Hash() || ev[0].Conflicting.Checkpoint.Hash() != other.Hash() {
		t.Fatalf("evidence %+v %v", ev, err)
	}
	if err := e.submit(signed(t, other, a, 0, 1, 2)); !errors.Is(err, ErrAlreadyAnchored) {
		t.Fatalf("same evidence twice: %v", err)
	}
	l, _ := e.m.Latest(e.st, side)
	if l.Checkpoint.Hash() != first.Hash() {
		t.Fatal("the conflict replaced the anchored checkpoint")
	}
	next := signed(t, mkCP(2, 101, 200, a, a), a)
	if err := e.submit(next); !errors.Is(err, ErrHalted) {
		t.Fatalf("while halted: %v", err)
	}
	ctx := core.NewContext(core.Block{Height: 99}, e.st)
	if err := e.m.Resume(ctx, side); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Resume(ctx, side); !errors.Is(err, ErrNotHalted) {
		t.Fatalf("resume twice: %v", err)
	}
	if err := e.submit(next); err != nil {
		t.Fatalf("after resume: %v", err)
	}

	// After a hand-over, the old set can still be caught equivocating on
	// the range it signed.
	ho := signed(t, mkCP(3, 201, 300, a, b), a)
	ho.NextValidators = b.Addrs()
	if err := e.submit(ho); err != nil {
		t.Fatal(err)
	}
	fork := mkCP(2, 101, 200, a, a)
	fork.AppHash = types.Keccak([]byte("other app"))
	if err := e.submit(signed(t, fork, b)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("B's keys over A's set: %v", err)
	}
	asB := mkCP(2, 101, 200, b, b)
	if err := e.submit(signed(t, asB, b)); !errors.Is(err, ErrStaleSet) {
		t.Fatalf("B cannot speak for A's range: %v", err)
	}
	if e.m.Halted(e.st, side) {
		t.Fatal("halted by a refused conflict")
	}
	if err := e.submit(signed(t, fork, a)); err != nil || !e.m.Halted(e.st, side) {
		t.Fatalf("old set equivocating: %v", err)
	}
}

func TestReplaceValidators(t *testing.T) {
	a, b := newKeys(1, 4), newKeys(2, 4)
	e := newEnv(t, a)
	ctx := core.NewContext(core.Block{Height: 5}, e.st)
	if err := e.m.ReplaceValidators(ctx, side, b.Addrs()); err != nil {
		t.Fatal(err)
	}
	if err := e.submit(signed(t, mkCP(1, 1, 100, a, a), a)); !errors.Is(err, ErrStaleSet) {
		t.Fatalf("replaced set: %v", err)
	}
	if err := e.submit(signed(t, mkCP(1, 1, 100, b, b), b)); err != nil {
		t.Fatal(err)
	}
	dup := append(b.Addrs(), b.Addrs()[0])
	if err := e.m.ReplaceValidators(ctx, side, dup); !errors.Is(err, ErrBadValidators) {
		t.Fatalf("duplicate member: %v", err)
	}
}

// TestChainsAreIndependent: two side chains whose IDs are prefixes of one
// another keep separate state.
func TestChainsAreIndependent(t *testing.T) {
	a, b := newKeys(1, 4), newKeys(2, 4)
	e := newEnv(t, a)
	ctx := core.NewContext(core.Block{}, e.st)
	if err := e.m.Register(ctx, side+"0", b.Addrs(), 50); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Register(ctx, side, b.Addrs(), 1); !errors.Is(err, ErrChainExists) {
		t.Fatalf("re-register: %v", err)
	}
	if err := e.submit(signed(t, mkCP(1, 1, 10, a, a), a)); err != nil {
		t.Fatal(err)
	}
	cp := mkCP(1, 50, 60, b, b)
	cp.ChainID = side + "0"
	if err := e.submit(signed(t, cp, b)); err != nil {
		t.Fatal(err)
	}
	cp.BlocksRoot[0] ^= 1
	if err := e.submit(signed(t, cp, b)); err != nil {
		t.Fatal(err)
	}
	if !e.m.Halted(e.st, side+"0") || e.m.Halted(e.st, side) {
		t.Fatal("a conflict on one chain must halt only that chain")
	}
}
