package order_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

// TestTimeoutsAreBoundedAndOrdered: with max_timeouts_per_block = 2, five
// orders due at once expire over three blocks, in (deadline, order ID)
// order, and a message on an order whose timer is still queued is refused
// as if the timer had run.
func TestTimeoutsAreBoundedAndOrdered(t *testing.T) {
	f := newFx(t)
	f.e.SetParam(order.ModuleName, order.ParamMaxTimeouts, 2)
	var ids []types.Hash
	for i := 0; i < 5; i++ {
		ids = append(ids, f.create(t, fmt.Sprint("t", i)))
	}
	f.e.Advance(1000)
	late := f.create(t, "late") // due one second after the others
	slices.SortFunc(ids, func(a, b types.Hash) int { return bytes.Compare(a[:], b[:]) })
	ids = append(ids, late)

	var expired []types.Hash
	perBlock := []int{}
	f.e.Advance(f.params().PaymentWindow) // all six are due now
	for block := 0; block < 4; block++ {
		if block > 0 {
			f.e.Advance(1000)
		}
		n := 0
		for _, ev := range f.e.LastBlockEvents {
			if ev.Type == order.EventExpired {
				id, _ := types.ParseHash(ev.Get("id"))
				expired = append(expired, id)
				n++
			}
		}
		perBlock = append(perBlock, n)
		if block == 0 {
			// Queued but due: marking it paid is refused by the deadline check.
			_, err := f.e.Exec(f.mer, &order.MsgMarkPaid{ID: late, PaymentRef: types.Keccak([]byte("p"))})
			if err == nil {
				t.Fatal("payment accepted after the deadline while the timer was queued")
			}
		}
	}
	if !slices.Equal(perBlock, []int{2, 2, 2, 0}) {
		t.Fatalf("expiries per block %v, want [2 2 2 0]", perBlock)
	}
	if !slices.Equal(expired, ids) {
		t.Fatal("timeouts not processed in (deadline, order ID) order")
	}
	if msg := f.e.Invariants(); msg != "" {
		t.Fatal(msg)
	}
}

