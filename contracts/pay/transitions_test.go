package pay_test

import (
	"crypto/ecdsa"
	"errors"
	"math"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/types"
)

const day = 24 * 3600 * 1000

// fx is a funded payer with one 100 USDT payment to payee, attested by
// carrier, due in a day, plus a stranger.
type fx struct {
	e                         *env
	carrierKey, strangerKey   *ecdsa.PrivateKey
	payer, payee, carrier, st types.Address
	id                        types.Hash
	deadline                  uint64
}

func newFx(t *testing.T) *fx {
	t.Helper()
	f := &fx{e: newEnv()}
	_, f.payer = key(1)
	_, f.payee = key(2)
	f.carrierKey, f.carrier = key(3)
	f.strangerKey, f.st = key(4)
	f.e.Fund(f.payer, 1_000*usdt)
	f.e.Fund(f.st, 10*usdt)
	f.deadline = f.e.Block.Time + day
	f.id = f.lock(t, 100*usdt)
	return f
}

func (f *fx) lock(t *testing.T, amount uint64) types.Hash {
	t.Helper()
	id := f.e.K.NextID(f.e.St, f.payer)
	evs, err := f.e.Exec(f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Amount: amount, Deadline: f.deadline})
	if err != nil {
		t.Fatal(err)
	}
	if ev, ok := testkit.FindEvent(evs, pay.EventLocked); !ok || ev.Get("id") != id.Hex() {
		t.Fatalf("lock events %v", evs)
	}
	return id
}

