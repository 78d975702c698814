package order_test

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

const usdt = types.MicroPerUSDT

// fx is one acceptor, two merchants and a stranger, with the default
// parameters (a fresh acceptor: 500 USDT per order, 2 000 USDT a day).
type fx struct {
	e                    *c2ctest.Env
	acc, mer, mer2, nobo types.Address
}

func newFx(t *testing.T) *fx {
	t.Helper()
	f := &fx{e: c2ctest.NewEnv(), acc: c2ctest.Addr("acc"), mer: c2ctest.Addr("mer"), mer2: c2ctest.Addr("mer2"), nobo: c2ctest.Addr("nobody")}
	f.e.ResolveByHand() // the tests call Resolve* in arbitration's place
	f.e.NewAcceptor(f.acc, c2ctest.AcceptorSpec{Currencies: []string{"EUR", "USD"}, Float: 1_000 * usdt, Margin: 400 * usdt})
	f.e.NewMerchant(f.mer)
	f.e.NewMerchant(f.mer2)
	return f
}

func (f *fx) params() order.Params { return f.e.Order.Params(f.e.St) }

func (f *fx) get(t *testing.T, id types.Hash) *order.Order {
	t.Helper()
	o, err := f.e.Order.GetOrder(f.e.St, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (f *fx) acceptor(t *testing.T, a types.Address) *acceptor.Acceptor {
	t.Helper()
	rec, err := f.e.Acceptor.GetAcceptor(f.e.St, a)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// create makes a 100 USD order and returns its ID.
func (f *fx) create(t *testing.T, ref string) types.Hash {
	t.Helper()
	if _, err := f.e.Exec(f.mer, &order.MsgCreate{Currency: "USD", FiatAmount: 100_00, MerchantRef: ref}); err != nil {
		t.Fatal(err)
	}
	return order.OrderID(f.mer, ref)
}

func (f *fx) locked(t *testing.T) types.Hash {
	t.Helper()
	id := f.create(t, "inv-1")
	if s := f.get(t, id).State; s != order.StateLocked {
		t.Fatalf("state %s, want LOCKED", s)
	}
	return id
}

func (f *fx) paid(t *testing.T) types.Hash {
	t.Helper()
	id := f.locked(t)
	if _, err := f.e.Exec(f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: types.Keccak([]byte("wire-1"))}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fx) disputed(t *testing.T) types.Hash {
	t.Helper()
	id := f.paid(t)
	if _, err := f.e.Exec(f.mer, &order.MsgDispute{ID: id}); err != nil {
		t.Fatal(err)
	}
	return id
}

func eventTypes(evs []types.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestTransitions(t *testing.T) {
	const amount = 100 * usdt
	tests := []struct {
		name   string
		run    func(t *testing.T, f *fx) (types.Hash, []types.Event)
		state  order.State
		events []string // order events, in order
		check  func(t *testing.T, f *fx, o *order.Order)
	}{
		{
			name: "create assigns an acceptor and locks the escrow",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				evs, err := f.e.Exec(f.mer, &order.MsgCreate{Currency: "USD", FiatAmount: 100_00, MerchantRef: "inv-1"})
				if err != nil {
					t.Fatal(err)
				}
				return order.OrderID(f.mer, "inv-1"), evs
			},
			state:  order.StateLocked,
			events: []string{order.EventCreated, order.EventLocked},
			check: func(t *testing.T, f *fx, o *order.Order) {
				if o.Acceptor != f.acc || o.Amount != amount || o.Deadline != f.e.Block.Time+f.params().PaymentWindow {
					t.Fatalf("order %+v", o)
				}
				if m, _ := f.acceptor(t, f.acc).MethodFor("USD"); o.Method != m {
					t.Fatal("method is not the acceptor's USD method")
				}
				if a := f.acceptor(t, f.acc); a.Float != 900*usdt || a.Locked != amount || a.Volume24h(f.e.Block.Time) != amount {
					t.Fatalf("acceptor float %d locked %d", a.Float, a.Locked)
				}
				if b := f.e.Bank.Balance(f.e.St, order.EscrowAddress); b != amount {
					t.Fatalf("escrow %d", b)
				}
			},
		},
		{
			name: "create converts at the oracle rate (EUR)",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				evs, err := f.e.Exec(f.mer, &order.MsgCreate{Currency: "EUR", FiatAmount: 50_00, MerchantRef: "eur"})
				if err != nil {
					t.Fatal(err)
				}
				return order.OrderID(f.mer, "eur"), evs
			},
			state:  order.StateLocked,
			events: []string{order.EventCreated, order.EventLocked},
			check: func(t *testing.T, f *fx, o *order.Order) {
				if o.Amount != 62_500_000 || o.FiatAmount != 50_00 || o.Currency != "EUR" { // 50 EUR at 0.8 EUR/USDT
					t.Fatalf("amount %d", o.Amount)
				}
			},
		},
		{
			name: "create with nobody eligible is rejected",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				evs, err := f.e.Exec(f.mer, &order.MsgCreate{Currency: "JPY", FiatAmount: 10_000, MerchantRef: "jpy"})
				if err != nil {
					t.Fatal(err)
				}
				return order.OrderID(f.mer, "jpy"), evs
			},
			state:  order.StateRejected,
			events: []string{order.EventCreated, order.EventRejected},
			check: func(t *testing.T, f *fx, o *order.Order) {
				if o.Acceptor != (types.Address{}) || f.e.Bank.Balance(f.e.St, order.EscrowAddress) != 0 {
					t.Fatal("rejected order holds escrow")
				}
			},
		},
		{
			name: "a rejected reference can be retried",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				ok(t)(f.e.Exec(f.acc, &acceptor.MsgPause{}))
				f.create(t, "retry")
				ok(t)(f.e.Exec(f.acc, &acceptor.MsgResume{}))
				evs, err := f.e.Exec(f.mer, &order.MsgCreate{Currency: "USD", FiatAmount: 100_00, MerchantRef: "retry"})
				if err != nil {
					t.Fatal(err)
				}
				return order.OrderID(f.mer, "retry"), evs
			},
			state:  order.StateLocked,
			events: []string{order.EventCreated, order.EventLocked},
			check: func(t *testing.T, f *fx, o *order.Order) {
				list, err := f.e.Order.OrdersBy(f.e.St, order.ByMerchant, f.mer, order.Query{})
				if err != nil || len(list) != 1 || list[0].ID != o.ID || o.Seq != 2 {
					t.Fatalf("merchant index after retry: %v %v", list, err)
				}
			},
		},
		{
			name: "merchant marks paid",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.locked(t)
				f.e.Advance(60_000)
				evs, err := f.e.Exec(f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: types.Keccak([]byte("wire"))})
				if err != nil {
					t.Fatal(err)
				}
				return id, evs
			},
			state:  order.StatePaid,
			events: []string{order.EventPaid},
			check: func(t *testing.T, f *fx, o *order.Order) {
				if o.PaidAt != f.e.Block.Time || o.Deadline != o.PaidAt+f.params().ReleaseWindow || o.PaymentRef != types.Keccak([]byte("wire")) {
					t.Fatalf("order %+v", o)
				}
			},
		},
		{
			name: "acceptor confirms: merchant paid minus commission and fee",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.paid(t)
				f.e.Advance(90_000)
				evs, err := f.e.Exec(f.acc, &order.MsgConfirm{ID: id})
				if err != nil {
					t.Fatal(err)
				}
				return id, evs
			},
			state:  order.StateCompleted,
			events: []string{order.EventCompleted},
			check: func(t *testing.T, f *fx, o *order.Order) {
				p := f.params()
				fee, comm := amount*p.FeeBps/10_000, amount*p.CommissionBps/10_000
				if b := f.e.Bank.Balance(f.e.St, f.mer); b != amount-fee-comm {
					t.Fatalf("merchant %d", b)
				}
				if b := f.e.Bank.Balance(f.e.St, c2ctest.Treasury); b != fee {
					t.Fatalf("treasury %d", b)
				}
				a := f.acceptor(t, f.acc)
				if a.Float != 900*usdt+comm || a.Locked != 0 || a.Stats.Completed != 1 || a.Stats.Credited != 1 || a.Stats.ReleaseTimes[0] != 90_000 {
					t.Fatalf("acceptor %+v", a)
				}
				if f.e.Bank.Balance(f.e.St, order.EscrowAddress) != 0 || o.Deadline != 0 {
					t.Fatal("escrow or timer left")
				}
			},
		},
		{
			name: "merchant cancels before paying",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.locked(t)
				evs, err := f.e.Exec(f.mer, &order.MsgCancel{ID: id})
				if err != nil {
					t.Fatal(err)
				}
				return id, evs
			},
			state:  order.StateCancelled,
			events: []string{order.EventCancelled},
			check: func(t *testing.T, f *fx, o *order.Order) {
				if a := f.acceptor(t, f.acc); a.Float != 1_000*usdt || a.Locked != 0 {
					t.Fatalf("float %d locked %d", a.Float, a.Locked)
				}
				if f.e.Order.CancelsToday(f.e.St, f.mer, f.e.Block.Time) != 1 {
					t.Fatal("cancel not counted")
				}
			},
		},
		{
			name: "payment window passes: expired, escrow back to the acceptor",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.locked(t)
				f.e.Advance(f.params().PaymentWindow - 1)
				if s := f.get(t, id).State; s != order.StateLocked {
					t.Fatalf("expired early: %s", s)
				}
				return id, f.e.Advance(1)
			},
			state:  order.StateExpired,
			events: []string{order.EventExpired},
			check: func(t *testing.T, f *fx, o *order.Order) {
				a := f.acceptor(t, f.acc)
				if a.Float != 1_000*usdt || a.Locked != 0 || a.Stats.Expired != 1 {
					t.Fatalf("acceptor %+v", a)
				}
			},
		},
		{
			name: "acceptor extends the payment window once near its end",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.locked(t)
				f.e.Advance(f.params().PaymentWindow - f.params().ExtendThreshold + 1)
				evs, err := f.e.Exec(f.acc, &order.MsgExtend{ID: id})
				if err != nil {
					t.Fatal(err)
				}
				// The old deadline passes without expiry.
				f.e.Advance(f.params().ExtendThreshold)
				return id, evs
			},
			state:  order.StateLocked,
			events: []string{order.EventExtended},
			check: func(t *testing.T, f *fx, o *order.Order) {
				p := f.params()
				if !o.Extended || o.Deadline != o.CreatedAt+p.PaymentWindow+p.ExtendBy {
					t.Fatalf("deadline %d", o.Deadline)
				}
				if got := f.e.Order.PendingTimeouts(f.e.St, ^uint64(0), 0); len(got) != 1 || got[0].Deadline != o.Deadline {
					t.Fatalf("queue %v", got)
				}
			},
		},
		{
			name: "release window passes: disputed, escrow stays",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.paid(t)
				return id, f.e.Advance(f.params().ReleaseWindow)
			},
			state:  order.StateDisputed,
			events: []string{order.EventDisputed},
			check: func(t *testing.T, f *fx, o *order.Order) {
				if f.e.Bank.Balance(f.e.St, order.EscrowAddress) != amount || f.e.Bank.Balance(f.e.St, f.mer) != 0 {
					t.Fatal("a timeout moved escrow")
				}
				if a := f.acceptor(t, f.acc); a.Stats.OpenDisputes != 1 {
					t.Fatal("dispute not booked")
				}
			},
		},
		{
			name: "merchant opens a dispute",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.paid(t)
				evs, err := f.e.Exec(f.mer, &order.MsgDispute{ID: id, Evidence: types.Keccak([]byte("screenshot"))})
				if err != nil {
					t.Fatal(err)
				}
				return id, evs
			},
			state:  order.StateDisputed,
			events: []string{order.EventDisputed},
		},
		{
			name: "acceptor opens a dispute after the release deadline, before the timer ran",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.paid(t)
				f.e.Block.Time = f.get(t, id).Deadline
				evs, err := f.e.Exec(f.acc, &order.MsgDispute{ID: id})
				if err != nil {
					t.Fatal(err)
				}
				return id, evs
			},
			state:  order.StateDisputed,
			events: []string{order.EventDisputed},
		},
		{
			name: "arbitration releases: merchant paid minus fee, margin slashed",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.disputed(t)
				evs, err := f.e.Call(func(ctx *core.Context) error { return f.e.Order.ResolveRelease(ctx, id) })
				if err != nil {
					t.Fatal(err)
				}
				return id, evs
			},
			state:  order.StateResolvedRelease,
			events: []string{order.EventResolvedRelease},
			check: func(t *testing.T, f *fx, o *order.Order) {
				p := f.params()
				fee, slash := amount*p.FeeBps/10_000, amount*p.DisputeSlashBps/10_000
				if b := f.e.Bank.Balance(f.e.St, f.mer); b != amount-fee+slash {
					t.Fatalf("merchant %d", b)
				}
				a := f.acceptor(t, f.acc)
				if a.Margin != 400*usdt-slash || a.Locked != 0 || a.Float != 900*usdt || a.Stats.DisputesLost != 1 || a.Stats.OpenDisputes != 0 {
					t.Fatalf("acceptor %+v", a)
				}
			},
		},
		{
			name: "arbitration refunds: escrow back to the acceptor",
			run: func(t *testing.T, f *fx) (types.Hash, []types.Event) {
				id := f.disputed(t)
				evs, err := f.e.Call(func(ctx *core.Context) error { return f.e.Order.ResolveRefund(ctx, id) })
				if err != nil {
					t.Fatal(err)
				}
				return id, evs
			},
			state:  order.StateResolvedRefund,
			events: []string{order.EventResolvedRefund},
			check: func(t *testing.T, f *fx, o *order.Order) {
				a := f.acceptor(t, f.acc)
				if a.Float != 1_000*usdt || a.Locked != 0 || a.Margin != 400*usdt || a.Stats.DisputesWon != 1 {
					t.Fatalf("acceptor %+v", a)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			id, evs := tc.run(t, f)
			o := f.get(t, id)
			if o.State != tc.state {
				t.Fatalf("state %s, want %s", o.State, tc.state)
			}
			var got []string
			for _, ev := range evs {
				if ev.Get("id") == id.Hex() {
					got = append(got, ev.Type)
					if ev.Get("state") == "" {
						t.Errorf("event %s without state", ev.Type)
					}
				}
			}
			if len(got) != len(tc.events) {
				t.Fatalf("events %v, want %v", got, tc.events)
			}
			for i := range got {
				if got[i] != tc.events[i] {
					t.Fatalf("events %v, want %v", got, tc.events)
				}
			}
			if tc.check != nil {
				tc.check(t, f, o)
			}
			if msg := f.e.Invariants(); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

// ok returns a checker for Exec's results: ok(t)(f.e.Exec(...)).
var ok = testkit.OK

// TestRefusals checks every refusal: the right sentinel error and no state
// change at all.
func TestRefusals(t *testing.T) {
	create := func(ref string) *order.MsgCreate {
		return &order.MsgCreate{Currency: "USD", FiatAmount: 100_00, MerchantRef: ref}
	}
	paidRef := types.Keccak([]byte("wire"))
	type msg = interface{ TxType() types.TxType }
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fx) (types.Address, msg)
		want  error
	}{
		{"create by a frozen merchant", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Freezer.Freeze(f.e.St, f.mer, true)
			return f.mer, create("a")
		}, order.ErrFrozen},
		{"create without KYC", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.nobo, create("a")
		}, order.ErrNoKYC},
		{"create with expired KYC", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Attest(f.mer, c2ctest.Identity("m"), 2, f.e.Block.Time)
			return f.mer, create("a")
		}, order.ErrNoKYC},
		{"create with KYC below the merchant level", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.SetParam(order.ModuleName, order.ParamMerchantKYCLevel, 3)
			return f.mer, create("a")
		}, order.ErrNoKYC},
		{"create with a stale rate", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Block.Time += 24*3600*1000 + 1
			return f.mer, create("a")
		}, order.ErrRate},
		{"create in a currency without a rate", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgCreate{Currency: "GBP", FiatAmount: 100, MerchantRef: "a"}
		}, order.ErrRate},
		{"create in a currency the oracle does not quote", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgCreate{Currency: "XAU", FiatAmount: 100, MerchantRef: "a"}
		}, order.ErrRate},
		{"create above the merchant's KYC level limit", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Attest(f.mer, c2ctest.Identity("m"), 1, f.e.Block.Time+1e9) // level 1: 1 000 USDT
			return f.mer, &order.MsgCreate{Currency: "USD", FiatAmount: 1_000_01, MerchantRef: "a"}
		}, order.ErrKYCLimit},
		{"create below the minimum order", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgCreate{Currency: "USD", FiatAmount: 99, MerchantRef: "a"}
		}, order.ErrAmountTooSmall},
		{"create with a duplicate merchant ref (open)", func(t *testing.T, f *fx) (types.Address, msg) {
			f.locked(t)
			return f.mer, create("inv-1")
		}, order.ErrDuplicateRef},
		{"create with a duplicate merchant ref (completed)", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.paid(t)
			ok(t)(f.e.Exec(f.acc, &order.MsgConfirm{ID: id}))
			return f.mer, create("inv-1")
		}, order.ErrDuplicateRef},
		{"create with zero fiat amount", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgCreate{Currency: "USD", MerchantRef: "a"}
		}, order.ErrZeroFiat},
		{"create with a malformed currency", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgCreate{Currency: "usd", FiatAmount: 1, MerchantRef: "a"}
		}, order.ErrBadCurrency},
		{"create with a reference containing a space", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, create("inv 1")
		}, order.ErrBadRef},
		{"create with an empty reference", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, create("")
		}, order.ErrBadRef},

		{"mark paid by the acceptor", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &order.MsgMarkPaid{ID: f.locked(t), PaymentRef: paidRef}
		}, order.ErrNotMerchant},
		{"mark paid by a stranger", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.nobo, &order.MsgMarkPaid{ID: f.locked(t), PaymentRef: paidRef}
		}, order.ErrNotMerchant},
		{"mark paid twice", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgMarkPaid{ID: f.paid(t), PaymentRef: paidRef}
		}, order.ErrWrongState},
		{"mark paid a rejected order", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.mer, &order.MsgCreate{Currency: "JPY", FiatAmount: 10_000, MerchantRef: "jpy"}))
			return f.mer, &order.MsgMarkPaid{ID: order.OrderID(f.mer, "jpy"), PaymentRef: paidRef}
		}, order.ErrWrongState},
		{"mark paid after the payment deadline (timer not yet run)", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Block.Time = f.get(t, id).Deadline
			return f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: paidRef}
		}, order.ErrWindowClosed},
		{"mark paid after expiry", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Advance(f.params().PaymentWindow)
			return f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: paidRef}
		}, order.ErrWrongState},
		{"mark paid by a frozen merchant", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Freezer.Freeze(f.e.St, f.mer, true)
			return f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: paidRef}
		}, order.ErrFrozen},
		{"mark paid without a payment reference", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgMarkPaid{ID: f.locked(t)}
		}, order.ErrZeroPaymentRef},
		{"mark paid an unknown order", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgMarkPaid{ID: types.Keccak([]byte("nope")), PaymentRef: paidRef}
		}, order.ErrNotFound},
		{"mark paid with a zero ID", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgMarkPaid{PaymentRef: paidRef}
		}, order.ErrZeroID},

		{"confirm by the merchant", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgConfirm{ID: f.paid(t)}
		}, order.ErrNotAcceptor},
		{"confirm by a stranger", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.nobo, &order.MsgConfirm{ID: f.paid(t)}
		}, order.ErrNotAcceptor},
		{"confirm before paid", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &order.MsgConfirm{ID: f.locked(t)}
		}, order.ErrWrongState},
		{"confirm twice", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.paid(t)
			ok(t)(f.e.Exec(f.acc, &order.MsgConfirm{ID: id}))
			return f.acc, &order.MsgConfirm{ID: id}
		}, order.ErrWrongState},
		{"confirm a disputed order", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &order.MsgConfirm{ID: f.disputed(t)}
		}, order.ErrWrongState},
		{"confirm after the release deadline (timer not yet run)", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.paid(t)
			f.e.Block.Time = f.get(t, id).Deadline
			return f.acc, &order.MsgConfirm{ID: id}
		}, order.ErrWindowClosed},

		{"cancel by the acceptor", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &order.MsgCancel{ID: f.locked(t)}
		}, order.ErrNotMerchant},
		{"cancel after paid", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgCancel{ID: f.paid(t)}
		}, order.ErrWrongState},
		{"cancel after the payment deadline", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Block.Time = f.get(t, id).Deadline
			return f.mer, &order.MsgCancel{ID: id}
		}, order.ErrWindowClosed},
		{"fourth cancel of the day", func(t *testing.T, f *fx) (types.Address, msg) {
			for _, ref := range []string{"c1", "c2", "c3"} {
				ok(t)(f.e.Exec(f.mer, &order.MsgCancel{ID: f.create(t, ref)}))
			}
			return f.mer, &order.MsgCancel{ID: f.create(t, "c4")}
		}, order.ErrCancelLimit},

		{"extend by the merchant", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Advance(f.params().PaymentWindow - 60_000)
			return f.mer, &order.MsgExtend{ID: id}
		}, order.ErrNotAcceptor},
		{"extend with more than the threshold left", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Advance(f.params().PaymentWindow - f.params().ExtendThreshold)
			return f.acc, &order.MsgExtend{ID: id}
		}, order.ErrTooEarlyToExtend},
		{"extend twice", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Advance(f.params().PaymentWindow - 60_000)
			ok(t)(f.e.Exec(f.acc, &order.MsgExtend{ID: id}))
			f.e.Advance(f.params().ExtendBy)
			return f.acc, &order.MsgExtend{ID: id}
		}, order.ErrAlreadyExtended},
		{"extend after paid", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &order.MsgExtend{ID: f.paid(t)}
		}, order.ErrWrongState},
		{"extend by a frozen acceptor", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Advance(f.params().PaymentWindow - 60_000)
			f.e.Freezer.Freeze(f.e.St, f.acc, true)
			return f.acc, &order.MsgExtend{ID: id}
		}, order.ErrFrozen},
		{"extend at the deadline", func(t *testing.T, f *fx) (types.Address, msg) {
			id := f.locked(t)
			f.e.Block.Time = f.get(t, id).Deadline
			return f.acc, &order.MsgExtend{ID: id}
		}, order.ErrWindowClosed},

		{"dispute by a stranger", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.nobo, &order.MsgDispute{ID: f.paid(t)}
		}, order.ErrNotParty},
		{"dispute before paid", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &order.MsgDispute{ID: f.locked(t)}
		}, order.ErrWrongState},
		{"dispute twice", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &order.MsgDispute{ID: f.disputed(t)}
		}, order.ErrWrongState},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			sender, m := tc.setup(t, f)
			before := testkit.StateHash(f.e.St)
			_, err := f.e.Exec(sender, m)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if testkit.StateHash(f.e.St) != before {
				t.Fatal("a refused message changed state")
			}
			t.Log(err)
		})
	}
}

