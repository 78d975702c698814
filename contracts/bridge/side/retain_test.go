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

func releaseRcpt(chain string, height, nonce uint64) *types.Receipt {
	ev := core.EncodeEvent(bridge.ReleasedEvent{Chain: chain, Burn: types.Hash{byte(nonce)}, Recipient: types.Address{0xb0},
		Amount: 1, Height: height, Nonce: nonce})
	return &types.Receipt{TxHash: types.Keccak([]byte{byte(height), byte(nonce)}), Events: []types.Event{ev}}
}

// TestBurnsHoldTheirBlocksUntilMainReleasesThem: a burn holds its height
// back from pruning (RetainHeight) until main's release of it is shown
// through the light client; a release shown twice, one for another chain,
// or one that is not a release changes nothing; a burn nobody releases
// stops holding once its window passes.
func TestBurnsHoldTheirBlocksUntilMainReleasesThem(t *testing.T) {
	alice := types.Address{0xa1}
	const chain = "side-1"
	rs := []*types.Receipt{releaseRcpt(chain, 10, 1), releaseRcpt("side-2", 20, 2), lockRcpt(chain, alice, "5"),
		releaseRcpt(chain, 20, 2)}
	var bk bank.Keeper
	st := state.NewOverlay(nil)
	k := NewKeeper(bk, fakeClient{rs: rs}).WithRetainWindow(1000)
	m := NewModule(k)
	if err := bk.Mint(st, alice, 100); err != nil {
		t.Fatal(err)
	}
	burnAt := func(h uint64) {
		ctx := core.NewContext(core.Block{ChainID: chain, Height: h}, st)
		ctx.Sender = alice
		if err := m.Burn(ctx, &MsgBurn{Recipient: types.Address{0xb0}, Amount: 1}); err != nil {
			t.Fatal(err)
		}
	}
	burnAt(10) // nonce 1
	burnAt(20) // nonce 2
	burnAt(30) // nonce 3: never released
	if got := m.RetainHeight(st); got != 10 {
		t.Fatalf("retain height %d, want the oldest burn's 10", got)
	}
	ack := func(i int) error {
		p, err := proof.ProveReceipt(rs, i)
		if err != nil {
			t.Fatal(err)
		}
		ctx := core.NewContext(core.Block{ChainID: chain, Height: 40}, st)
		mark := st.Snapshot()
		if err = m.handleAck(ctx, core.Encode(&MsgAckRelease{MainHeight: 1, Proof: *p})); err != nil {
			st.RevertTo(mark)
		}
		return err
	}
	cases := []struct {
		name    string
		receipt int
		want    error
		retain  uint64
	}{
		{"main's release of the oldest burn frees its height", 0, nil, 20},
		{"the same release shown again is refused", 0, ErrNotPending, 20},
		{"a release for another side chain is refused", 1, ErrWrongEvent, 20},
		{"a lock is not a release", 2, ErrWrongEvent, 20},
		{"the next release frees its height too", 3, nil, 30},
	}
	for _, tc := range cases {
		if err := ack(tc.receipt); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if got := m.RetainHeight(st); got != tc.retain {
			t.Fatalf("%s: retain height %d, want %d", tc.name, got, tc.retain)
		}
	}
	if !m.Pending(st, 30, 3) || m.Pending(st, 10, 1) {
		t.Fatal("pending burns: want only nonce 3")
	}
	for _, h := range []uint64{1030, 1031} { // the window ends after block 30 + 1000
		if err := m.BeginBlock(core.NewContext(core.Block{ChainID: chain, Height: h}, st)); err != nil {
			t.Fatal(err)
		}
		if want := map[uint64]uint64{1030: 30, 1031: 0}[h]; m.RetainHeight(st) != want {
			t.Fatalf("at block %d: retain height %d, want %d", h, m.RetainHeight(st), want)
		}
	}
}
