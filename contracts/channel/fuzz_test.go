package channel_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/types"
)

func seedMsgs() []channel.Msg {
	id := types.Keccak([]byte("id"))
	k, payer := key(1)
	v, _ := channel.SignVoucher("c", channel.ChannelID(payer, 1), 10_000, 1, k)
	return []channel.Msg{
		&channel.MsgOpen{Payee: types.Address{9}, Deposit: 1, Expiry: 2}, &channel.MsgTopUp{ID: id, Amount: 3},
		&channel.MsgExtend{ID: id, Expiry: 4}, &channel.MsgRedeem{Voucher: *v}, &channel.MsgClose{ID: id}, &channel.MsgSettle{ID: id},
	}
}

// FuzzDecodeMsg: every decoder either refuses the bytes or yields a valid
// message whose encoding decodes back to the same encoding, and Cost agrees.
func FuzzDecodeMsg(f *testing.F) {
	testkit.FuzzDecodeMsg(f, seedMsgs(), channel.TypeRedeem, []byte{0xc0}, channel.DecodeMsg, channel.Cost)
}

// FuzzDecodeVoucher: a decoded voucher re-encodes to a decodable voucher
// and verifying it never panics.
func FuzzDecodeVoucher(f *testing.F) {
	for _, m := range seedMsgs() {
		if r, ok := m.(*channel.MsgRedeem); ok {
			f.Add(r.Voucher.Encode())
		}
	}
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := channel.DecodeVoucher(b)
		if err != nil {
			return
		}
		if _, err := channel.DecodeVoucher(v.Encode()); err != nil {
			t.Fatalf("re-encoded voucher: %v", err)
		}
		_ = v.Verify("c", types.Address{})
		if _, err := channel.ParseVoucher(v.String()); err != nil {
			t.Fatalf("string form: %v", err)
		}
	})
}

// FuzzHandlers feeds arbitrary payloads of every channel type, from the
// payer, the payee or a stranger of a live channel, to the handlers: none
// may panic, a refusal changes nothing, the invariants hold.
func FuzzHandlers(f *testing.F) {
	for _, m := range seedMsgs() {
		f.Add(uint8(m.TxType()-channel.TypeOpen), uint8(0), core.Encode(m))
	}
	f.Fuzz(func(t *testing.T, typ, who uint8, payload []byte) {
		e := newEnv()
		_, payer := key(1)
		_, payee := key(2)
		e.Fund(payer, 100*usdt)
		if _, err := e.Exec(payer, &channel.MsgOpen{Payee: payee, Deposit: 10 * usdt, Expiry: e.Block.Time + 1000}); err != nil {
			t.Fatal(err)
		}
		rt, found := e.Router.Route(channel.TypeOpen + types.TxType(typ%6))
		if !found {
			t.Fatal("no route")
		}
		sender := []types.Address{payer, payee, {7}}[who%3]
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