func (f *fx) get(t *testing.T, id types.Hash) *pay.Payment {
	t.Helper()
	p, err := f.e.K.GetPayment(f.e.St, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fx) bal(a types.Address) uint64 { return f.e.Bank.Balance(f.e.St, a) }

func (f *fx) resolve(toPayee, toPayer uint64) error {
	_, err := f.e.Call(func(ctx *core.Context) error { return f.e.K.Resolve(ctx, f.id, toPayee, toPayer) })
	return err
}

var ok = testkit.OK

type msg interface{ TxType() types.TxType }

type transfer = testkit.Transfer

func TestTransitions(t *testing.T) {
	cases := []struct {
		name                 string
		run                  func(t *testing.T, f *fx)
		payer, payee, escrow uint64
		state                pay.State
		event                string
	}{
		{"delivered attestation submitted by the payee releases", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.payee, &pay.MsgAttest{Attestation: *attest(t, f.carrierKey, f.id, pay.OutcomeDelivered)}))
		}, 900 * usdt, 100 * usdt, 0, pay.StateReleased, pay.EventReleased},
		{"delivered attestation submitted by the attester releases", func(t *testing.T, f *fx) {
			f.e.Advance(day - 2) // the last block before the deadline
			ok(t)(f.e.Exec(f.carrier, &pay.MsgAttest{Attestation: *attest(t, f.carrierKey, f.id, pay.OutcomeDelivered)}))
		}, 900 * usdt, 100 * usdt, 0, pay.StateReleased, pay.EventReleased},
		{"failed attestation refunds", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.st, &pay.MsgAttest{Attestation: *attest(t, f.carrierKey, f.id, pay.OutcomeFailed)}))
		}, 1000 * usdt, 0, 0, pay.StateRefunded, pay.EventRefunded},
		{"the payer reclaims after the deadline", func(t *testing.T, f *fx) {
			f.e.Advance(day)
			ok(t)(f.e.Exec(f.payer, &pay.MsgRefund{ID: f.id}))
		}, 1000 * usdt, 0, 0, pay.StateRefunded, pay.EventRefunded},
		{"dispute holds the escrow", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.payee, &pay.MsgDispute{ID: f.id, Evidence: types.Keccak([]byte("pod"))}))
		}, 900 * usdt, 0, 100 * usdt, pay.StateDisputed, pay.EventDisputed},
		{"dispute after the deadline, before the refund", func(t *testing.T, f *fx) {
			f.e.Advance(2 * day)
			ok(t)(f.e.Exec(f.payer, &pay.MsgDispute{ID: f.id}))
		}, 900 * usdt, 0, 100 * usdt, pay.StateDisputed, pay.EventDisputed},
		{"resolve splits the escrow", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.payer, &pay.MsgDispute{ID: f.id}))
			if err := f.resolve(60*usdt+1, 40*usdt-1); err != nil {
				t.Fatal(err)
			}
		}, 940*usdt - 1, 60*usdt + 1, 0, pay.StateResolved, pay.EventResolved},
		{"resolve wholly to the payee", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.payer, &pay.MsgDispute{ID: f.id}))
			if err := f.resolve(100*usdt, 0); err != nil {
				t.Fatal(err)
			}
		}, 900 * usdt, 100 * usdt, 0, pay.StateResolved, pay.EventResolved},
		{"a frozen payer still gets its refund", func(t *testing.T, f *fx) {
			f.e.Freezer.Freeze(f.e.St, f.payer, true)
			f.e.Advance(day)
			ok(t)(f.e.Exec(f.payer, &pay.MsgRefund{ID: f.id}))
		}, 1000 * usdt, 0, 0, pay.StateRefunded, pay.EventRefunded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			f.e.Advance(1)
			tc.run(t, f)
			if f.bal(f.payer) != tc.payer || f.bal(f.payee) != tc.payee || f.bal(pay.EscrowAddress) != tc.escrow {
				t.Fatalf("payer %d payee %d escrow %d, want %d %d %d", f.bal(f.payer), f.bal(f.payee), f.bal(pay.EscrowAddress),
					tc.payer, tc.payee, tc.escrow)
			}
			if s := f.get(t, f.id).State; s != tc.state {
				t.Fatalf("state %s, want %s", s, tc.state)
			}
			if msg := f.e.invariants(); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	att := func(t *testing.T, k *ecdsa.PrivateKey, id types.Hash, o pay.Outcome) msg {
		return &pay.MsgAttest{Attestation: *attest(t, k, id, o)}
	}
	cases := []struct {
		name string
		prep func(t *testing.T, f *fx) (types.Address, msg)
		want error
	}{
		{"lock to oneself", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payer, Attester: f.carrier, Amount: usdt, Deadline: f.deadline}
		}, pay.ErrBadParties},
		{"lock attested by oneself", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.payer, Amount: usdt, Deadline: f.deadline}
		}, pay.ErrBadParties},
		{"lock attested by the payee", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.payee, Amount: usdt, Deadline: f.deadline}
		}, pay.ErrBadParties},
		{"lock to the escrow account", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: pay.EscrowAddress, Attester: f.carrier, Amount: usdt, Deadline: f.deadline}
		}, pay.ErrBadParties},
		{"lock without attester", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Amount: usdt, Deadline: f.deadline}
		}, pay.ErrZeroAddress},
		{"lock of zero", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Deadline: f.deadline}
		}, pay.ErrZeroAmount},
		{"lock below the minimum", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Amount: 9_999, Deadline: f.deadline}
		}, pay.ErrAmountTooSmall},
		{"lock of an overflowing amount", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Amount: math.MaxUint64, Deadline: f.deadline}
		}, bank.ErrInsufficientFunds},
		{"lock with a deadline now", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Amount: usdt, Deadline: f.e.Block.Time}
		}, pay.ErrBadDeadline},
		{"lock with a deadline beyond max_deadline_ms", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Amount: usdt, Deadline: f.e.Block.Time + 91*day}
		}, pay.ErrBadDeadline},
		{"lock with an overflowing deadline", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Amount: usdt, Deadline: math.MaxUint64}
		}, pay.ErrBadDeadline},
		{"lock by a frozen payer", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Freezer.Freeze(f.e.St, f.payer, true)
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Amount: usdt, Deadline: f.deadline}
		}, pay.ErrFrozen},
		{"lock beyond max_open_per_payer", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.SetParam(pay.ModuleName, pay.ParamMaxOpen, 1)
			return f.payer, &pay.MsgLock{Payee: f.payee, Attester: f.carrier, Amount: usdt, Deadline: f.deadline}
		}, pay.ErrTooManyOpen},
		{"attestation by the wrong attester", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payee, att(t, f.strangerKey, f.id, pay.OutcomeDelivered)
		}, pay.ErrWrongAttester},
		{"attestation for another payment", func(t *testing.T, f *fx) (types.Address, msg) {
			other := f.lock(t, usdt)
			a := attest(t, f.carrierKey, other, pay.OutcomeDelivered)
			a.Payment = f.id
			return f.payee, &pay.MsgAttest{Attestation: *a}
		}, pay.ErrWrongAttester},
		{"attestation for another chain", func(t *testing.T, f *fx) (types.Address, msg) {
			a, err := pay.SignAttestation("other-chain", f.id, pay.OutcomeDelivered, f.carrierKey)
			if err != nil {
				t.Fatal(err)
			}
			return f.payee, &pay.MsgAttest{Attestation: *a}
		}, pay.ErrWrongAttester},
		{"outcome changed after signing", func(t *testing.T, f *fx) (types.Address, msg) {
			a := attest(t, f.carrierKey, f.id, pay.OutcomeFailed)
			a.Outcome = pay.OutcomeDelivered
			return f.payee, &pay.MsgAttest{Attestation: *a}
		}, pay.ErrWrongAttester},
		{"attestation twice", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payee, att(t, f.carrierKey, f.id, pay.OutcomeDelivered)))
			return f.payee, att(t, f.carrierKey, f.id, pay.OutcomeDelivered)
		}, pay.ErrWrongState},
		{"contrary attestation after the first", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payee, att(t, f.carrierKey, f.id, pay.OutcomeDelivered)))
			return f.payer, att(t, f.carrierKey, f.id, pay.OutcomeFailed)
		}, pay.ErrWrongState},
		{"attestation at the deadline", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day)
			return f.payee, att(t, f.carrierKey, f.id, pay.OutcomeDelivered)
		}, pay.ErrDeadlinePassed},
		{"attestation of a disputed payment", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payer, &pay.MsgDispute{ID: f.id}))
			return f.payee, att(t, f.carrierKey, f.id, pay.OutcomeDelivered)
		}, pay.ErrWrongState},
		{"attestation of an unknown outcome", func(t *testing.T, f *fx) (types.Address, msg) {
			a := attest(t, f.carrierKey, f.id, pay.OutcomeDelivered)
			a.Outcome = 3
			return f.payee, &pay.MsgAttest{Attestation: *a}
		}, pay.ErrBadOutcome},
		{"attestation with a short signature", func(t *testing.T, f *fx) (types.Address, msg) {
			a := attest(t, f.carrierKey, f.id, pay.OutcomeDelivered)
			a.Sig = a.Sig[:10]
			return f.payee, &pay.MsgAttest{Attestation: *a}
		}, pay.ErrBadAttestation},
		{"attestation of an unknown payment", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payee, att(t, f.carrierKey, types.Keccak([]byte("x")), pay.OutcomeDelivered)
		}, pay.ErrNotFound},
		{"refund before the deadline", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day - 1)
			return f.payer, &pay.MsgRefund{ID: f.id}
		}, pay.ErrTooEarly},
		{"refund by the payee", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day)
			return f.payee, &pay.MsgRefund{ID: f.id}
		}, pay.ErrNotPayer},
		{"refund after release", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payee, att(t, f.carrierKey, f.id, pay.OutcomeDelivered)))
			f.e.Advance(day)
			return f.payer, &pay.MsgRefund{ID: f.id}
		}, pay.ErrWrongState},
		{"refund twice", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Advance(day)
			ok(t)(f.e.Exec(f.payer, &pay.MsgRefund{ID: f.id}))
			return f.payer, &pay.MsgRefund{ID: f.id}
		}, pay.ErrWrongState},
		{"refund of a disputed payment", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payee, &pay.MsgDispute{ID: f.id}))
			f.e.Advance(day)
			return f.payer, &pay.MsgRefund{ID: f.id}
		}, pay.ErrWrongState},
		{"dispute by the attester", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.carrier, &pay.MsgDispute{ID: f.id}
		}, pay.ErrNotParty},
		{"dispute twice", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payee, &pay.MsgDispute{ID: f.id}))
			return f.payer, &pay.MsgDispute{ID: f.id}
		}, pay.ErrWrongState},
		{"dispute after release", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.payee, att(t, f.carrierKey, f.id, pay.OutcomeDelivered)))
			return f.payer, &pay.MsgDispute{ID: f.id}
		}, pay.ErrWrongState},
		{"dispute with a zero ID", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &pay.MsgDispute{}
		}, pay.ErrZeroID},
		{"bank transfer into the escrow", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.payer, &transfer{To: pay.EscrowAddress, Amount: usdt}
		}, bank.ErrBlockedRecipient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			from, m := tc.prep(t, f)
			testkit.Refused(t, f.e.St, tc.want, func() error { _, err := f.e.Exec(from, m); return err })
			if msg := f.e.invariants(); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

