package acceptor_test

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

const usdt = types.MicroPerUSDT

type msg = interface{ TxType() types.TxType }

var ok = testkit.OK

func get(t *testing.T, e *c2ctest.Env, a types.Address) *acceptor.Acceptor {
	t.Helper()
	rec, err := e.Acceptor.GetAcceptor(e.St, a)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func usd(label string) []acceptor.PaymentMethod {
	return []acceptor.PaymentMethod{c2ctest.Method("USD", label)}
}

func register(currencies []string, methods []acceptor.PaymentMethod) *acceptor.MsgRegister {
	return &acceptor.MsgRegister{Currencies: currencies, Methods: methods}
}

func TestRegister(t *testing.T) {
	e := c2ctest.NewEnv()
	a := c2ctest.Addr("a")
	e.KYCFor(a)
	methods := []acceptor.PaymentMethod{c2ctest.Method("EUR", "1"), c2ctest.Method("USD", "1"), c2ctest.Method("USD", "2")}
	evs, err := e.Exec(a, &acceptor.MsgRegister{Currencies: []string{"EUR", "USD"}, Methods: methods, MinOrder: 5 * usdt, MaxOrder: 300 * usdt})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Type != acceptor.EventRegistered || evs[0].Get("currencies") != "EUR,USD" {
		t.Fatalf("events %v", evs)
	}
	rec := get(t, e, a)
	if rec.Status != acceptor.StatusActive || rec.RegisteredAt != e.Block.Time || rec.Reputation != 300 || rec.MinOrder != 5*usdt || rec.MaxOrder != 300*usdt {
		t.Fatalf("record %+v", rec)
	}
	if att, _ := e.KYC.KYC(e.St, a); rec.Identity != att.RecordHash {
		t.Fatal("identity is not the KYC record hash")
	}
	for _, c := range []string{"EUR", "USD"} {
		if got := e.Acceptor.ActiveFor(e.St, c); len(got) != 1 || got[0] != a {
			t.Fatalf("index %s: %v", c, got)
		}
	}
	if m, ok := rec.MethodFor("USD"); !ok || m != methods[1].DetailsHash {
		t.Fatal("MethodFor")
	}
	if msg := e.Invariants(); msg != "" {
		t.Fatal(msg)
	}
}

func TestRegisterRefusals(t *testing.T) {
	m := c2ctest.Method
	h := types.Keccak([]byte("d"))
	tests := []struct {
		name  string
		setup func(e *c2ctest.Env, a types.Address)
		msg   *acceptor.MsgRegister
		want  error
	}{
		{"without KYC", func(e *c2ctest.Env, a types.Address) {}, register([]string{"USD"}, usd("1")), acceptor.ErrNoKYC},
		{"with expired KYC", func(e *c2ctest.Env, a types.Address) { e.Attest(a, c2ctest.Identity("a"), 2, e.Block.Time) },
			register([]string{"USD"}, usd("1")), acceptor.ErrNoKYC},
		{"with revoked KYC", func(e *c2ctest.Env, a types.Address) { e.KYCFor(a); e.Revoke(a) },
			register([]string{"USD"}, usd("1")), acceptor.ErrNoKYC},
		{"with KYC below min_kyc_level", func(e *c2ctest.Env, a types.Address) {
			e.KYCFor(a)
			e.SetParam(acceptor.ModuleName, acceptor.ParamMinKYCLevel, 3)
		}, register([]string{"USD"}, usd("1")), acceptor.ErrNoKYC},
		{"frozen", func(e *c2ctest.Env, a types.Address) { e.KYCFor(a); e.Freezer.Freeze(e.St, a, true) },
			register([]string{"USD"}, usd("1")), acceptor.ErrFrozen},
		{"twice", func(e *c2ctest.Env, a types.Address) {
			e.KYCFor(a)
			ok(t)(e.Exec(a, register([]string{"USD"}, usd("1"))))
		}, register([]string{"USD"}, usd("1")), acceptor.ErrAlreadyRegistered},
		{"a currency the oracle does not quote", func(e *c2ctest.Env, a types.Address) { e.KYCFor(a) },
			register([]string{"XAU"}, []acceptor.PaymentMethod{m("XAU", "1")}), acceptor.ErrBadCurrency},
		{"no currencies", nil, register(nil, usd("1")), acceptor.ErrNoCurrencies},
		{"lower-case currency", nil, register([]string{"usd"}, []acceptor.PaymentMethod{m("usd", "1")}), acceptor.ErrBadCurrency},
		{"unsorted currencies", nil, register([]string{"USD", "EUR"}, []acceptor.PaymentMethod{m("USD", "1"), m("EUR", "1")}), acceptor.ErrCurrencyOrder},
		{"duplicate currency", nil, register([]string{"USD", "USD"}, usd("1")), acceptor.ErrCurrencyOrder},
		{"24 currencies", nil, func() *acceptor.MsgRegister {
			var cs []string
			var ms []acceptor.PaymentMethod
			for i := 0; i < 24; i++ {
				c := string([]byte{'A', 'A' + byte(i), 'A'})
				cs = append(cs, c)
				ms = append(ms, m(c, "1"))
			}
			return register(cs, ms)
		}(), acceptor.ErrTooManyCurrencies},
		{"no methods", nil, register([]string{"USD"}, nil), acceptor.ErrMissingMethod},
		{"a currency without a method", nil, register([]string{"EUR", "USD"}, usd("1")), acceptor.ErrMissingMethod},
		{"a method for an unlisted currency", nil, register([]string{"USD"}, []acceptor.PaymentMethod{m("USD", "1"), m("EUR", "1")}), acceptor.ErrBadMethod},
		{"a zero details hash", nil, register([]string{"USD"}, []acceptor.PaymentMethod{{Currency: "USD", Kind: "sepa"}}), acceptor.ErrBadMethod},
		{"a malformed kind", nil, register([]string{"USD"}, []acceptor.PaymentMethod{{Currency: "USD", Kind: "Bank Transfer", DetailsHash: h}}), acceptor.ErrBadMethod},
		{"a duplicate method", nil, register([]string{"USD"}, []acceptor.PaymentMethod{m("USD", "1"), m("USD", "1")}), acceptor.ErrBadMethod},
		{"17 methods", nil, func() *acceptor.MsgRegister {
			var ms []acceptor.PaymentMethod
			for i := 0; i < 17; i++ {
				ms = append(ms, m("USD", string(rune('a'+i))))
			}
			return register([]string{"USD"}, ms)
		}(), acceptor.ErrTooManyMethods},
		{"max below min", nil, &acceptor.MsgRegister{Currencies: []string{"USD"}, Methods: usd("1"), MinOrder: 10, MaxOrder: 9}, acceptor.ErrBadOrderBounds},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := c2ctest.NewEnv()
			a := c2ctest.Addr("a")
			if tc.setup != nil {
				tc.setup(e, a)
			} else {
				e.KYCFor(a)
			}
			testkit.Refused(t, e.St, tc.want, func() error { _, err := e.Exec(a, tc.msg); return err })
		})
	}
}