func TestResolveRefusals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, f *fx) types.Hash
		resolve func(k order.Keeper) func(*core.Context, types.Hash) error
		want    error
	}{
		{"release a paid order", func(t *testing.T, f *fx) types.Hash { return f.paid(t) },
			func(k order.Keeper) func(*core.Context, types.Hash) error { return k.ResolveRelease }, order.ErrWrongState},
		{"refund a locked order", func(t *testing.T, f *fx) types.Hash { return f.locked(t) },
			func(k order.Keeper) func(*core.Context, types.Hash) error { return k.ResolveRefund }, order.ErrWrongState},
		{"release twice", func(t *testing.T, f *fx) types.Hash {
			id := f.disputed(t)
			if _, err := f.e.Call(func(ctx *core.Context) error { return f.e.Order.ResolveRelease(ctx, id) }); err != nil {
				t.Fatal(err)
			}
			return id
		}, func(k order.Keeper) func(*core.Context, types.Hash) error { return k.ResolveRefund }, order.ErrWrongState},
		{"refund an unknown order", func(t *testing.T, f *fx) types.Hash { return types.Keccak([]byte("x")) },
			func(k order.Keeper) func(*core.Context, types.Hash) error { return k.ResolveRefund }, order.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			id := tc.setup(t, f)
			before := testkit.StateHash(f.e.St)
			_, err := f.e.Call(func(ctx *core.Context) error { return tc.resolve(f.e.Order)(ctx, id) })
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if testkit.StateHash(f.e.St) != before {
				t.Fatal("a refused resolution changed state")
			}
		})
	}
}