// TestResolveRefusals: Resolve only for DISPUTED payments, with payouts
// summing exactly to the escrow; a refusal changes nothing.
func TestResolveRefusals(t *testing.T) {
	cases := []struct {
		name             string
		dispute, twice   bool
		toPayee, toPayer uint64
		want             error
	}{
		{"not disputed", false, false, 100 * usdt, 0, pay.ErrWrongState},
		{"payouts short of the escrow", true, false, 50 * usdt, 49 * usdt, pay.ErrBadPayouts},
		{"payouts above the escrow", true, false, 50 * usdt, 51 * usdt, pay.ErrBadPayouts},
		{"payouts overflowing", true, false, math.MaxUint64, 100*usdt + 1, pay.ErrBadPayouts},
		{"resolved twice", true, true, 100 * usdt, 0, pay.ErrWrongState},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			if tc.dispute {
				ok(t)(f.e.Exec(f.payer, &pay.MsgDispute{ID: f.id}))
			}
			if tc.twice {
				if err := f.resolve(100*usdt, 0); err != nil {
					t.Fatal(err)
				}
			}
			before := testkit.StateHash(f.e.St)
			if err := f.resolve(tc.toPayee, tc.toPayer); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if testkit.StateHash(f.e.St) != before {
				t.Fatal("refused resolve changed state")
			}
		})
	}
}

