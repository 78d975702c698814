package bridge

import (
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/types"
)

// FuzzHandlers: every route, fed any payload by a signer, either refuses
// with state unchanged or accepted the payload's canonical encoding; the
// escrow invariant holds throughout.
func FuzzHandlers(f *testing.F) {
	f.Add(uint8(0), core.Encode(&MsgAttestDeposit{ExtChainID: 1, ExtTxHash: types.Hash{1}, Recipient: types.Address{1}, Amount: 5}))
	f.Add(uint8(1), core.Encode(&MsgWithdraw{ExtAddress: types.Address{1}, Amount: 5}))
	f.Add(uint8(3), core.Encode(&MsgLock{ChainID: sideA, Recipient: types.Address{1}, Amount: 5}))
	f.Add(uint8(4), core.Encode(&MsgRelease{ChainID: sideA, Proof: []byte{0xc0}}))
	f.Fuzz(func(t *testing.T, route uint8, payload []byte) {
		e := newEnv(t)
		e.fund(e.addr(0), 1000*usdt)
		rt := e.m.Routes()[int(route)%len(e.m.Routes())]
		before := e.dump()
		if _, err := testkit.Run(e.st, e.ctx(e.addr(0)), rt.Handler, payload); err != nil {
			if e.dump() != before {
				t.Fatalf("refused payload changed state: %v", err)
			}
			return
		}
		if m, err := DecodeMsg(rt.Type, payload); err != nil || string(core.Encode(m)) != string(payload) {
			t.Fatalf("accepted a non-canonical payload: %v", err)
		}
		if msg, broken := e.m.EscrowInvariant(e.st); broken {
			t.Fatal(msg)
		}
	})
}