// freeze marks a frozen or not in the test freezer and tells the order
// keeper, as the risk module's freeze hook does.
func (f *fx) freeze(t *testing.T, a types.Address, frozen bool) []types.Event {
	t.Helper()
	f.e.Freezer.Freeze(f.e.St, a, frozen)
	evs, err := f.e.Call(func(ctx *core.Context) error {
		if frozen {
			return f.e.Order.AccountFrozen(ctx, a)
		}
		return f.e.Order.AccountUnfrozen(ctx, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func (f *fx) wantState(t *testing.T, id types.Hash, want order.State) *order.Order {
	t.Helper()
	o := f.get(t, id)
	if o.State != want {
		t.Fatalf("state %s, want %s", o.State, want)
	}
	if msg := f.e.Invariants(); msg != "" {
		t.Fatal(msg)
	}
	return o
}

// TestFreezePausesTimers: a frozen party's open orders keep their time
// left while it is frozen, never time out then, and continue with exactly
// that time after the unfreeze.
func TestFreezePausesTimers(t *testing.T) {
	const gap = 3 * 3600 * 1000 // frozen for longer than any window
	cases := []struct {
		name string
		run  func(t *testing.T, f *fx)
	}{
		{"frozen merchant's payment window pauses and continues after the unfreeze", func(t *testing.T, f *fx) {
			id := f.locked(t)
			f.e.Advance(60_000)
			left := f.get(t, id).Deadline - f.e.Block.Time
			evs := f.freeze(t, f.mer, true)
			if ev, ok := testkit.FindEvent(evs, order.EventPaused); !ok || ev.Get("remaining_ms") != core.U64(left) || ev.Get("account") != f.mer.Hex() {
				t.Fatalf("paused event %v, want remaining_ms %d", evs, left)
			}
			o := f.wantState(t, id, order.StateLocked)
			if !o.Paused || o.Remaining != left || o.Deadline != 0 || len(f.e.Order.PendingTimeouts(f.e.St, ^uint64(0), 0)) != 0 {
				t.Fatalf("paused %v remaining %d deadline %d, want paused with %d left and nothing queued", o.Paused, o.Remaining, o.Deadline, left)
			}
			f.e.Advance(gap)
			f.wantState(t, id, order.StateLocked)
			evs = f.freeze(t, f.mer, false)
			if _, ok := testkit.FindEvent(evs, order.EventResumed); !ok {
				t.Fatal("no resumed event")
			}
			if o := f.wantState(t, id, order.StateLocked); o.Paused || o.Deadline != f.e.Block.Time+left {
				t.Fatalf("deadline %d, want unfreeze time + %d = %d", o.Deadline, left, f.e.Block.Time+left)
			}
			f.e.Advance(left - 1)
			f.wantState(t, id, order.StateLocked)
			f.e.Advance(1)
			f.wantState(t, id, order.StateExpired)
		}},
		{"frozen acceptor's release window pauses; it can still confirm after the old deadline", func(t *testing.T, f *fx) {
			id := f.paid(t)
			f.freeze(t, f.acc, true)
			f.e.Advance(gap)
			f.wantState(t, id, order.StatePaid) // not DISPUTED by the timer
			if _, err := f.e.Exec(f.acc, &order.MsgConfirm{ID: id}); err != nil {
				t.Fatal(err)
			}
			if o := f.wantState(t, id, order.StateCompleted); o.Paused || o.Remaining != 0 || len(f.e.Order.TimedOf(f.e.St, f.acc)) != 0 {
				t.Fatal("a completed order keeps a timer")
			}
		}},
		{"marking paid with a frozen acceptor starts the release window paused", func(t *testing.T, f *fx) {
			id := f.locked(t)
			f.freeze(t, f.acc, true)
			if _, err := f.e.Exec(f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: types.Keccak([]byte("w"))}); err != nil {
				t.Fatal(err)
			}
			if o := f.wantState(t, id, order.StatePaid); !o.Paused || o.Remaining != f.params().ReleaseWindow {
				t.Fatalf("paused %v remaining %d, want the whole release window", o.Paused, o.Remaining)
			}
			f.e.Advance(gap)
			f.freeze(t, f.acc, false)
			f.e.Advance(f.params().ReleaseWindow)
			f.wantState(t, id, order.StateDisputed)
		}},
		{"both parties frozen: one unfreeze keeps it paused, the second resumes it", func(t *testing.T, f *fx) {
			id := f.locked(t)
			f.freeze(t, f.mer, true)
			f.freeze(t, f.acc, true)
			left := f.get(t, id).Remaining
			f.e.Advance(gap)
			if evs := f.freeze(t, f.acc, false); len(evs) != 0 {
				t.Fatalf("events %v while the merchant is still frozen", eventTypes(evs))
			}
			f.wantState(t, id, order.StateLocked)
			f.e.Advance(gap)
			f.freeze(t, f.mer, false)
			if o := f.get(t, id); o.Deadline != f.e.Block.Time+left {
				t.Fatalf("deadline %d, want %d", o.Deadline, f.e.Block.Time+left)
			}
		}},
		{"an extension while paused adds to the remainder", func(t *testing.T, f *fx) {
			id := f.locked(t)
			p := f.params()
			f.e.Advance(p.PaymentWindow - p.ExtendThreshold + 1000)
			f.freeze(t, f.mer, true)
			left := f.get(t, id).Remaining
			f.e.Advance(gap)
			if _, err := f.e.Exec(f.acc, &order.MsgExtend{ID: id}); err != nil {
				t.Fatal(err)
			}
			if o := f.wantState(t, id, order.StateLocked); !o.Paused || o.Remaining != left+p.ExtendBy {
				t.Fatalf("remaining %d, want %d", o.Remaining, left+p.ExtendBy)
			}
		}},
		{"a frozen merchant may cancel its paused order", func(t *testing.T, f *fx) {
			id := f.locked(t)
			f.freeze(t, f.mer, true)
			f.e.Advance(gap)
			if _, err := f.e.Exec(f.mer, &order.MsgCancel{ID: id}); err != nil {
				t.Fatal(err)
			}
			f.wantState(t, id, order.StateCancelled)
			if evs := f.freeze(t, f.mer, false); len(evs) != 0 {
				t.Fatalf("unfreeze touched a closed order: %v", eventTypes(evs))
			}
		}},
		{"a timer already due at the freeze is not revived", func(t *testing.T, f *fx) {
			f.e.SetParam(order.ModuleName, order.ParamMaxTimeouts, 1)
			a, b := f.create(t, "a"), f.create(t, "b")
			f.e.Advance(f.params().PaymentWindow) // both due, one processed
			f.freeze(t, f.mer, true)
			f.e.Advance(1000)
			f.wantState(t, a, order.StateExpired)
			f.wantState(t, b, order.StateExpired)
		}},
		{"a merchant's unfreeze leaves other merchants' orders alone", func(t *testing.T, f *fx) {
			id := f.locked(t)
			deadline := f.get(t, id).Deadline
			f.e.NewMerchant(c2ctest.Addr("other"))
			f.freeze(t, c2ctest.Addr("other"), true)
			f.freeze(t, c2ctest.Addr("other"), false)
			if o := f.wantState(t, id, order.StateLocked); o.Paused || o.Deadline != deadline {
				t.Fatal("another account's freeze moved this order's timer")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newFx(t)) })
	}
}
