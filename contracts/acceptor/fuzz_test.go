package acceptor_test

import (
	"bytes"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

func seedMsgs() []acceptor.Msg {
	p := []acceptor.PaymentMethod{c2ctest.Method("EUR", "1"), c2ctest.Method("USD", "1")}
	return []acceptor.Msg{
		&acceptor.MsgRegister{Currencies: []string{"EUR", "USD"}, Methods: p, MinOrder: 1, MaxOrder: 2},
		&acceptor.MsgUpdate{Currencies: []string{"EUR", "USD"}, Methods: p},
		&acceptor.MsgDepositFloat{Amount: 1}, &acceptor.MsgWithdrawFloat{Amount: ^uint64(0)},
		&acceptor.MsgDepositMargin{Amount: 7}, &acceptor.MsgWithdrawMargin{Amount: 1 << 40},
		&acceptor.MsgPause{}, &acceptor.MsgResume{},
	}
}

// FuzzDecodeMsg: every decoder either refuses the bytes or yields a valid
// message whose encoding decodes back to the same encoding.
func FuzzDecodeMsg(f *testing.F) {
	for _, m := range seedMsgs() {
		f.Add(uint16(m.TxType()), core.Encode(m))
	}
	f.Add(uint16(acceptor.TypeRegister), []byte{0xc0})
	f.Add(uint16(acceptor.TypePause), []byte{0xc1, 0x80})
	f.Fuzz(func(t *testing.T, typ uint16, payload []byte) {
		m, err := acceptor.DecodeMsg(types.TxType(typ), payload)
		if err != nil {
			return
		}
		if err := m.ValidateBasic(); err != nil {
			t.Fatalf("decoded message fails ValidateBasic: %v", err)
		}
		enc := core.Encode(m)
		m2, err := acceptor.DecodeMsg(types.TxType(typ), enc)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !bytes.Equal(core.Encode(m2), enc) {
			t.Fatal("encoding is not stable")
		}
		if _, err := acceptor.Cost(&types.Tx{Type: types.TxType(typ), Payload: payload}); err != nil {
			t.Fatalf("Cost refuses a decodable payload: %v", err)
		}
	})
}
