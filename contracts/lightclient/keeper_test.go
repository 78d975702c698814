package lightclient

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

const mainID = "accord-main"

type valKeys = testkit.ValKeys

func newKeys(seed, n int) valKeys { return testkit.NewValKeys(uint64(5000*seed), n) }

// block is a main-chain header with its receipts.
type block struct {
	hdr types.Header
	rs  []*types.Receipt
}

// mkBlock builds the header at height h finalized by set, with receipts.
func mkBlock(h uint64, set valKeys, rs ...*types.Receipt) block {
	if len(rs) == 0 {
		rs = []*types.Receipt{{TxHash: types.Keccak([]byte(fmt.Sprint("filler", h)))}}
	}
	return block{hdr: types.Header{ChainID: mainID, Height: h, Time: 1000 * h, ReceiptRoot: types.ReceiptRoot(rs),
		StateRoot: types.Keccak([]byte(fmt.Sprint("state", h))), ValidatorsHash: set.Hash(), TxCount: uint32(len(rs))}, rs: rs}
}

func certify(t testing.TB, hdr *types.Header, ks valKeys, idx ...int) types.CommitCert {
	t.Helper()
	if idx == nil {
		for i := range ks {
			idx = append(idx, i)
		}
	}
	c := types.CommitCert{Height: hdr.Height, View: 1, BlockHash: hdr.Hash()}
	for _, i := range idx {
		sig, err := types.SignDigest(types.CommitDigest(mainID, hdr.Height, 1, hdr.Hash()), ks[i])
		if err != nil {
			t.Fatal(err)
		}
		c.Sigs = append(c.Sigs, types.CommitSig{Index: uint32(i), Sig: sig})
	}
	return c
}

// govChange is the receipt of a transaction executing a SetValidators
// proposal at height h, with the event exactly as gov emits it.
func govChange(h uint64, to valKeys) *types.Receipt {
	names := make([]string, len(to))
	for i, a := range to.Addrs() {
		names[i] = a.Hex()
	}
	return &types.Receipt{TxHash: types.Keccak([]byte(fmt.Sprint("gov", h, names))), Events: []types.Event{
		{Type: gov.EventExecuted, Attrs: []types.Attr{{Key: "id", Value: "1"}}},
		{Type: gov.EventValidatorsSet, Attrs: []types.Attr{{Key: "validators", Value: strings.Join(names, ",")},
			{Key: "effective_height", Value: core.U64(h + 2)}, {Key: "proposal", Value: "1"}}},
	}}
}

func lockReceipt(amount string) *types.Receipt {
	return &types.Receipt{TxHash: types.Keccak([]byte("lock" + amount)), Events: []types.Event{
		{Type: "bridge.locked", Attrs: []types.Attr{{Key: "amount", Value: amount}}}}}
}

func changeProof(t testing.TB, b block, i int) ChangeProof {
	t.Helper()
	p, err := proof.ProveReceipt(b.rs, i)
	if err != nil {
		t.Fatal(err)
	}
	return ChangeProof{Receipt: *p, EventIndex: 1}
}

type env struct {
	t      testing.TB
	st     *state.Overlay
	m      Module
	events []types.Event
}

func newEnv(t testing.TB, vals valKeys) *env {
	e := &env{t: t, st: state.NewOverlay(nil), m: NewModule()}
	g := fmt.Sprintf(`{"chain_id":%q,"trust_height":0,"validators":[%s]}`, mainID, vals.QuotedAddrs())
	if err := e.m.InitGenesis(core.NewContext(core.Block{}, e.st), []byte(g)); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) updateRaw(payload []byte) error {
	ctx := core.NewContext(core.Block{ChainID: "accord-side-1", Height: 1}, e.st)
	evs, err := testkit.Run(e.st, ctx, e.m.Routes()[0].Handler, payload)
	e.events = evs
	if err != nil {
		return err
	}
	return nil
}

