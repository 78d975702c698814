package order_test

import (
	"bytes"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

func seedMsgs() []order.Msg {
	id := types.Keccak([]byte("id"))
	return []order.Msg{
		&order.MsgCreate{Currency: "USD", FiatAmount: 100_00, MerchantRef: "inv-1"},
		&order.MsgMarkPaid{ID: id, PaymentRef: id}, &order.MsgConfirm{ID: id}, &order.MsgCancel{ID: id},
		&order.MsgExtend{ID: id}, &order.MsgDispute{ID: id, Evidence: id},
	}
}

// FuzzDecodeMsg: every decoder either refuses the bytes or yields a valid
// message whose encoding decodes back to the same encoding.
func FuzzDecodeMsg(f *testing.F) {
	for _, m := range seedMsgs() {
		f.Add(uint16(m.TxType()), core.Encode(m))
	}
	f.Add(uint16(order.TypeCreate), []byte{0xc0})
	f.Fuzz(func(t *testing.T, typ uint16, payload []byte) {
		m, err := order.DecodeMsg(types.TxType(typ), payload)
		if err != nil {
			return
		}
		if err := m.ValidateBasic(); err != nil {
			t.Fatalf("decoded message fails ValidateBasic: %v", err)
		}
		enc := core.Encode(m)
		m2, err := order.DecodeMsg(types.TxType(typ), enc)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !bytes.Equal(core.Encode(m2), enc) {
			t.Fatal("encoding is not stable")
		}
		if _, err := order.Cost(&types.Tx{Type: types.TxType(typ), Payload: payload}); err != nil {
			t.Fatalf("Cost refuses a decodable payload: %v", err)
		}
	})
}

// FuzzHandlers feeds arbitrary payloads of every acceptor and order type,
// from the parties of a live order, into the handlers: none may panic, a
// refusal must change nothing, and the invariants must hold throughout.
func FuzzHandlers(f *testing.F) {
	for _, m := range seedMsgs() {
		f.Add(uint8(m.TxType()-order.TypeCreate), false, uint8(0), core.Encode(m))
	}
	for _, m := range []acceptor.Msg{&acceptor.MsgWithdrawFloat{Amount: 1}, &acceptor.MsgPause{}} {
		f.Add(uint8(m.TxType()-acceptor.TypeRegister), true, uint8(1), core.Encode(m))
	}
	f.Fuzz(func(t *testing.T, typ uint8, acceptorMsg bool, who uint8, payload []byte) {
		e := c2ctest.NewEnv()
		acc, mer := c2ctest.Addr("acc"), c2ctest.Addr("mer")
		e.NewAcceptor(acc, c2ctest.AcceptorSpec{Float: 1_000 * usdt, Margin: 400 * usdt})
		e.NewMerchant(mer)
		ok(t)(e.Exec(mer, &order.MsgCreate{Currency: "USD", FiatAmount: 100_00, MerchantRef: "id"}))
		tt := order.TypeCreate + types.TxType(typ%6)
		if acceptorMsg {
			tt = acceptor.TypeRegister + types.TxType(typ%8)
		}
		rt, found := e.Router.Route(tt)
		if !found {
			t.Fatalf("no route %#x", tt)
		}
		sender := []types.Address{acc, mer, c2ctest.Addr("x")}[who%3]
		before := testkit.StateHash(e.St)
		ctx := e.Ctx(sender)
		if _, err := testkit.Run(e.St, ctx, rt.Handler, payload); err != nil {
			if testkit.StateHash(e.St) != before {
				t.Fatal("refused message changed state")
			}
		}
		if msg := e.Invariants(); msg != "" {
			t.Fatal(msg)
		}
		e.Advance(3600 * 1000)
		if msg := e.Invariants(); msg != "" {
			t.Fatal(msg)
		}
	})
}