// fx is a registered acceptor with 1 000 USDT float and 400 margin, a
// merchant, and 10 000 USDT more in the acceptor's account.
type fx struct {
	e        *c2ctest.Env
	acc, mer types.Address
}

func newFx(t *testing.T) *fx {
	f := &fx{e: c2ctest.NewEnv(), acc: c2ctest.Addr("acc"), mer: c2ctest.Addr("mer")}
	f.e.NewAcceptor(f.acc, c2ctest.AcceptorSpec{Float: 1_000 * usdt, Margin: 400 * usdt})
	f.e.Fund(f.acc, 10_000*usdt)
	f.e.NewMerchant(f.mer)
	return f
}

// order creates a USD order of cents and returns it.
func (f *fx) order(t *testing.T, ref string, cents uint64) *order.Order {
	t.Helper()
	ok(t)(f.e.Exec(f.mer, &order.MsgCreate{Currency: "USD", FiatAmount: cents, MerchantRef: ref}))
	o, err := f.e.Order.OrderByRef(f.e.St, f.mer, ref)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestFunds(t *testing.T) {
	tests := []struct {
		name  string
		run   func(t *testing.T, f *fx) (types.Address, msg)
		want  error
		event string
		check func(t *testing.T, f *fx)
	}{
		{"deposit float", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &acceptor.MsgDepositFloat{Amount: 500 * usdt}
		}, nil, acceptor.EventFloatDeposited, func(t *testing.T, f *fx) {
			if get(t, f.e, f.acc).Float != 1_500*usdt || f.e.Bank.Balance(f.e.St, f.acc) != 9_500*usdt+1 {
				t.Fatal("float not moved")
			}
		}},
		{"withdraw float", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &acceptor.MsgWithdrawFloat{Amount: 1_000 * usdt}
		}, nil, acceptor.EventFloatWithdrawn, func(t *testing.T, f *fx) {
			if get(t, f.e, f.acc).Float != 0 || f.e.Bank.Balance(f.e.St, f.acc) != 11_000*usdt+1 {
				t.Fatal("float not moved")
			}
		}},
		{"deposit margin", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &acceptor.MsgDepositMargin{Amount: 100 * usdt}
		}, nil, acceptor.EventMarginDeposited, func(t *testing.T, f *fx) {
			if get(t, f.e, f.acc).Margin != 500*usdt {
				t.Fatal("margin not moved")
			}
		}},
		{"withdraw margin down to the trailing-volume requirement", func(t *testing.T, f *fx) (types.Address, msg) {
			f.order(t, "o", 500_00) // needs 100 USDT margin
			return f.acc, &acceptor.MsgWithdrawMargin{Amount: 300 * usdt}
		}, nil, acceptor.EventMarginWithdrawn, func(t *testing.T, f *fx) {
			if get(t, f.e, f.acc).Margin != 100*usdt {
				t.Fatal("margin not moved")
			}
		}},
		{"withdraw float locked in an order is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			f.order(t, "o", 500_00)
			return f.acc, &acceptor.MsgWithdrawFloat{Amount: 500*usdt + 1}
		}, acceptor.ErrInsufficientFloat, "", nil},
		{"withdraw margin below the trailing-volume requirement is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			f.order(t, "o", 500_00)
			return f.acc, &acceptor.MsgWithdrawMargin{Amount: 300*usdt + 1}
		}, acceptor.ErrMarginTooLow, "", nil},
		{"withdraw more margin than held is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &acceptor.MsgWithdrawMargin{Amount: 400*usdt + 1}
		}, acceptor.ErrInsufficientMargin, "", nil},
		{"withdraw margin with an open dispute is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			o := f.order(t, "o", 10_00)
			ok(t)(f.e.Exec(f.mer, &order.MsgMarkPaid{ID: o.ID, PaymentRef: types.Keccak([]byte("p"))}))
			ok(t)(f.e.Exec(f.mer, &order.MsgDispute{ID: o.ID}))
			return f.acc, &acceptor.MsgWithdrawMargin{Amount: 1}
		}, acceptor.ErrOpenDisputes, "", nil},
		{"deposit beyond the balance is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &acceptor.MsgDepositFloat{Amount: 10_000*usdt + 2}
		}, bank.ErrInsufficientFunds, "", nil},
		{"deposit by a stranger is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &acceptor.MsgDepositFloat{Amount: 1}
		}, acceptor.ErrNotRegistered, "", nil},
		{"withdrawal by a frozen acceptor is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			f.e.Freezer.Freeze(f.e.St, f.acc, true)
			return f.acc, &acceptor.MsgWithdrawFloat{Amount: 1}
		}, acceptor.ErrFrozen, "", nil},
		{"a zero deposit is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &acceptor.MsgDepositMargin{}
		}, acceptor.ErrZeroAmount, "", nil},
		{"pause", func(t *testing.T, f *fx) (types.Address, msg) { return f.acc, &acceptor.MsgPause{} },
			nil, acceptor.EventPaused, func(t *testing.T, f *fx) {
				if get(t, f.e, f.acc).Status != acceptor.StatusPaused || len(f.e.Acceptor.ActiveFor(f.e.St, "USD")) != 0 {
					t.Fatal("still active")
				}
			}},
		{"pause twice is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.acc, &acceptor.MsgPause{}))
			return f.acc, &acceptor.MsgPause{}
		}, acceptor.ErrPaused, "", nil},
		{"resume", func(t *testing.T, f *fx) (types.Address, msg) {
			ok(t)(f.e.Exec(f.acc, &acceptor.MsgPause{}))
			return f.acc, &acceptor.MsgResume{}
		}, nil, acceptor.EventResumed, func(t *testing.T, f *fx) {
			if len(f.e.Acceptor.ActiveFor(f.e.St, "USD")) != 1 {
				t.Fatal("not re-indexed")
			}
		}},
		{"resume an active acceptor is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &acceptor.MsgResume{}
		}, acceptor.ErrNotPaused, "", nil},
		{"update currencies and methods", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.acc, &acceptor.MsgUpdate{Currencies: []string{"EUR", "JPY"},
				Methods: []acceptor.PaymentMethod{c2ctest.Method("EUR", "x"), c2ctest.Method("JPY", "y")}, MaxOrder: 100 * usdt}
		}, nil, acceptor.EventUpdated, func(t *testing.T, f *fx) {
			if len(f.e.Acceptor.ActiveFor(f.e.St, "USD")) != 0 || len(f.e.Acceptor.ActiveFor(f.e.St, "JPY")) != 1 {
				t.Fatal("index not updated")
			}
		}},
		{"update by a stranger is refused", func(t *testing.T, f *fx) (types.Address, msg) {
			return f.mer, &acceptor.MsgUpdate{Currencies: []string{"USD"}, Methods: usd("x")}
		}, acceptor.ErrNotRegistered, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			sender, m := tc.run(t, f)
			before := testkit.StateHash(f.e.St)
			evs, err := f.e.Exec(sender, m)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				if testkit.StateHash(f.e.St) != before {
					t.Fatal("refused message changed state")
				}
				return
			}
			if len(evs) == 0 || evs[len(evs)-1].Type != tc.event {
				t.Fatalf("events %v, want %s", evs, tc.event)
			}
			if tc.check != nil {
				tc.check(t, f)
			}
			if msg := f.e.Invariants(); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