func (e *env) update(b block, cert types.CommitCert, changes ...ChangeProof) error {
	return e.updateRaw(core.Encode(&MsgUpdate{Header: b.hdr, Cert: cert, Changes: changes}))
}

func (e *env) dump() string { return testkit.Dump(e.st, []byte("lightclient/")) }

func TestUpdateAndVerifyReceipt(t *testing.T) {
	a := newKeys(1, 4)
	e := newEnv(t, a)
	b1 := mkBlock(1, a)
	if err := e.update(b1, certify(t, &b1.hdr, a, 0, 1, 2)); err != nil {
		t.Fatal(err)
	}
	b5 := mkBlock(5, a, lockReceipt("7"), lockReceipt("600000000"), lockReceipt("9"))
	if err := e.update(b5, certify(t, &b5.hdr, a, 1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.m.Client(e.st); c.Latest != 5 {
		t.Fatalf("latest %d", c.Latest)
	}
	p, _ := proof.ProveReceipt(b5.rs, 1)
	ev, id, err := e.m.VerifyReceipt(e.st, 5, p, 0)
	if err != nil || ev.Get("amount") != "600000000" || id != proof.LockID(mainID, 5, 1, 0) {
		t.Fatalf("verify: %+v %s %v", ev, id.Hex(), err)
	}
	if _, _, err := e.m.VerifyReceipt(e.st, 4, p, 0); !errors.Is(err, ErrNoHeader) {
		t.Fatalf("untrusted height: %v", err)
	}
	p.Receipt.Events[0].Attrs[0].Value = "6000000000"
	if _, _, err := e.m.VerifyReceipt(e.st, 5, p, 0); !errors.Is(err, proof.ErrBadPath) {
		t.Fatalf("tampered receipt: %v", err)
	}
}

func TestUpdateRefusals(t *testing.T) {
	a, other := newKeys(1, 4), newKeys(2, 4)
	cases := []struct {
		name string
		msg  func(t *testing.T) []byte
		want error
	}{
		{"another chain", func(t *testing.T) []byte {
			b := mkBlock(2, a)
			b.hdr.ChainID = "accord-other"
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, a)})
		}, ErrWrongChain},
		{"certificate for another block", func(t *testing.T) []byte {
			b, c := mkBlock(2, a), mkBlock(3, a)
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &c.hdr, a)})
		}, ErrCertMismatch},
		{"below quorum", func(t *testing.T) []byte {
			b := mkBlock(2, a)
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, a, 0, 1)})
		}, types.ErrNoQuorum},
		{"signed by another set", func(t *testing.T) []byte {
			b := mkBlock(2, a)
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, other)})
		}, types.ErrBadCert},
		{"header naming an unknown set", func(t *testing.T) []byte {
			b := mkBlock(2, other)
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, other)})
		}, ErrUnknownSet},
		{"height zero", func(t *testing.T) []byte {
			b := mkBlock(0, a)
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, a)})
		}, ErrBeforeTrust},
		{"same header again", func(t *testing.T) []byte {
			b := mkBlock(1, a)
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, a, 0, 1, 3)})
		}, ErrKnownHeader},
		{"change proof of a non-gov event", func(t *testing.T) []byte {
			b := mkBlock(2, a, lockReceipt("1"), govChange(2, other))
			cp := changeProof(t, b, 0)
			cp.EventIndex = 0
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, a), Changes: []ChangeProof{cp}})
		}, ErrBadChange},
		{"change proof against another block", func(t *testing.T) []byte {
			b, c := mkBlock(2, a), mkBlock(3, a, govChange(2, other))
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, a), Changes: []ChangeProof{changeProof(t, c, 0)}})
		}, ErrBadChange},
		{"change effective at the wrong height", func(t *testing.T) []byte {
			b := mkBlock(3, a, govChange(2, other))
			return core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, a), Changes: []ChangeProof{changeProof(t, b, 0)}})
		}, ErrBadChange},
		{"non-canonical payload", func(t *testing.T) []byte {
			b := mkBlock(2, a)
			return append(core.Encode(&MsgUpdate{Header: b.hdr, Cert: certify(t, &b.hdr, a)}), 0)
		}, core.ErrBadPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, a)
			b1 := mkBlock(1, a)
			if err := e.update(b1, certify(t, &b1.hdr, a)); err != nil {
				t.Fatal(err)
			}
			before := e.dump()
			if err := e.updateRaw(tc.msg(t)); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if e.dump() != before {
				t.Fatal("a refused update changed state")
			}
		})
	}
}

