package channel_test

import (
	"crypto/ecdsa"
	"errors"
	"math"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/types"
)

const (
	hour = 3600 * 1000
	day  = 24 * hour
)

// fx is a funded payer with one 100 USDT channel to payee, expiring in a
// day, and a stranger.
type fx struct {
	e            *env
	payerKey     *ecdsa.PrivateKey
	otherKey     *ecdsa.PrivateKey
	payer, payee types.Address
	stranger     types.Address
	id           types.Hash
	expiry       uint64
	payerStart   uint64
	challenge    uint64
}

func newFx(t *testing.T) *fx {
	t.Helper()
	f := &fx{e: newEnv()}
	f.payerKey, f.payer = key(1)
	f.otherKey, f.stranger = key(3)
	_, f.payee = key(2)
	f.e.Fund(f.payer, 1_000*usdt)
	f.e.Fund(f.stranger, 10*usdt)
	f.expiry = f.e.Block.Time + day
	f.id = f.open(t, f.payee, 100*usdt, f.expiry)
	f.payerStart = 900 * usdt
	f.challenge = f.e.K.Params(f.e.St).Challenge
	return f
}

func (f *fx) open(t *testing.T, payee types.Address, deposit, expiry uint64) types.Hash {
	t.Helper()
	id := f.e.K.NextID(f.e.St, f.payer)
	evs, err := f.e.Exec(f.payer, &channel.MsgOpen{Payee: payee, Deposit: deposit, Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	if ev, ok := testkit.FindEvent(evs, channel.EventOpened); !ok || ev.Get("id") != id.Hex() {
		t.Fatalf("open events %v, want %s with id %s", evs, channel.EventOpened, id.Hex())
	}
	return id
}

func (f *fx) get(t *testing.T) *channel.Channel {
	t.Helper()
	c, err := f.e.K.GetChannel(f.e.St, f.id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fx) redeem(t *testing.T, amount, nonce uint64) {
	t.Helper()
	if _, err := f.e.Exec(f.payee, &channel.MsgRedeem{Voucher: *voucher(t, f.payerKey, f.id, amount, nonce)}); err != nil {
		t.Fatal(err)
	}
}

func (f *fx) bal(a types.Address) uint64 { return f.e.Bank.Balance(f.e.St, a) }

func (f *fx) check(t *testing.T) {
	t.Helper()
	if msg := f.e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

// TestMicropayments is the example: 1 000 vouchers of 0.01 USDT
// redeemed in three redeems, then settled, every balance exact.
func TestMicropayments(t *testing.T) {
	f := newFx(t)
	const cent = 10_000 // 0.01 USDT
	rcv := channel.NewReceiver(f.e.Block.ChainID)
	rcv.Track(f.get(t))
	var best [3]*channel.Voucher
	for i := uint64(1); i <= 1000; i++ {
		v := voucher(t, f.payerKey, f.id, i*cent, i)
		d, err := rcv.Accept(v)
		if err != nil || d != cent {
			t.Fatalf("voucher %d: accepted %d, %v", i, d, err)
		}
		switch i {
		case 333:
			best[0] = v
		case 700:
			best[1] = v
		case 1000:
			best[2] = v
		}
	}
	if rcv.Best(f.id) != best[2] {
		t.Fatal("receiver's best voucher is not the last")
	}
	for i, v := range best {
		if _, err := f.e.Exec(f.payee, &channel.MsgRedeem{Voucher: *v}); err != nil {
			t.Fatalf("redeem %d: %v", i, err)
		}
		f.check(t)
	}
	if got := f.bal(f.payee); got != 10*usdt {
		t.Fatalf("payee has %d, want 10 USDT", got)
	}
	f.e.Advance(day + f.challenge)
	if _, err := f.e.Exec(f.payer, &channel.MsgSettle{ID: f.id}); err != nil {
		t.Fatal(err)
	}
	if got := f.bal(f.payer); got != f.payerStart+90*usdt {
		t.Fatalf("payer has %d, want %d", got, f.payerStart+90*usdt)
	}
	if got := f.bal(channel.EscrowAddress); got != 0 {
		t.Fatalf("escrow keeps %d", got)
	}
	c := f.get(t)
	if c.State != channel.StateSettled || c.Redeemed != 10*usdt || c.Refunded != 90*usdt || f.e.K.OpenCount(f.e.St, f.payer) != 0 {
		t.Fatalf("settled channel %+v", c)
	}
	f.check(t)
}

// TestTransitions walks each successful path and checks balances and the
// record after it.
func TestTransitions(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, f *fx)
		// wanted afterwards
		payer, payee, escrow uint64
		state                channel.State
	}{
		{"redeem pays the difference to what was redeemed", func(t *testing.T, f *fx) {
			f.redeem(t, 5*usdt, 1)
			f.redeem(t, 12*usdt, 7)
		}, 900 * usdt, 12 * usdt, 88 * usdt, channel.StateOpen},
		{"redeem of the whole deposit", func(t *testing.T, f *fx) { f.redeem(t, 100*usdt, 1) },
			900 * usdt, 100 * usdt, 0, channel.StateOpen},
		{"payee settles at once, the payer gets the rest", func(t *testing.T, f *fx) {
			f.redeem(t, 30*usdt, 1)
			ok(t)(f.e.Exec(f.payee, &channel.MsgSettle{ID: f.id}))
		}, 970 * usdt, 30 * usdt, 0, channel.StateSettled},
		{"payer settles after expiry plus the challenge period", func(t *testing.T, f *fx) {
			f.redeem(t, 1, 1)
			f.e.Advance(day + f.challenge)
			ok(t)(f.e.Exec(f.payer, &channel.MsgSettle{ID: f.id}))
		}, 1000*usdt - 1, 1, 0, channel.StateSettled},
		{"payee redeems after expiry within the challenge period", func(t *testing.T, f *fx) {
			f.e.Advance(day + f.challenge - 1)
			f.redeem(t, 2*usdt, 1)
		}, 900 * usdt, 2 * usdt, 98 * usdt, channel.StateOpen},
		{"close, redeem during the challenge, settle after it", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.payer, &channel.MsgClose{ID: f.id}))
			c := f.get(t)
			if c.ClosesAt != f.e.Block.Time+f.challenge {
				t.Fatalf("closes at %d, want %d", c.ClosesAt, f.e.Block.Time+f.challenge)
			}
			f.e.Advance(f.challenge - 1)
			f.redeem(t, 40*usdt, 1)
			f.e.Advance(1)
			ok(t)(f.e.Exec(f.payer, &channel.MsgSettle{ID: f.id}))
		}, 960 * usdt, 40 * usdt, 0, channel.StateSettled},
		{"close after expiry ends the window at expiry plus the challenge", func(t *testing.T, f *fx) {
			f.e.Advance(day + 10*60*1000)
			ok(t)(f.e.Exec(f.payer, &channel.MsgClose{ID: f.id}))
			if c := f.get(t); c.ClosesAt != f.expiry+f.challenge {
				t.Fatalf("closes at %d, want %d", c.ClosesAt, f.expiry+f.challenge)
			}
		}, 900 * usdt, 0, 100 * usdt, channel.StateClosing},
		{"top-up raises the deposit", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.payer, &channel.MsgTopUp{ID: f.id, Amount: 50 * usdt}))
			f.redeem(t, 150*usdt, 1)
		}, 850 * usdt, 150 * usdt, 0, channel.StateOpen},
		{"extend moves the expiry and the window", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.payer, &channel.MsgExtend{ID: f.id, Expiry: f.expiry + day}))
			f.e.Advance(2*day + f.challenge - 1)
			f.redeem(t, 1*usdt, 1)
		}, 900 * usdt, 1 * usdt, 99 * usdt, channel.StateOpen},
		{"a frozen payer may close; a frozen payee may redeem and settle", func(t *testing.T, f *fx) {
			f.e.Freezer.Freeze(f.e.St, f.payer, true)
			f.e.Freezer.Freeze(f.e.St, f.payee, true)
			ok(t)(f.e.Exec(f.payer, &channel.MsgClose{ID: f.id}))
			f.redeem(t, 3*usdt, 1)
			ok(t)(f.e.Exec(f.payee, &channel.MsgSettle{ID: f.id}))
		}, 997 * usdt, 3 * usdt, 0, channel.StateSettled},
		{"the challenge period is fixed at open", func(t *testing.T, f *fx) {
			f.e.SetParam(channel.ModuleName, channel.ParamChallenge, 10*60*1000)
			f.e.Advance(day + f.challenge - 1)
			f.redeem(t, 1*usdt, 1)
		}, 900 * usdt, 1 * usdt, 99 * usdt, channel.StateOpen},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			tc.run(t, f)
			if f.bal(f.payer) != tc.payer || f.bal(f.payee) != tc.payee || f.bal(channel.EscrowAddress) != tc.escrow {
				t.Fatalf("payer %d payee %d escrow %d, want %d %d %d", f.bal(f.payer), f.bal(f.payee),
					f.bal(channel.EscrowAddress), tc.payer, tc.payee, tc.escrow)
			}
			if s := f.get(t).State; s != tc.state {
				t.Fatalf("state %s, want %s", s, tc.state)
			}
			f.check(t)
		})
	}
}