// TestMarginWindow: assigned volume counts for 24 hourly buckets of block
// time, so the margin rule blocks a fourth order within the day and frees
// up when the first hour's bucket leaves the window.
func TestMarginWindow(t *testing.T) {
	f := newFx(t)
	f.e.Ramp()
	ok(t)(f.e.Exec(f.acc, &acceptor.MsgWithdrawMargin{Amount: 100 * usdt})) // 300 margin: 1 500 USDT of volume
	hourMs := uint64(3600 * 1000)
	start := f.e.Block.Time - f.e.Block.Time%hourMs // align to an hour
	f.e.Block.Time = start
	f.e.PostRates()
	for i, ref := range []string{"a", "b", "c"} {
		if o := f.order(t, ref, 500_00); o.State != order.StateLocked {
			t.Fatalf("order %d %s", i, o.State)
		}
		ok(t)(f.e.Exec(f.mer, &order.MsgCancel{ID: order.OrderID(f.mer, ref)})) // volume stays booked
		f.e.Advance(hourMs)
		f.e.PostRates()
	}
	// 1 500 booked: a 1 USDT more needs 300.2 margin.
	if o := f.order(t, "d", 1_00); o.State != order.StateRejected {
		t.Fatalf("fourth order %s, want REJECTED (margin)", o.State)
	}
	if err := f.e.Acceptor.CheckEligible(f.e.St, f.acc, "USD", 1*usdt, f.e.Block.Time); !errors.Is(err, acceptor.ErrMarginTooLow) {
		t.Fatalf("CheckEligible: %v", err)
	}
	// 24 h after the first order its bucket leaves the window.
	f.e.Block.Time = start + 24*hourMs - 1
	f.e.PostRates()
	if v := get(t, f.e, f.acc).Volume24h(f.e.Block.Time); v != 1_500*usdt {
		t.Fatalf("volume just before 24h: %d", v)
	}
	f.e.Block.Time = start + 24*hourMs
	f.e.PostRates()
	if v := get(t, f.e, f.acc).Volume24h(f.e.Block.Time); v != 1_000*usdt {
		t.Fatalf("volume at 24h: %d", v)
	}
	f.e.SetParam(order.ModuleName, order.ParamMaxCancelsPerDay, 10)
	if o := f.order(t, "e", 500_00); o.State != order.StateLocked {
		t.Fatalf("order after the window moved: %s", o.State)
	}
	if msg := f.e.Invariants(); msg != "" {
		t.Fatal(msg)
	}
}