// TestHandOverHand: gov at height 5 schedules set B (of 7) for height 7;
// the client learns it from the receipt proof and follows.
func TestHandOverHand(t *testing.T) {
	a, b := newKeys(1, 4), newKeys(2, 7)
	e := newEnv(t, a)
	b5 := mkBlock(5, a, lockReceipt("1"), govChange(5, b))
	if err := e.update(b5, certify(t, &b5.hdr, a), changeProof(t, b5, 1)); err != nil {
		t.Fatal(err)
	}
	b6 := mkBlock(6, a)
	if err := e.update(b6, certify(t, &b6.hdr, a)); err != nil {
		t.Fatal(err)
	}
	stale := mkBlock(7, a)
	if err := e.update(stale, certify(t, &stale.hdr, a)); !errors.Is(err, ErrUnknownSet) {
		t.Fatalf("old set at 7: %v", err)
	}
	b7 := mkBlock(7, b)
	if err := e.update(b7, certify(t, &b7.hdr, a)); !errors.Is(err, types.ErrBadCert) && !errors.Is(err, types.ErrNoQuorum) {
		t.Fatalf("A certifying B's header: %v", err)
	}
	if err := e.update(b7, certify(t, &b7.hdr, b, 0, 1, 2, 3)); !errors.Is(err, types.ErrNoQuorum) {
		t.Fatalf("4 of 7: %v", err)
	}
	if err := e.update(b7, certify(t, &b7.hdr, b, 0, 2, 3, 4, 6)); err != nil {
		t.Fatalf("5 of 7: %v", err)
	}
	// The change is history now: a late proof of it is refused.
	if err := e.update(b5, certify(t, &b5.hdr, a), changeProof(t, b5, 1)); !errors.Is(err, ErrChangeTooLate) {
		t.Fatalf("late change: %v", err)
	}
	b20 := mkBlock(20, b)
	if err := e.update(b20, certify(t, &b20.hdr, b)); err != nil {
		t.Fatalf("skip ahead under B: %v", err)
	}
}

// TestBackfillSkippedChange: the relayer forwards 6 before 5 (which
// scheduled the change); 7 is refused until 5 is back-filled with its proof.
func TestBackfillSkippedChange(t *testing.T) {
	a, b := newKeys(1, 4), newKeys(2, 4)
	e := newEnv(t, a)
	b5 := mkBlock(5, a, govChange(5, b))
	b6, b7 := mkBlock(6, a), mkBlock(7, b)
	if err := e.update(b6, certify(t, &b6.hdr, a)); err != nil {
		t.Fatal(err)
	}
	if err := e.update(b7, certify(t, &b7.hdr, b)); !errors.Is(err, ErrUnknownSet) {
		t.Fatalf("before the back-fill: %v", err)
	}
	if err := e.update(b5, certify(t, &b5.hdr, a)); err != nil {
		t.Fatalf("back-fill without proof: %v", err)
	}
	if err := e.update(b5, certify(t, &b5.hdr, a), changeProof(t, b5, 0)); err != nil {
		t.Fatalf("re-relay with proof: %v", err)
	}
	if err := e.update(b7, certify(t, &b7.hdr, b)); err != nil {
		t.Fatalf("after the back-fill: %v", err)
	}
}

