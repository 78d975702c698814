package risk_test

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

type fx struct {
	e        *env
	acc, mer types.Address
}

func newFx(t *testing.T) *fx {
	f := &fx{e: newEnv(), acc: c2ctest.Addr("acc"), mer: c2ctest.Addr("mer")}
	f.e.NewAcceptor(f.acc, c2ctest.AcceptorSpec{Float: 10_000 * usdt, Margin: 5_000 * usdt})
	f.e.NewMerchant(f.mer)
	return f
}

func (f *fx) set(key string, v uint64) { f.e.SetParam(risk.ModuleName, key, v) }

func (f *fx) mustCreate(t *testing.T, usd uint64) (types.Hash, []types.Event) {
	t.Helper()
	id, evs, err := f.e.create(t, f.mer, usd)
	if err != nil {
		t.Fatal(err)
	}
	return id, evs
}

// TestRules: each rule, driven to its threshold, records one hit with its
// figures, and freezes exactly when its flag says so.
func TestRules(t *testing.T) {
	cases := []struct {
		name    string
		run     func(t *testing.T, f *fx) []types.Event // returns the events of the triggering step
		account func(f *fx) types.Address
		rule    string
		value   uint64
		thresh  uint64
		freeze  bool
	}{
		{"velocity: the third order in an hour", func(t *testing.T, f *fx) []types.Event {
			f.set(risk.ParamVelocityMax, 2)
			f.mustCreate(t, 10)
			f.mustCreate(t, 10)
			_, evs := f.mustCreate(t, 10)
			return evs
		}, func(f *fx) types.Address { return f.mer }, risk.RuleVelocity, 3, 2, true},
		{"volume: an acceptor over its daily volume", func(t *testing.T, f *fx) []types.Event {
			f.set(risk.ParamVolumeMax, 150*usdt)
			f.mustCreate(t, 100)
			_, evs := f.mustCreate(t, 100)
			return evs
		}, func(f *fx) types.Address { return f.acc }, risk.RuleVolume, 200 * usdt, 150 * usdt, false},
		{"new account: a large first order", func(t *testing.T, f *fx) []types.Event {
			f.set(risk.ParamNewLarge, 50*usdt)
			f.set(risk.ParamNewFreeze, 1)
			_, evs := f.mustCreate(t, 60)
			return evs
		}, func(f *fx) types.Address { return f.mer }, risk.RuleNewAccount, 60 * usdt, 50 * usdt, true},
		{"pair: the same pair twice a day", func(t *testing.T, f *fx) []types.Event {
			f.set(risk.ParamPairMax, 1)
			f.mustCreate(t, 10)
			_, evs := f.mustCreate(t, 10)
			return evs
		}, func(f *fx) types.Address { return f.acc }, risk.RulePair, 2, 1, false},
		{"structuring: amounts just under the threshold", func(t *testing.T, f *fx) []types.Event {
			f.set(risk.ParamReportThreshold, 100*usdt)
			f.set(risk.ParamStructMax, 1)
			f.mustCreate(t, 95)
			f.mustCreate(t, 50) // outside the band: not counted
			_, evs := f.mustCreate(t, 91)
			return evs
		}, func(f *fx) types.Address { return f.mer }, risk.RuleStructuring, 2, 1, true},
		{"expiry ratio: the merchant's orders expire", func(t *testing.T, f *fx) []types.Event {
			f.set(risk.ParamWindow, 2)
			f.set(risk.ParamExpiryFreeze, 1)
			f.mustCreate(t, 10)
			f.mustCreate(t, 10)
			return f.e.Advance(f.e.Order.Params(f.e.St).PaymentWindow)
		}, func(f *fx) types.Address { return f.mer }, risk.RuleExpiry, 10_000, 5000, true},
		{"dispute loss ratio: the merchant loses", func(t *testing.T, f *fx) []types.Event {
			f.set(risk.ParamWindow, 1)
			id, _ := f.mustCreate(t, 10)
			if _, err := f.e.Exec(f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: id}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.e.Exec(f.mer, &order.MsgDispute{ID: id}); err != nil {
				t.Fatal(err)
			}
			evs, err := f.e.Call(func(ctx *core.Context) error { return f.e.Order.ResolveRefund(ctx, id) })
			if err != nil {
				t.Fatal(err)
			}
			return evs
		}, func(f *fx) types.Address { return f.mer }, risk.RuleLoss, 10_000, 3000, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			evs := tc.run(t, f)
			a := tc.account(f)
			ok := false
			for _, ev := range evs {
				ok = ok || (ev.Type == risk.EventHit && ev.Get("rule") == tc.rule && ev.Get("account") == a.Hex())
			}
			if !ok {
				t.Fatalf("no %s hit on %s in %v", tc.rule, a.Hex(), evs)
			}
			stored, err := f.e.R.Events(f.e.St, a, 0, 0)
			if err != nil || len(stored) == 0 {
				t.Fatalf("stored events %v %v", stored, err)
			}
			last := stored[len(stored)-1]
			if last.Rule != tc.rule || last.Value != tc.value || last.Threshold != tc.thresh || last.Froze != tc.freeze {
				t.Fatalf("stored %+v, want %s %d > %d freeze %v", last, tc.rule, tc.value, tc.thresh, tc.freeze)
			}
			if got := f.e.R.IsFrozen(f.e.St, a); got != tc.freeze {
				t.Fatalf("frozen %v, want %v", got, tc.freeze)
			}
			if _, ok := testkit.FindEvent(evs, risk.EventFrozen); ok != tc.freeze {
				t.Fatalf("frozen event %v, want %v", ok, tc.freeze)
			}
			if msg := f.e.invariants(); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

// TestRuleHitsOnce: a count rule records its crossing once per bucket and
// again in the next bucket.
func TestRuleHitsOnce(t *testing.T) {
	f := newFx(t)
	f.set(risk.ParamVelocityMax, 1)
	f.set(risk.ParamVelocityFreeze, 0)
	for i := 0; i < 4; i++ {
		f.mustCreate(t, 10)
	}
	if evs, _ := f.e.R.Events(f.e.St, f.mer, 0, 0); len(evs) != 1 {
		t.Fatalf("%d events in one hour", len(evs))
	}
	f.e.Advance(hour)
	f.e.PostRates()
	f.mustCreate(t, 10)
	f.mustCreate(t, 10)
	if evs, _ := f.e.R.Events(f.e.St, f.mer, 0, 0); len(evs) != 2 {
		t.Fatalf("%d events over two hours", len(evs))
	}
}

// TestFrozenActions: a frozen account tries each action it may not take.
func TestFrozenActions(t *testing.T) {
	f := newFx(t)
	f.set(risk.ParamVelocityMax, 1)
	id, _ := f.mustCreate(t, 10)
	f.mustCreate(t, 10) // freezes the merchant
	if !f.e.R.IsFrozen(f.e.St, f.mer) {
		t.Fatal("merchant not frozen")
	}
	before := testkit.StateHash(f.e.St)
	if _, _, err := f.e.create(t, f.mer, 10); !errors.Is(err, order.ErrFrozen) {
		t.Fatalf("frozen merchant creates: %v", err)
	}
	if _, err := f.e.Exec(f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: id}); !errors.Is(err, order.ErrFrozen) {
		t.Fatalf("frozen merchant marks paid: %v", err)
	}
	if testkit.StateHash(f.e.St) != before {
		t.Fatal("refused actions changed state")
	}
	// A frozen acceptor can neither move its funds nor be assigned.
	f.set(risk.ParamPairMax, 1)
	f.set(risk.ParamPairFreeze, 1)
	mer2 := c2ctest.Addr("mer2")
	f.e.NewMerchant(mer2)
	f.e.create(t, mer2, 10)
	if _, _, err := f.e.create(t, mer2, 10); err != nil {
		t.Fatal(err)
	}
	if !f.e.R.IsFrozen(f.e.St, f.acc) {
		t.Fatal("acceptor not frozen by the pair rule")
	}
	if _, err := f.e.Exec(f.acc, &acceptor.MsgWithdrawFloat{Amount: usdt}); !errors.Is(err, acceptor.ErrFrozen) {
		t.Fatalf("frozen acceptor withdraws: %v", err)
	}
	mer3 := c2ctest.Addr("mer3")
	f.e.NewMerchant(mer3)
	oid, evs, err := f.e.create(t, mer3, 10)
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := f.e.Order.GetOrder(f.e.St, oid); o.State != order.StateRejected {
		t.Fatalf("order to a frozen acceptor: %s %v", o.State, evs)
	}
	// A frozen account's bank transfer is refused before it runs.
	f.e.Fund(f.mer, usdt)
	tx := &types.Tx{Type: bank.TypeTransfer}
	ctx := f.e.Ctx(f.mer)
	if err := f.e.R.Ante(ctx, tx); !errors.Is(err, risk.ErrFrozen) {
		t.Fatalf("ante: %v", err)
	}
	if !f.e.R.IsFrozen(f.e.St, mer2) {
		t.Fatal("the pair rule froze the acceptor but not the merchant")
	}
	if err := f.e.R.Ante(f.e.Ctx(c2ctest.Addr("someone")), tx); err != nil {
		t.Fatalf("ante for an unfrozen sender: %v", err)
	}
	if err := f.e.R.Ante(ctx, &types.Tx{Type: order.TypeConfirm}); err != nil {
		t.Fatalf("ante for a non-transfer: %v", err)
	}
	if msg := f.e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

// TestUnfreeze: only compliance, only a frozen account, with a reason;
// the account acts again and its record explains both.
func TestUnfreeze(t *testing.T) {
	f := newFx(t)
	f.set(risk.ParamVelocityMax, 1)
	f.mustCreate(t, 10)
	f.mustCreate(t, 10)
	reason := types.Keccak([]byte("case 17: merchant verified"))
	for _, tc := range []struct {
		name string
		from types.Address
		m    *risk.MsgUnfreeze
		want error
	}{
		{"by a non-officer", f.acc, &risk.MsgUnfreeze{Account: f.mer, Reason: reason}, risk.ErrNotCompliance},
		{"of an unfrozen account", officer, &risk.MsgUnfreeze{Account: f.acc, Reason: reason}, risk.ErrNotFrozen},
		{"without a reason", officer, &risk.MsgUnfreeze{Account: f.mer}, risk.ErrZeroReason},
		{"without an account", officer, &risk.MsgUnfreeze{Reason: reason}, risk.ErrZeroAccount},
		{"by an officer", officer, &risk.MsgUnfreeze{Account: f.mer, Reason: reason}, nil},
		{"twice", officer, &risk.MsgUnfreeze{Account: f.mer, Reason: reason}, risk.ErrNotFrozen},
	} {
		before := testkit.StateHash(f.e.St)
		_, err := f.e.Exec(tc.from, tc.m)
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.name, err, tc.want)
		}
		if err != nil && testkit.StateHash(f.e.St) != before {
			t.Fatalf("%s: refused unfreeze changed state", tc.name)
		}
	}
	if f.e.R.IsFrozen(f.e.St, f.mer) {
		t.Fatal("still frozen")
	}
	f.set(risk.ParamVelocityMax, 100)
	f.mustCreate(t, 10)
	evs, _ := f.e.R.Events(f.e.St, f.mer, 0, 0)
	if len(evs) != 2 || evs[0].Rule != risk.RuleVelocity || !evs[0].Froze || evs[1].Rule != risk.RuleUnfreeze ||
		evs[1].Officer != officer || evs[1].Reason != reason {
		t.Fatalf("record %+v", evs)
	}
	if msg := f.e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

// TestEventsBounded: an account keeps at most max_events_per_account.
func TestEventsBounded(t *testing.T) {
	f := newFx(t)
	f.set(risk.ParamMaxEventsAccount, 2)
	for i := 0; i < 5; i++ {
		if _, err := f.e.Call(func(ctx *core.Context) error {
			return f.e.R.RecordDisputeLoss(ctx, f.mer, types.Keccak([]byte{byte(i)}))
		}); err != nil {
			t.Fatal(err)
		}
	}
	evs, _ := f.e.R.Events(f.e.St, f.mer, 0, 0)
	if len(evs) != 2 || evs[1].Value != 5 || evs[1].Rule != risk.RuleDisputeMark || f.e.R.GetProfile(f.e.St, f.mer).Marks != 5 {
		t.Fatalf("events %+v", evs)
	}
	if msg := f.e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

func TestParams(t *testing.T) {
	p := risk.DefaultParams()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	p.VelocityFreeze = 2
	if err := p.Validate(); !errors.Is(err, risk.ErrBadParam) {
		t.Fatalf("freeze flag 2: %v", err)
	}
	if len(risk.ParamSpecs()) != len(risk.ParamBounds()) {
		t.Fatal("specs and bounds differ")
	}
}

// TestFreezeEventKept: pruning an account's events never drops the one
// that explains its active freeze.
func TestFreezeEventKept(t *testing.T) {
	f := newFx(t)
	f.set(risk.ParamMaxEventsAccount, 2)
	f.set(risk.ParamVelocityMax, 1)
	f.mustCreate(t, 10)
	f.mustCreate(t, 10) // velocity hit: frozen, event 1
	for i := 0; i < 4; i++ {
		if _, err := f.e.Call(func(ctx *core.Context) error {
			return f.e.R.RecordDisputeLoss(ctx, f.mer, types.Keccak([]byte{byte(i)}))
		}); err != nil {
			t.Fatal(err)
		}
	}
	evs, _ := f.e.R.Events(f.e.St, f.mer, 0, 0)
	if len(evs) != 2 || evs[0].Rule != risk.RuleVelocity || !evs[0].Froze || evs[1].Value != 4 {
		t.Fatalf("events %+v", evs)
	}
	if msg := f.e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

// TestFreezePausesOrders: an account auto-frozen by the velocity rule has
// both its orders paused in the freezing transaction (the triggering one
// too); they outlive their payment window while it is frozen, continue
// with the time they had left after the compliance unfreeze, and
// complete.
func TestFreezePausesOrders(t *testing.T) {
	f := newFx(t)
	f.set(risk.ParamVelocityMax, 1)
	first, _ := f.mustCreate(t, 10)
	f.e.Advance(60_000)
	second, evs := f.mustCreate(t, 10) // freezes the merchant
	if !f.e.R.IsFrozen(f.e.St, f.mer) {
		t.Fatal("merchant not frozen")
	}
	paused := map[string]bool{}
	for _, ev := range evs {
		if ev.Type == order.EventPaused {
			paused[ev.Get("id")] = true
		}
	}
	if !paused[first.Hex()] || !paused[second.Hex()] {
		t.Fatalf("paused %v, want both orders", paused)
	}
	get := func(id types.Hash) *order.Order {
		o, err := f.e.Order.GetOrder(f.e.St, id)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	window := f.e.Order.Params(f.e.St).PaymentWindow
	if l1, l2 := get(first).Remaining, get(second).Remaining; l1 != window-60_000 || l2 != window {
		t.Fatalf("remaining %d and %d, want %d and %d", l1, l2, window-60_000, window)
	}
	f.e.Advance(3 * window)
	if s1, s2 := get(first).State, get(second).State; s1 != order.StateLocked || s2 != order.StateLocked {
		t.Fatalf("states %s %s while frozen, want both LOCKED", s1, s2)
	}
	if msg := f.e.invariants(); msg != "" {
		t.Fatal(msg)
	}
	evs, err := f.e.Exec(officer, &risk.MsgUnfreeze{Account: f.mer, Reason: types.Keccak([]byte("case 18"))})
	if err != nil {
		t.Fatal(err)
	}
	if ev, ok := testkit.FindEvent(evs, order.EventResumed); !ok || ev.Get("account") != f.mer.Hex() {
		t.Fatalf("events %v, want order.resumed", evs)
	}
	if d := get(first).Deadline; d != f.e.Block.Time+window-60_000 {
		t.Fatalf("deadline %d, want %d", d, f.e.Block.Time+window-60_000)
	}
	f.e.Advance(window - 60_000)
	if s := get(first).State; s != order.StateExpired {
		t.Fatalf("first order %s after its remaining window, want EXPIRED", s)
	}
	if _, err := f.e.Exec(f.mer, &order.MsgMarkPaid{ID: second, PaymentRef: second}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Exec(f.acc, &order.MsgConfirm{ID: second}); err != nil {
		t.Fatal(err)
	}
	if s := get(second).State; s != order.StateCompleted {
		t.Fatalf("second order %s, want COMPLETED", s)
	}
	if msg := f.e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}