func TestRamp(t *testing.T) {
	p := acceptor.DefaultParams()
	a := &acceptor.Acceptor{RegisteredAt: 0, Reputation: 300}
	day := uint64(24 * 3600 * 1000)
	for _, tc := range []struct {
		name         string
		age          uint64
		credited     uint64
		order, daily uint64
	}{
		{"brand new", 0, 0, 500 * usdt, 2_000 * usdt},
		{"old but no completions", 60 * day, 0, 500 * usdt, 2_000 * usdt},
		{"many completions but new", 0, 500, 500 * usdt, 2_000 * usdt},
		{"half way on both", 15 * day, 50, 25_250 * usdt, 501_000 * usdt},
		{"age is the lagging side", 3 * day, 100, 5_450 * usdt, 101_800 * usdt},
		{"fully ramped", 30 * day, 100, 50_000 * usdt, 1_000_000 * usdt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.Stats.Credited = tc.credited
			l := acceptor.LimitsOf(p, a, tc.age)
			if l.Order != tc.order || l.Daily != tc.daily {
				t.Fatalf("limits %d/%d, want %d/%d", l.Order, l.Daily, tc.order, tc.daily)
			}
		})
	}
}

func TestReputationScalesOrderLimit(t *testing.T) {
	p := acceptor.DefaultParams()
	p.RampAge, p.RampOrders = 0, 0
	for _, tc := range []struct{ rep, want uint64 }{
		{0, 25_000 * usdt}, {150, 37_500 * usdt}, {299, 49_915 * usdt}, {300, 50_000 * usdt}, {900, 50_000 * usdt},
	} {
		a := &acceptor.Acceptor{Reputation: tc.rep}
		if l := acceptor.LimitsOf(p, a, 0); l.Order != tc.want || l.Daily != 1_000_000*usdt {
			t.Errorf("reputation %d: limits %d/%d, want %d", tc.rep, l.Order, l.Daily, tc.want)
		}
	}
}

