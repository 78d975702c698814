package side

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// fakeClient proves exactly the receipts it was given, at height 1, so
// these tests exercise the side half's own rules; the light client's are
// tested in contracts/lightclient and together in bridge's assembly test.
type fakeClient struct {
	rs     []*types.Receipt
	frozen bool
}

var errFrozen = errors.New("frozen")

func (f fakeClient) VerifyReceipt(_ state.Store, h uint64, p *proof.ReceiptProof, ev uint64) (types.Event, types.Hash, error) {
	if f.frozen {
		return types.Event{}, types.Hash{}, errFrozen
	}
	hdr := types.Header{Height: h, ReceiptRoot: types.ReceiptRoot(f.rs), TxCount: uint32(len(f.rs))}
	if err := p.Verify(&hdr); err != nil {
		return types.Event{}, types.Hash{}, err
	}
	e, err := p.Event(ev)
	return e, proof.LockID("main", h, p.Index, ev), err
}

func lockRcpt(chain string, to types.Address, amount string) *types.Receipt {
	return &types.Receipt{TxHash: types.Keccak([]byte(chain + amount)), Events: []types.Event{{Type: bridge.EventLocked,
		Attrs: []types.Attr{{Key: "chain", Value: chain}, {Key: "recipient", Value: to.Hex()}, {Key: "amount", Value: amount}}}}}
}

func TestMintAndBurn(t *testing.T) {
	alice := types.Address{0xa1}
	rs := []*types.Receipt{lockRcpt("side-1", alice, "600"), lockRcpt("side-2", alice, "700"), lockRcpt("side-1", alice, "0")}
	var bk bank.Keeper
	st := state.NewOverlay(nil)
	m := NewModule(NewKeeper(bk, fakeClient{rs: rs}))
	ctx := core.NewContext(core.Block{ChainID: "side-1", Height: 2}, st)
	mint := func(i int) error {
		p, err := proof.ProveReceipt(rs, i)
		if err != nil {
			t.Fatal(err)
		}
		mark := st.Snapshot()
		err = m.Routes()[0].Handler(ctx, core.Encode(&MsgMint{MainHeight: 1, Proof: *p}))
		if err != nil {
			st.RevertTo(mark)
		}
		return err
	}
	if err := mint(0); err != nil {
		t.Fatal(err)
	}
	if bk.Balance(st, alice) != 600 {
		t.Fatal("not minted")
	}
	if err := mint(0); !errors.Is(err, ErrAlreadyMinted) {
		t.Fatalf("second mint: %v", err)
	}
	if err := mint(1); !errors.Is(err, ErrWrongEvent) {
		t.Fatalf("lock for another side chain: %v", err)
	}
	if err := mint(2); !errors.Is(err, bridge.ErrWrongEvent) {
		t.Fatalf("zero amount: %v", err)
	}
	frozen := NewModule(NewKeeper(bk, fakeClient{rs: rs, frozen: true}))
	p, _ := proof.ProveReceipt(rs, 0)
	if err := frozen.Mint(ctx, &MsgMint{MainHeight: 1, Proof: *p}); !errors.Is(err, errFrozen) {
		t.Fatalf("frozen client: %v", err)
	}
	ctx.Sender = alice
	burn := func(amount uint64) error {
		mark := st.Snapshot()
		err := m.Routes()[1].Handler(ctx, core.Encode(&MsgBurn{Recipient: types.Address{0xb0}, Amount: amount}))
		if err != nil {
			st.RevertTo(mark)
		}
		return err
	}
	if err := burn(601); !errors.Is(err, bank.ErrInsufficientFunds) {
		t.Fatalf("burn more than held: %v", err)
	}
	if err := burn(200); err != nil {
		t.Fatal(err)
	}
	ev := ctx.Events()[len(ctx.Events())-1]
	b, err := bridge.DecodeBurned(ev)
	if err != nil || *b != (bridge.BurnedEvent{Recipient: types.Address{0xb0}, Amount: 200, Sender: alice, Nonce: 1}) ||
		bk.Balance(st, alice) != 400 || bk.Supply(st) != 400 {
		t.Fatalf("burn: %+v (%v), balance %d", b, err, bk.Balance(st, alice))
	}
}