// TestLaterEventInBlockWins: a block executing two SetValidators proposals
// schedules the second set, whatever order the proofs arrive in.
func TestLaterEventInBlockWins(t *testing.T) {
	a, b, c := newKeys(1, 4), newKeys(2, 4), newKeys(3, 4)
	for _, order := range [][]int{{0, 1}, {1, 0}} {
		e := newEnv(t, a)
		b5 := mkBlock(5, a, govChange(5, b), govChange(5, c))
		for _, i := range order {
			if err := e.update(b5, certify(t, &b5.hdr, a), changeProof(t, b5, i)); err != nil && !errors.Is(err, ErrKnownHeader) {
				t.Fatalf("order %v: %v", order, err)
			}
		}
		vs, err := e.m.SetAt(e.st, 7)
		if err != nil || vs.Hash() != c.Hash() {
			t.Fatalf("order %v: set at 7 %v %v, want C", order, vs, err)
		}
		if vs, _ := e.m.SetAt(e.st, 6); vs.Hash() != a.Hash() {
			t.Fatalf("order %v: set at 6 changed", order)
		}
	}
}

func TestConflictFreezes(t *testing.T) {
	a := newKeys(1, 4)
	e := newEnv(t, a)
	b3 := mkBlock(3, a, lockReceipt("5"))
	if err := e.update(b3, certify(t, &b3.hdr, a, 0, 1, 2)); err != nil {
		t.Fatal(err)
	}
	fork := mkBlock(3, a, lockReceipt("5000000"))
	forkCert := certify(t, &fork.hdr, a, 1, 2, 3)
	if err := e.update(fork, forkCert); err != nil {
		t.Fatalf("conflict must be recorded, not refused: %v", err)
	}
	if c, _ := e.m.Client(e.st); !c.Frozen || e.events[0].Type != EventFrozen {
		t.Fatalf("not frozen: %+v", e.events)
	}
	ev, err := e.m.Evidence(e.st, 3)
	if err != nil || len(ev) != 1 || ev[0].Trusted != b3.hdr.Hash() || ev[0].Header.Hash() != fork.hdr.Hash() {
		t.Fatalf("evidence %+v %v", ev, err)
	}
	if th, _ := e.m.Header(e.st, 3); th.Hash != b3.hdr.Hash() {
		t.Fatal("the conflict replaced the trusted header")
	}
	b4 := mkBlock(4, a)
	if err := e.update(b4, certify(t, &b4.hdr, a)); !errors.Is(err, ErrFrozen) {
		t.Fatalf("frozen update: %v", err)
	}
	p, _ := proof.ProveReceipt(b3.rs, 0)
	if _, _, err := e.m.VerifyReceipt(e.st, 3, p, 0); !errors.Is(err, ErrFrozen) {
		t.Fatalf("frozen proof: %v", err)
	}
	ctx := core.NewContext(core.Block{}, e.st)
	if err := e.m.Unfreeze(ctx, mainID+"-other"); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("unfreeze of another chain's client: %v", err)
	}
	if c, _ := e.m.Client(e.st); !c.Frozen {
		t.Fatal("a refused unfreeze unfroze the client")
	}
	if err := e.m.Unfreeze(ctx, mainID); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Unfreeze(ctx, mainID); !errors.Is(err, ErrNotFrozen) {
		t.Fatalf("unfreeze twice: %v", err)
	}
	if err := e.update(b4, certify(t, &b4.hdr, a)); err != nil {
		t.Fatalf("after unfreeze: %v", err)
	}
	// A conflicting header without a quorum is only refused.
	fork4 := mkBlock(4, a, lockReceipt("1"))
	if err := e.update(fork4, certify(t, &fork4.hdr, a, 0, 1)); !errors.Is(err, types.ErrNoQuorum) {
		t.Fatalf("unsigned conflict: %v", err)
	}
	if c, _ := e.m.Client(e.st); c.Frozen {
		t.Fatal("frozen by an uncertified header")
	}
}
