package bridge

import (
	"testing"

	"github.com/accordnet/accord/contracts/bridge/retain"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// TestLocksHoldTheirBlocksForTheWindow: a lock holds its main block back
// from pruning (the side chain proves it from that block's receipts);
// main never sees the mint on side, so the hold ends when the retention
// window has passed, and a lock refused holds nothing.
func TestLocksHoldTheirBlocksForTheWindow(t *testing.T) {
	e := newEnv(t)
	alice := e.addr(5)
	e.fund(alice, 10*usdt)
	if got := e.m.RetainHeight(e.st); got != 0 {
		t.Fatalf("no lock yet: retain height %d", got)
	}
	e.block.Height = 7
	if err := e.exec(5, TypeLock, &MsgLock{ChainID: "accord-side-x", Recipient: alice, Amount: 1}); err == nil {
		t.Fatal("a lock to an unregistered chain passed")
	}
	if got := e.m.RetainHeight(e.st); got != 0 {
		t.Fatalf("a refused lock holds height %d", got)
	}
	for _, h := range []uint64{7, 9} {
		e.block.Height = h
		if err := e.exec(5, TypeLock, &MsgLock{ChainID: sideA, Recipient: alice, Amount: 1 * usdt}); err != nil {
			t.Fatal(err)
		}
	}
	var r core.HeightRetainer = e.m // what the pruning node asks, through the router
	for _, tc := range []struct {
		height uint64
		want   uint64
	}{
		{7 + retain.DefaultWindow, 7}, // the window's last block still holds it
		{8 + retain.DefaultWindow, 9},
		{10 + retain.DefaultWindow, 0},
	} {
		e.block.Height = tc.height - 1
		e.advance(1000)
		if got := r.RetainHeight(e.st); got != tc.want {
			t.Fatalf("at block %d: retain height %d, want %d", tc.height, got, tc.want)
		}
	}
}

// TestReleaseNamesTheBurnsHeightAndNonce: main's release event carries the
// side block and burn nonce it proved, which is what the side chain needs
// to stop retaining that block.
func TestReleaseNamesTheBurnsHeightAndNonce(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.addr(5), e.addr(6)
	e.fund(alice, 1000*usdt)
	if err := e.exec(5, TypeLock, &MsgLock{ChainID: sideA, Recipient: alice, Amount: 600 * usdt}); err != nil {
		t.Fatal(err)
	}
	withNonce := func(h uint64, i int) *types.Receipt {
		rc := burnRcpt(h, i, bob, 2*usdt)
		rc.Events[1] = core.EncodeEvent(BurnedEvent{Recipient: bob, Amount: 2 * usdt, Sender: alice, Nonce: 40 + h})
		return rc
	}
	a := newSide(sideA, 24, func(h uint64) []*types.Receipt {
		return []*types.Receipt{burnRcpt(h, 0, bob, 1*usdt), withNonce(h, 1)}
	})
	e.anchor(a, 1, 1, 16)
	ctx := e.ctx(e.addr(7))
	if err := e.m.Release(ctx, &MsgRelease{ChainID: sideA, Proof: a.proof(t, 1, 16, 9, 1).Encode()}); err != nil {
		t.Fatal(err)
	}
	evs := ctx.Events()
	var rel ReleasedEvent
	if err := core.DecodeEvent(evs[len(evs)-1], &rel); err != nil {
		t.Fatal(err)
	}
	if rel.Height != 9 || rel.Nonce != 49 || rel.Chain != sideA || rel.Amount != 2*usdt {
		t.Fatalf("release event %+v, want side height 9 and nonce 49", rel)
	}
}
