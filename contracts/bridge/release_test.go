package bridge

import (
	"errors"
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// sideChain is a side chain's blocks with their receipts.
type sideChain struct {
	id       string
	headers  []types.Header
	receipts [][]*types.Receipt
}

func burnRcpt(h uint64, i int, to types.Address, amount uint64) *types.Receipt {
	return &types.Receipt{TxHash: types.Keccak([]byte(fmt.Sprint(h, i))), Events: []types.Event{
		{Type: "bank.transfer", Attrs: []types.Attr{{Key: "amount", Value: "1"}}},
		{Type: EventBurned, Attrs: []types.Attr{{Key: "recipient", Value: to.Hex()}, {Key: "amount", Value: core.U64(amount)}}},
	}}
}

// newSide builds blocks 1..n; block h's receipts come from rs(h).
func newSide(id string, n int, rs func(h uint64) []*types.Receipt) *sideChain {
	c := &sideChain{id: id}
	var parent types.Hash
	for h := uint64(1); h <= uint64(n); h++ {
		r := rs(h)
		hdr := types.Header{ChainID: id, Height: h, Time: h, ParentHash: parent, ReceiptRoot: types.ReceiptRoot(r), TxCount: uint32(len(r))}
		parent = hdr.Hash()
		c.headers, c.receipts = append(c.headers, hdr), append(c.receipts, r)
	}
	return c
}

func (c *sideChain) hashes(start, end uint64) []types.Hash {
	var hs []types.Hash
	for h := start; h <= end; h++ {
		hs = append(hs, c.headers[h-1].Hash())
	}
	return hs
}

// anchor submits checkpoint number n over [start, end] signed by all side validators.
func (e *env) anchor(c *sideChain, n, start, end uint64) {
	e.t.Helper()
	vh := (&types.ValidatorSet{Validators: e.sideAddrs()}).Hash()
	cp := checkpoint.Checkpoint{ChainID: c.id, Number: n, Start: start, End: end, BlocksRoot: proof.BlocksRoot(c.hashes(start, end)),
		AppHash: types.Hash{1}, ValidatorsHash: vh, NextValidatorsHash: vh}
	m := &checkpoint.MsgSubmit{Checkpoint: cp}
	for i, k := range e.side {
		s, err := checkpoint.Sign(&cp, uint32(i), k)
		if err != nil {
			e.t.Fatal(err)
		}
		m.Sigs = append(m.Sigs, s)
	}
	if err := e.cps.Submit(e.ctx(types.Address{}), m); err != nil {
		e.t.Fatal(err)
	}
}

func (c *sideChain) proof(t testing.TB, start, end, h uint64, i int) *proof.BurnProof {
	t.Helper()
	rp, err := proof.ProveReceipt(c.receipts[h-1], i)
	if err != nil {
		t.Fatal(err)
	}
	path, err := proof.HeaderPath(c.hashes(start, end), int(h-start))
	if err != nil {
		t.Fatal(err)
	}
	return &proof.BurnProof{Header: c.headers[h-1], Receipt: *rp, HeaderPath: path, EventIndex: 1}
}

func TestLockAndRelease(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.addr(5), e.addr(6)
	e.fund(alice, 1000*usdt)
	if err := e.exec(5, TypeLock, &MsgLock{ChainID: sideA, Recipient: alice, Amount: 600 * usdt}); err != nil {
		t.Fatal(err)
	}
	if err := e.exec(5, TypeLock, &MsgLock{ChainID: "accord-side-x", Recipient: alice, Amount: 1}); !errors.Is(err, checkpoint.ErrUnknownChain) {
		t.Fatalf("lock to an unregistered chain: %v", err)
	}
	if e.m.Locked(e.st, sideA) != 600*usdt || e.bank.Balance(e.st, EscrowAddress) != 600*usdt {
		t.Fatal("lock not escrowed")
	}
	a := newSide(sideA, 24, func(h uint64) []*types.Receipt {
		rs := []*types.Receipt{burnRcpt(h, 0, bob, 1*usdt), burnRcpt(h, 1, bob, 2*usdt)}
		switch h {
		case 9:
			rs = append(rs, burnRcpt(h, 2, bob, 200*usdt))
		case 10:
			rs = append(rs, burnRcpt(h, 2, bob, 700*usdt)) // more than was locked
			rs[0].Status = types.StatusFailed
		}
		return rs
	})
	e.anchor(a, 1, 1, 16)
	release := func(chain string, p *proof.BurnProof) error {
		return e.execAs(e.addr(7), TypeRelease, &MsgRelease{ChainID: chain, Proof: p.Encode()})
	}
	good := a.proof(t, 1, 16, 9, 2)
	if err := release(sideA, good); err != nil {
		t.Fatal(err)
	}
	if e.bank.Balance(e.st, bob) != 200*usdt || e.m.Locked(e.st, sideA) != 400*usdt {
		t.Fatalf("bob %d, locked %d", e.bank.Balance(e.st, bob), e.m.Locked(e.st, sideA))
	}
	before := e.dump()
	nonCanonical := append(good.Encode(), 0)
	notBurn := a.proof(t, 1, 16, 9, 2)
	notBurn.EventIndex = 0
	wrongIndex := a.proof(t, 1, 16, 9, 2)
	wrongIndex.Receipt.Index = 1
	truncated := a.proof(t, 1, 16, 9, 2)
	truncated.HeaderPath = truncated.HeaderPath[:2]
	for _, tc := range []struct {
		name  string
		chain string
		raw   []byte
		want  error
	}{
		{"second release of the same burn", sideA, good.Encode(), ErrAlreadyReleased},
		{"same burn, non-canonical encoding", sideA, nonCanonical, proof.ErrMalformed},
		{"block past the anchored checkpoint", sideA, a.proof(t, 1, 20, 18, 1).Encode(), ErrNotCovered},
		{"proof of another chain's header", sideB, good.Encode(), ErrNotCovered},
		{"event that is not a burn", sideA, notBurn.Encode(), ErrWrongEvent},
		{"wrong leaf index", sideA, wrongIndex.Encode(), proof.ErrBadPath},
		{"truncated path", sideA, truncated.Encode(), proof.ErrBadPath},
		{"failed burn transaction", sideA, a.proof(t, 1, 16, 10, 0).Encode(), proof.ErrFailedTx},
		{"more than was locked for the chain", sideA, a.proof(t, 1, 16, 10, 2).Encode(), ErrEscrowShort},
	} {
		if err := e.execAs(e.addr(7), TypeRelease, &MsgRelease{ChainID: tc.chain, Proof: tc.raw}); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if e.dump() != before {
		t.Fatal("a refused release changed state")
	}

	// The same burn proven through a later checkpoint's root is still the same burn.
	e.anchor(a, 2, 17, 24)
	if err := release(sideA, a.proof(t, 17, 24, 20, 1)); err != nil {
		t.Fatal(err)
	}
	if err := release(sideA, a.proof(t, 1, 16, 9, 1)); err != nil {
		t.Fatal(err)
	}
	if err := release(sideA, a.proof(t, 1, 16, 9, 1)); !errors.Is(err, ErrAlreadyReleased) {
		t.Fatalf("replay: %v", err)
	}

	// A conflict on the side chain halts releases.
	cp, _ := e.cps.ByNumber(e.st, sideA, 1)
	fork := cp.Checkpoint
	fork.AppHash = types.Hash{2}
	m := &checkpoint.MsgSubmit{Checkpoint: fork}
	for i, k := range e.side[:3] {
		s, _ := checkpoint.Sign(&fork, uint32(i), k)
		m.Sigs = append(m.Sigs, s)
	}
	if err := e.cps.Submit(e.ctx(types.Address{}), m); err != nil {
		t.Fatal(err)
	}
	if err := release(sideA, a.proof(t, 1, 16, 11, 0)); !errors.Is(err, ErrChainHalted) {
		t.Fatalf("halted chain: %v", err)
	}
}

// TestEscrowIsPerChain: side chain B's burns cannot take side A's escrow.
func TestEscrowIsPerChain(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.addr(5), e.addr(6)
	e.fund(alice, 1000*usdt)
	if err := e.exec(5, TypeLock, &MsgLock{ChainID: sideA, Recipient: alice, Amount: 600 * usdt}); err != nil {
		t.Fatal(err)
	}
	if err := e.exec(5, TypeLock, &MsgLock{ChainID: sideB, Recipient: alice, Amount: 100 * usdt}); err != nil {
		t.Fatal(err)
	}
	b := newSide(sideB, 4, func(h uint64) []*types.Receipt { return []*types.Receipt{burnRcpt(h, 0, bob, 150*usdt)} })
	e.anchor(b, 1, 1, 4)
	err := e.execAs(bob, TypeRelease, &MsgRelease{ChainID: sideB, Proof: b.proof(t, 1, 4, 2, 0).Encode()})
	if !errors.Is(err, ErrEscrowShort) {
		t.Fatalf("B draining A's escrow: %v", err)
	}
}

func TestProofForAnotherChainRefused(t *testing.T) {
	e := newEnv(t)
	bob := e.addr(6)
	e.fund(e.addr(5), 100*usdt)
	for _, id := range []string{sideA, sideB} {
		if err := e.exec(5, TypeLock, &MsgLock{ChainID: id, Recipient: bob, Amount: 50 * usdt}); err != nil {
			t.Fatal(err)
		}
	}
	rs := func(h uint64) []*types.Receipt { return []*types.Receipt{burnRcpt(h, 0, bob, usdt)} }
	a, b := newSide(sideA, 4, rs), newSide(sideB, 4, rs)
	e.anchor(a, 1, 1, 4)
	e.anchor(b, 1, 1, 4)
	err := e.execAs(bob, TypeRelease, &MsgRelease{ChainID: sideB, Proof: a.proof(t, 1, 4, 2, 0).Encode()})
	if !errors.Is(err, proof.ErrWrongChain) {
		t.Fatalf("A's proof presented as B's: %v", err)
	}
	if msg, broken := e.m.EscrowInvariant(e.st); broken {
		t.Fatal(msg)
	}
}