type hook struct {
	got  []types.Hash
	fail error
}

func (h *hook) PaymentDisputed(_ *core.Context, p *pay.Payment) error {
	if h.fail != nil {
		return h.fail
	}
	h.got = append(h.got, p.ID)
	return nil
}

// TestDisputeHook: arbitration hears of a dispute in the same
// transaction, and its refusal fails the dispute.
func TestDisputeHook(t *testing.T) {
	f := newFx(t)
	h := &hook{}
	k := f.e.K.WithHook(h)
	if _, err := f.e.Call(func(ctx *core.Context) error {
		ctx.Sender = f.payee
		return k.Dispute(ctx, &pay.MsgDispute{ID: f.id})
	}); err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 1 || h.got[0] != f.id {
		t.Fatalf("hook saw %v", h.got)
	}
	second := f.lock(t, usdt)
	h.fail = errors.New("no arbitrators")
	before := testkit.StateHash(f.e.St)
	if _, err := f.e.Call(func(ctx *core.Context) error {
		ctx.Sender = f.payee
		return k.Dispute(ctx, &pay.MsgDispute{ID: second})
	}); !errors.Is(err, h.fail) {
		t.Fatalf("got %v", err)
	}
	if testkit.StateHash(f.e.St) != before || f.get(t, second).State != pay.StateLocked {
		t.Fatal("failed hook left the dispute in place")
	}
}

func TestAttestationString(t *testing.T) {
	k, _ := key(3)
	a := attest(t, k, types.Keccak([]byte("p")), pay.OutcomeFailed)
	b, err := pay.ParseAttestation(a.String())
	if err != nil || b.Payment != a.Payment || b.Outcome != a.Outcome || string(b.Sig) != string(a.Sig) {
		t.Fatalf("round trip %+v, %v", b, err)
	}
	for _, bad := range []string{"", "0xzz", "0xc0"} {
		if _, err := pay.ParseAttestation(bad); !errors.Is(err, pay.ErrBadAttestation) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if o, err := pay.ParseOutcome("delivered"); err != nil || o != pay.OutcomeDelivered {
		t.Fatal(o, err)
	}
	if _, err := pay.ParseOutcome("lost"); !errors.Is(err, pay.ErrBadOutcome) {
		t.Fatal(err)
	}
	_ = c2ctest.ChainID
}

func TestCost(t *testing.T) {
	id := types.Keccak([]byte("c"))
	lock := &pay.MsgLock{Payee: types.Address{1}, Attester: types.Address{2}, Amount: 7, Deadline: 1}
	if c, err := pay.Cost(&types.Tx{Type: pay.TypeLock, Payload: core.Encode(lock)}); err != nil || c != 7 {
		t.Fatalf("lock cost %d, %v", c, err)
	}
	if c, err := pay.Cost(&types.Tx{Type: pay.TypeRefund, Payload: core.Encode(&pay.MsgRefund{ID: id})}); err != nil || c != 0 {
		t.Fatalf("refund cost %d, %v", c, err)
	}
	if _, err := pay.Cost(&types.Tx{Type: pay.TypeLock, Payload: []byte{1}}); err == nil {
		t.Fatal("bad payload has a cost")
	}
}

func TestQueries(t *testing.T) {
	f := newFx(t)
	second := f.lock(t, usdt)
	ps, err := f.e.K.ByPayer(f.e.St, f.payer, 0, 0)
	if err != nil || len(ps) != 2 || ps[0].ID != f.id || ps[1].ID != second {
		t.Fatalf("by payer %v %v", ps, err)
	}
	ps, err = f.e.K.ByPayee(f.e.St, f.payee, 1)
	if err != nil || len(ps) != 1 {
		t.Fatalf("by payee %v %v", ps, err)
	}
	if n := f.e.K.OpenCount(f.e.St, f.payer); n != 2 {
		t.Fatalf("open %d", n)
	}
}
