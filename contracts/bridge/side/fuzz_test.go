package side

import (
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// FuzzRoutes: any payload to either route is refused with state
// unchanged, or was the canonical encoding of an accepted message, and
// supply only moves by a proven lock or a burn.
func FuzzRoutes(f *testing.F) {
	alice := types.Address{0xa1}
	rs := []*types.Receipt{lockRcpt("side-1", alice, "600"), lockRcpt("side-1", alice, "5")}
	p, _ := proof.ProveReceipt(rs, 1)
	f.Add(uint8(0), core.Encode(&MsgMint{MainHeight: 1, Proof: *p}))
	f.Add(uint8(1), core.Encode(&MsgBurn{Recipient: alice, Amount: 3}))
	f.Fuzz(func(t *testing.T, route uint8, payload []byte) {
		var bk bank.Keeper
		st := state.NewOverlay(nil)
		if err := bk.Mint(st, alice, 10); err != nil {
			t.Fatal(err)
		}
		m := NewModule(NewKeeper(bk, fakeClient{rs: rs}))
		ctx := core.NewContext(core.Block{ChainID: "side-1"}, st)
		ctx.Sender = alice
		rt := m.Routes()[int(route)%2]
		mark := st.Snapshot()
		err := rt.Handler(ctx, payload)
		if err != nil {
			st.RevertTo(mark)
			if bk.Supply(st) != 10 || bk.Balance(st, alice) != 10 {
				t.Fatalf("refused payload moved money: %v", err)
			}
			return
		}
		switch s := bk.Supply(st); {
		case rt.Type == TypeMint && s != 610 && s != 15:
			t.Fatalf("mint made supply %d", s)
		case rt.Type == TypeBurn && s >= 10:
			t.Fatalf("burn left supply %d", s)
		}
	})
}