var ok = testkit.OK

type msg interface{ TxType() types.TxType }

type transfer = testkit.Transfer

// TestRefusals: every refusal names its sentinel error and changes nothing.
func TestRefusals(t *testing.T) {
	redeemMsg := func(t *testing.T, f *fx, k *ecdsa.PrivateKey, id types.Hash, amount, nonce uint64) msg {
		return &channel.MsgRedeem{Voucher: *voucher(t, k, id, amount, nonce)}
	}
	cases := []struct {
		name string
		prep func(t *testing.T, f *fx) (types.Address, msg)
		want error
	}{
		{"open to oneself", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Payee: f.payer, Deposit: usdt, Expiry: f.expiry}
		}, channel.ErrSelfChannel},
		{"open to the escrow account", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Payee: channel.EscrowAddress, Deposit: usdt, Expiry: f.expiry}
		}, channel.ErrSelfChannel},
		{"open with a zero payee", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Deposit: usdt, Expiry: f.expiry}
		}, channel.ErrZeroPayee},
		{"open with a zero deposit", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Payee: f.payee, Expiry: f.expiry}
		}, channel.ErrZeroAmount},
		{"open below the minimum deposit", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.SetParam(channel.ModuleName, channel.ParamMinDeposit, usdt)
			return f.payer, &channel.MsgOpen{Payee: f.payee, Deposit: usdt - 1, Expiry: f.expiry}
		}, channel.ErrDepositTooLow},
		{"open with an expiry in the past", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Payee: f.payee, Deposit: usdt, Expiry: f.e.Block.Time}
		}, channel.ErrBadExpiry},
		{"open with an expiry beyond max_expiry_ms", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Payee: f.payee, Deposit: usdt, Expiry: f.e.Block.Time + 366*day}
		}, channel.ErrBadExpiry},
		{"open with an overflowing expiry", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Payee: f.payee, Deposit: usdt, Expiry: math.MaxUint64}
		}, channel.ErrBadExpiry},
		{"open with more than the balance", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Payee: f.payee, Deposit: 901 * usdt, Expiry: f.expiry}
		}, bank.ErrInsufficientFunds},
		{"open with an overflowing deposit", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgOpen{Payee: f.payee, Deposit: math.MaxUint64, Expiry: f.expiry}
		}, bank.ErrInsufficientFunds},
		{"open by a frozen payer", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Freezer.Freeze(f.e.St, f.payer, true)
			return f.payer, &channel.MsgOpen{Payee: f.payee, Deposit: usdt, Expiry: f.expiry}
		}, channel.ErrFrozen},
		{"open beyond max_open_per_payer", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.SetParam(channel.ModuleName, channel.ParamMaxOpen, 1)
			return f.payer, &channel.MsgOpen{Payee: f.stranger, Deposit: usdt, Expiry: f.expiry}
		}, channel.ErrTooManyOpen},
		{"top-up by the payee", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payee, &channel.MsgTopUp{ID: f.id, Amount: usdt}
		}, channel.ErrNotPayer},
		{"top-up of an unknown channel", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgTopUp{ID: types.Keccak([]byte("x")), Amount: usdt}
		}, channel.ErrNotFound},
		{"top-up of zero", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgTopUp{ID: f.id}
		}, channel.ErrZeroAmount},
		{"top-up overflowing the deposit", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgTopUp{ID: f.id, Amount: math.MaxUint64}
		}, channel.ErrOverflow},
		{"top-up after expiry", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day)
			return f.payer, &channel.MsgTopUp{ID: f.id, Amount: usdt}
		}, channel.ErrExpired},
		{"top-up while closing", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payer, &channel.MsgClose{ID: f.id}))
			return f.payer, &channel.MsgTopUp{ID: f.id, Amount: usdt}
		}, channel.ErrWrongState},
		{"top-up by a frozen payer", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Freezer.Freeze(f.e.St, f.payer, true)
			return f.payer, &channel.MsgTopUp{ID: f.id, Amount: usdt}
		}, channel.ErrFrozen},
		{"extend to an earlier expiry", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgExtend{ID: f.id, Expiry: f.expiry - 1}
		}, channel.ErrBadExpiry},
		{"extend beyond max_expiry_ms", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &channel.MsgExtend{ID: f.id, Expiry: f.e.Block.Time + 366*day}
		}, channel.ErrBadExpiry},
		{"extend by a stranger", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.stranger, &channel.MsgExtend{ID: f.id, Expiry: f.expiry + 1}
		}, channel.ErrNotPayer},
		{"extend by a frozen payer", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Freezer.Freeze(f.e.St, f.payer, true)
			return f.payer, &channel.MsgExtend{ID: f.id, Expiry: f.expiry + 1}
		}, channel.ErrFrozen},
		{"redeem by the payer", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, redeemMsg(t, f, f.payerKey, f.id, usdt, 1)
		}, channel.ErrNotPayee},
		{"redeem of an older voucher", func(t *testing.T, f *fx) (types.Address, msg) {
			f.redeem(t, 5*usdt, 5)
			return f.payee, redeemMsg(t, f, f.payerKey, f.id, 3*usdt, 3)
		}, channel.ErrStaleVoucher},
		{"redeem of the same voucher twice", func(t *testing.T, f *fx) (types.Address, msg) {
			f.redeem(t, 5*usdt, 5)
			return f.payee, redeemMsg(t, f, f.payerKey, f.id, 5*usdt, 5)
		}, channel.ErrStaleVoucher},
		{"redeem of a higher amount with an old nonce", func(t *testing.T, f *fx) (types.Address, msg) {
			f.redeem(t, 5*usdt, 5)
			return f.payee, redeemMsg(t, f, f.payerKey, f.id, 6*usdt, 5)
		}, channel.ErrStaleVoucher},
		{"redeem of a voucher signed for another channel", func(t *testing.T, f *fx) (types.Address, msg) {
			other := f.open(t, f.payee, usdt, f.expiry)
			v := voucher(t, f.payerKey, other, usdt, 1)
			v.Channel = f.id
			return f.payee, &channel.MsgRedeem{Voucher: *v}
		}, channel.ErrBadSignature},
		{"redeem of another payee's channel", func(t *testing.T, f *fx) (types.Address, msg) {
			other := f.open(t, f.stranger, usdt, f.expiry)
			return f.payee, redeemMsg(t, f, f.payerKey, other, usdt, 1)
		}, channel.ErrNotPayee},
		{"redeem of a voucher for another chain", func(t *testing.T, f *fx) (types.Address, msg) {
			v, err := channel.SignVoucher("another-chain", f.id, usdt, 1, f.payerKey)
			if err != nil {
				t.Fatal(err)
			}
			return f.payee, &channel.MsgRedeem{Voucher: *v}
		}, channel.ErrBadSignature},
		{"redeem of a voucher signed by someone else", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payee, redeemMsg(t, f, f.otherKey, f.id, usdt, 1)
		}, channel.ErrBadSignature},
		{"redeem above the deposit", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payee, redeemMsg(t, f, f.payerKey, f.id, 100*usdt+1, 1)
		}, channel.ErrOverDeposit},
		{"redeem of a maximal amount", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payee, redeemMsg(t, f, f.payerKey, f.id, math.MaxUint64, 1)
		}, channel.ErrOverDeposit},
		{"redeem of a zero voucher", func(t *testing.T, f *fx) (types.Address, msg) {
			v := voucher(t, f.payerKey, f.id, 1, 1)
			v.Amount = 0
			return f.payee, &channel.MsgRedeem{Voucher: *v}
		}, channel.ErrBadVoucher},
		{"redeem with a short signature", func(t *testing.T, f *fx) (types.Address, msg) {
			v := voucher(t, f.payerKey, f.id, 1, 1)
			v.Sig = v.Sig[:64]
			return f.payee, &channel.MsgRedeem{Voucher: *v}
		}, channel.ErrBadVoucher},
		{"redeem after settle", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payee, &channel.MsgSettle{ID: f.id}))
			return f.payee, redeemMsg(t, f, f.payerKey, f.id, usdt, 1)
		}, channel.ErrWrongState},
		{"redeem after the window", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day + f.challenge)
			return f.payee, redeemMsg(t, f, f.payerKey, f.id, usdt, 1)
		}, channel.ErrWindowClosed},
		{"redeem after the challenge of a close", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payer, &channel.MsgClose{ID: f.id}))
			f.e.Advance(f.challenge)
			return f.payee, redeemMsg(t, f, f.payerKey, f.id, usdt, 1)
		}, channel.ErrWindowClosed},
		{"close by the payee", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payee, &channel.MsgClose{ID: f.id}
		}, channel.ErrNotPayer},
		{"close twice", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payer, &channel.MsgClose{ID: f.id}))
			return f.payer, &channel.MsgClose{ID: f.id}
		}, channel.ErrWrongState},
		{"close after the window", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day + f.challenge)
			return f.payer, &channel.MsgClose{ID: f.id}
		}, channel.ErrWindowClosed},
		{"settle by the payer before the window ends", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day + f.challenge - 1)
			return f.payer, &channel.MsgSettle{ID: f.id}
		}, channel.ErrTooEarly},
		{"settle by the payer during a close's challenge", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payer, &channel.MsgClose{ID: f.id}))
			f.e.Advance(f.challenge - 1)
			return f.payer, &channel.MsgSettle{ID: f.id}
		}, channel.ErrTooEarly},
		{"settle by a stranger", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day + f.challenge)
			return f.stranger, &channel.MsgSettle{ID: f.id}
		}, channel.ErrNotParty},
		{"settle twice", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payee, &channel.MsgSettle{ID: f.id}))
			return f.payee, &channel.MsgSettle{ID: f.id}
		}, channel.ErrWrongState},
		{"settle with a zero ID", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payee, &channel.MsgSettle{}
		}, channel.ErrZeroID},
		{"bank transfer into the escrow", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &transfer{To: channel.EscrowAddress, Amount: usdt}
		}, bank.ErrBlockedRecipient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			from, m := tc.prep(t, f)
			testkit.Refused(t, f.e.St, tc.want, func() error { _, err := f.e.Exec(from, m); return err })
			f.check(t)
		})
	}
}