// TestIneligible checks that each eligibility rule keeps the only acceptor
// from being assigned: the order is REJECTED and nothing is locked.
func TestIneligible(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fx)
		cents uint64
	}{
		{"insufficient float", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.acc, &acceptor.MsgWithdrawFloat{Amount: 950 * usdt}))
		}, 100_00},
		{"margin too low for trailing volume plus the order", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.acc, &acceptor.MsgWithdrawMargin{Amount: 381 * usdt})) // 19 USDT < 20% of 100
		}, 100_00},
		{"frozen acceptor", func(t *testing.T, f *fx) { f.e.Freezer.Freeze(f.e.St, f.acc, true) }, 100_00},
		{"acceptor KYC expired", func(t *testing.T, f *fx) { f.e.Revoke(f.acc) }, 100_00},
		{"acceptor paused", func(t *testing.T, f *fx) { ok(t)(f.e.Exec(f.acc, &acceptor.MsgPause{})) }, 100_00},
		{"above the new acceptor's per-order limit", func(t *testing.T, f *fx) {}, 501_00},
		{"above the new acceptor's daily limit", func(t *testing.T, f *fx) {
			f.e.Fund(f.acc, 3_200*usdt)
			ok(t)(f.e.Exec(f.acc, &acceptor.MsgDepositFloat{Amount: 3_000 * usdt}))
			ok(t)(f.e.Exec(f.acc, &acceptor.MsgDepositMargin{Amount: 200 * usdt}))
			for _, ref := range []string{"b1", "b2", "b3", "b4"} { // 4 × 500 = the 2 000 USDT daily limit
				ok(t)(f.e.Exec(f.mer2, &order.MsgCreate{Currency: "USD", FiatAmount: 500_00, MerchantRef: ref}))
				if o, _ := f.e.Order.OrderByRef(f.e.St, f.mer2, ref); o.State != order.StateLocked {
					t.Fatalf("setup order %s %s", ref, o.State)
				}
				f.e.Advance(60_000)
			}
		}, 1_00},
		{"above the acceptor's KYC level limit", func(t *testing.T, f *fx) {
			f.e.Ramp()
			f.e.Fund(f.acc, 1_000*usdt)
			ok(t)(f.e.Exec(f.acc, &acceptor.MsgDepositFloat{Amount: 1_000 * usdt}))
			f.e.Attest(f.acc, f.acceptor(t, f.acc).Identity, 1, f.e.Block.Time+1e9) // level 1: 1 000 USDT
		}, 1_000_01},
		{"below the acceptor's own minimum", func(t *testing.T, f *fx) {
			ok(t)(f.e.Exec(f.acc, &acceptor.MsgUpdate{Currencies: []string{"USD"}, Methods: []acceptor.PaymentMethod{c2ctest.Method("USD", "x")}, MinOrder: 200 * usdt}))
		}, 100_00},
		{"merchant's own acceptor account", func(t *testing.T, f *fx) { f.mer = f.acc }, 100_00},
		{"acceptor of the merchant's identity", func(t *testing.T, f *fx) {
			rec := f.acceptor(t, f.acc)
			f.e.Attest(f.mer, rec.Identity, 2, f.e.Block.Time+1e9)
		}, 100_00},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			tc.setup(t, f)
			cents := tc.cents
			floatBefore := f.acceptor(t, f.acc).Float
			evs, err := f.e.Exec(f.mer, &order.MsgCreate{Currency: "USD", FiatAmount: cents, MerchantRef: "x"})
			if err != nil {
				t.Fatal(err)
			}
			if ev, ok := testkit.FindEvent(evs, order.EventRejected); !ok {
				t.Fatalf("not rejected: %v", eventTypes(evs))
			} else if ev.Get("reason") == "" {
				t.Fatal("rejection without reason")
			}
			if f.acceptor(t, f.acc).Float != floatBefore {
				t.Fatal("float moved")
			}
			if msg := f.e.Invariants(); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}
