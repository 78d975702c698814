package pay_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/types"
)

func seedMsgs() []pay.Msg {
	id := types.Keccak([]byte("id"))
	k, _ := key(3)
	a, _ := pay.SignAttestation("c", id, pay.OutcomeDelivered, k)
	return []pay.Msg{
		&pay.MsgLock{Payee: types.Address{1}, Attester: types.Address{2}, Amount: 3, Deadline: 4},
		&pay.MsgAttest{Attestation: *a}, &pay.MsgRefund{ID: id}, &pay.MsgDispute{ID: id, Evidence: id},
	}
}

// FuzzDecodeMsg: every decoder either refuses the bytes or yields a valid
// message whose encoding is stable, and Cost agrees with the decoder.
func FuzzDecodeMsg(f *testing.F) {
	testkit.FuzzDecodeMsg(f, seedMsgs(), pay.TypeAttest, []byte{0xc0}, pay.DecodeMsg, pay.Cost)
}

// FuzzHandlers feeds arbitrary payloads of every pay type, from each party
// of a live payment, to the handlers: no panic, a refusal changes nothing,
// the invariants hold.
func FuzzHandlers(f *testing.F) {
	for _, m := range seedMsgs() {
		f.Add(uint8(m.TxType()-pay.TypeLock), uint8(0), core.Encode(m))
	}
	f.Fuzz(func(t *testing.T, typ, who uint8, payload []byte) {
		e := newEnv()
		_, payer := key(1)
		_, payee := key(2)
		_, carrier := key(3)
		e.Fund(payer, 100*usdt)
		if _, err := e.Exec(payer, &pay.MsgLock{Payee: payee, Attester: carrier, Amount: 10 * usdt, Deadline: e.Block.Time + 1000}); err != nil {
			t.Fatal(err)
		}
		rt, found := e.Router.Route(pay.TypeLock + types.TxType(typ%4))
		if !found {
			t.Fatal("no route")
		}
		sender := []types.Address{payer, payee, carrier}[who%3]
		before := testkit.StateHash(e.St)
		if _, err := testkit.Run(e.St, e.Ctx(sender), rt.Handler, payload); err != nil {
			if testkit.StateHash(e.St) != before {
				t.Fatal("refused message changed state")
			}
		}
		if msg := e.invariants(); msg != "" {
			t.Fatal(msg)
		}
	})
}