// TestCost: the mempool is told what opening and topping up spend.
func TestCost(t *testing.T) {
	id := types.Keccak([]byte("c"))
	for _, tc := range []struct {
		m    channel.Msg
		want uint64
	}{
		{&channel.MsgOpen{Payee: types.Address{1}, Deposit: 7, Expiry: 1}, 7},
		{&channel.MsgTopUp{ID: id, Amount: 9}, 9},
		{&channel.MsgClose{ID: id}, 0},
		{&channel.MsgSettle{ID: id}, 0},
		{&channel.MsgExtend{ID: id, Expiry: 5}, 0},
	} {
		got, err := channel.Cost(&types.Tx{Type: tc.m.TxType(), Payload: core.Encode(tc.m)})
		if err != nil || got != tc.want {
			t.Errorf("%T: cost %d, %v; want %d", tc.m, got, err, tc.want)
		}
	}
	if _, err := channel.Cost(&types.Tx{Type: channel.TypeOpen, Payload: []byte{0xc0}}); err == nil {
		t.Error("a malformed payload has a cost")
	}
	if _, err := channel.Cost(&types.Tx{Type: channel.TypeSettle + 100, Payload: nil}); !errors.Is(err, core.ErrUnknownType) {
		t.Errorf("unknown type: %v", err)
	}
}

// TestQueries: the payer and payee indexes list channels.
func TestQueries(t *testing.T) {
	f := newFx(t)
	second := f.open(t, f.stranger, usdt, f.expiry)
	third := f.open(t, f.payee, usdt, f.expiry)
	byPayer, err := f.e.K.ByPayer(f.e.St, f.payer, 0, 0)
	if err != nil || len(byPayer) != 3 || byPayer[0].ID != f.id || byPayer[1].ID != second || byPayer[2].ID != third {
		t.Fatalf("by payer: %v %v", byPayer, err)
	}
	page, _ := f.e.K.ByPayer(f.e.St, f.payer, 1, 1)
	if len(page) != 1 || page[0].ID != second {
		t.Fatalf("page after 1: %v", page)
	}
	byPayee, err := f.e.K.ByPayee(f.e.St, f.payee, 0)
	if err != nil || len(byPayee) != 2 {
		t.Fatalf("by payee: %d %v", len(byPayee), err)
	}
	if n := f.e.K.OpenCount(f.e.St, f.payer); n != 3 {
		t.Fatalf("open count %d", n)
	}
}