func TestRequiredMargin(t *testing.T) {
	for _, tc := range []struct{ vol, bps, want uint64 }{
		{0, 2000, 0}, {100, 2000, 20}, {101, 2000, 21}, {5, 2000, 1}, {1_000 * usdt, 2000, 200 * usdt},
		{^uint64(0), 2000, ^uint64(0) / 5}, {^uint64(0) - 1, 2000, ^uint64(0) / 5}, {^uint64(0), 100_000, ^uint64(0)},
	} {
		if got := acceptor.RequiredMargin(tc.vol, tc.bps); got != tc.want {
			t.Errorf("RequiredMargin(%d, %d) = %d, want %d", tc.vol, tc.bps, got, tc.want)
		}
	}
}

func TestScore(t *testing.T) {
	p := acceptor.DefaultParams()
	min := uint64(60 * 1000)
	fifteen := func(v uint64) []uint64 {
		s := make([]uint64, 15)
		for i := range s {
			s[i] = v
		}
		return s
	}
	for _, tc := range []struct {
		name string
		s    acceptor.Stats
		want uint64
	}{
		{"new", acceptor.Stats{}, 300},
		{"one fast completion", acceptor.Stats{Credited: 1, Counterparties: 1, ReleaseTimes: []uint64{min}}, 19 + 160 + 163},
		{"doc example", acceptor.Stats{Credited: 200, Counterparties: 20, ReleaseTimes: fifteen(min)}, 200 + 300 + 292},
		{"slow releases", acceptor.Stats{Credited: 200, Counterparties: 20, ReleaseTimes: fifteen(30 * min)}, 200 + 0 + 292},
		{"median between fast and slow", acceptor.Stats{ReleaseTimes: fifteen(16 * min)}, 0 + 150 + 150},
		{"expiries", acceptor.Stats{Credited: 10, Counterparties: 10, Expired: 10}, 133 + 150 + 150},
		{"lost disputes weigh 4×", acceptor.Stats{Credited: 10, Counterparties: 10, DisputesLost: 5}, 133 + 150 + 112},
		{"won disputes count as good", acceptor.Stats{DisputesWon: 5}, 0 + 150 + 200},
		{"many counterparties", acceptor.Stats{Credited: 100_000, Counterparties: 100_000, ReleaseTimes: fifteen(0)}, 399 + 300 + 299},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := acceptor.Score(p, tc.s); got != tc.want {
				t.Fatalf("Score = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWeight(t *testing.T) {
	p := acceptor.DefaultParams()
	for _, tc := range []struct{ rep, float, want uint64 }{
		{300, 0, 400}, {300, 999_999, 400}, {300, 1 * usdt, 800}, {300, 3 * usdt, 800}, {300, 4 * usdt, 1200},
		{0, 10_000 * usdt, 100 * 101}, {1000, 1_000_000 * usdt, 1100 * 1001},
		{1000, ^uint64(0), 1100 * (4_294_967 + 1)},
	} {
		if got := acceptor.Weight(p, tc.rep, tc.float); got != tc.want {
			t.Errorf("Weight(%d, %d) = %d, want %d", tc.rep, tc.float, got, tc.want)
		}
	}
}

// TestCredit: completions earn reputation only from KYC'd counterparties of
// another identity, each capped.
func TestCredit(t *testing.T) {
	e := c2ctest.NewEnv()
	a := c2ctest.Addr("acc")
	e.NewAcceptor(a, c2ctest.AcceptorSpec{Float: 100 * usdt, Margin: 100 * usdt})
	e.SetParam(acceptor.ModuleName, acceptor.ParamRepCounterpartyCap, 2)
	own := get(t, e, a).Identity
	linked, m1, m2, anon := c2ctest.Addr("linked"), c2ctest.Addr("m1"), c2ctest.Addr("m2"), c2ctest.Addr("anon")
	e.Attest(linked, own, 2, e.Block.Time+1e9) // another account of the acceptor's own identity
	e.KYCFor(m1)
	e.KYCFor(m2)
	complete := func(m types.Address, release uint64) {
		t.Helper()
		ok(t)(e.Call(func(ctx *core.Context) error { return e.Acceptor.RecordCompletion(ctx, a, m, release) }))
	}
	complete(linked, 1)
	complete(anon, 1)
	if s := get(t, e, a).Stats; s.Completed != 2 || s.Credited != 0 || s.Counterparties != 0 || len(s.ReleaseTimes) != 0 {
		t.Fatalf("wash/anonymous trades credited: %+v", s)
	}
	if r := get(t, e, a).Reputation; r != 300 {
		t.Fatalf("reputation moved to %d without credit", r)
	}
	for i := 0; i < 3; i++ {
		complete(m1, 1000)
	}
	complete(m2, 2000)
	s := get(t, e, a).Stats
	if s.Completed != 6 || s.Credited != 3 || s.Counterparties != 2 || len(s.ReleaseTimes) != 3 {
		t.Fatalf("stats %+v", s)
	}
	if n := e.Acceptor.CounterpartyCredits(e.St, a, types.Keccak([]byte("identity"), m1[:])); n != 2 {
		t.Fatalf("m1 credited %d times, cap 2", n)
	}
	if r := get(t, e, a).Reputation; r != acceptor.Score(e.Acceptor.Params(e.St), s) {
		t.Fatal("stored reputation is not the score")
	}
}

// TestEligibleOrder: Eligible lists candidates in address order with their
// weights and leaves out each ineligible one.
func TestEligibleOrder(t *testing.T) {
	e := c2ctest.NewEnv()
	e.Ramp()
	var addrs []types.Address
	for _, n := range []string{"x", "y", "z", "w"} {
		a := c2ctest.Addr(n)
		addrs = append(addrs, a)
		e.NewAcceptor(a, c2ctest.AcceptorSpec{Float: 100 * usdt, Margin: 100 * usdt})
	}
	e.Freezer.Freeze(e.St, addrs[3], true)
	c, err := e.Acceptor.Eligible(e.St, "USD", 10*usdt, e.Block.Time, acceptor.Exclude{Address: addrs[2]})
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != 2 {
		t.Fatalf("%d candidates, want 2", len(c))
	}
	if c[0].Address.Cmp(c[1].Address) >= 0 {
		t.Fatal("not in address order")
	}
	for _, x := range c {
		if x.Weight != acceptor.Weight(e.Acceptor.Params(e.St), 300, 100*usdt) {
			t.Fatalf("weight %d", x.Weight)
		}
	}
}
