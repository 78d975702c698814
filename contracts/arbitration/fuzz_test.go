package arbitration_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/types"
)

func seedMsgs() []arbitration.Msg {
	id := types.Keccak([]byte("id"))
	return []arbitration.Msg{
		&arbitration.MsgOpen{Kind: arbitration.KindOrder, Subject: id},
		&arbitration.MsgEvidence{ID: id, Hash: id},
		&arbitration.MsgVote{ID: id, Winner: arbitration.SideB, Reason: arbitration.ReasonNoReply, ToA: 1, ToB: 2},
	}
}

// FuzzDecodeMsg: every decoder either refuses the bytes or yields a valid
// message whose encoding is stable, and Cost agrees with the decoder.
func FuzzDecodeMsg(f *testing.F) {
	testkit.FuzzDecodeMsg(f, seedMsgs(), arbitration.TypeVote, []byte{0xc0}, arbitration.DecodeMsg, arbitration.Cost)
}

// FuzzHandlers feeds arbitrary payloads of every arbitration type, from a
// party, a panel member or a stranger of a live dispute: no panic, a
// refusal changes nothing, the invariants hold.
func FuzzHandlers(f *testing.F) {
	for _, m := range seedMsgs() {
		f.Add(uint8(m.TxType()-arbitration.TypeOpen), uint8(0), core.Encode(m))
	}
	f.Fuzz(func(t *testing.T, typ, who uint8, payload []byte) {
		fx := newFx(t, 3)
		rt, found := fx.e.Router.Route(arbitration.TypeOpen + types.TxType(typ%3))
		if !found {
			t.Fatal("no route")
		}
		sender := []types.Address{fx.mer, fx.acc, fx.e.Arbs[0], fx.e.Arbs[1], {7}}[who%5]
		before := testkit.StateHash(fx.e.St)
		if _, err := testkit.Run(fx.e.St, fx.e.Ctx(sender), rt.Handler, payload); err != nil {
			if testkit.StateHash(fx.e.St) != before {
				t.Fatal("refused message changed state")
			}
		}
		if msg := fx.e.invariants(); msg != "" {
			t.Fatal(msg)
		}
	})
}
