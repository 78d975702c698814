package order_test

import (
	"errors"
	"math"
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

// TestResolveSplit: an arbitrated split pays exactly the voted parts (the
// fee out of the merchant's part), slashes a losing acceptor, and refuses
// payouts that do not sum to the escrow or an order not DISPUTED.
func TestResolveSplit(t *testing.T) {
	cases := []struct {
		name                   string
		toMerchant, toAcceptor uint64
		lost                   bool
		want                   error
	}{
		{"even split, acceptor lost", 50 * usdt, 50 * usdt, true, nil},
		{"uneven split, merchant lost", 30 * usdt, 70 * usdt, false, nil},
		{"all to the merchant", 100 * usdt, 0, true, nil},
		{"short of the escrow", 50 * usdt, 49 * usdt, true, order.ErrBadSplit},
		{"above the escrow", 50 * usdt, 51 * usdt, true, order.ErrBadSplit},
		{"overflowing", math.MaxUint64, 100*usdt + 1, true, order.ErrBadSplit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			id := f.disputed(t)
			merBefore, margin, float := f.e.Bank.Balance(f.e.St, f.mer), f.acceptor(t, f.acc).Margin, f.acceptor(t, f.acc).Float
			trBefore := f.e.Bank.Balance(f.e.St, c2ctest.Treasury)
			before := testkit.StateHash(f.e.St)
			evs, err := f.e.Call(func(ctx *core.Context) error {
				return f.e.Order.ResolveSplit(ctx, id, tc.toMerchant, tc.toAcceptor, tc.lost)
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err != nil {
				if testkit.StateHash(f.e.St) != before {
					t.Fatal("refused split changed state")
				}
				return
			}
			o := f.get(t, id)
			fee := tc.toMerchant * o.FeeBps / 10_000
			var slash uint64
			if tc.lost {
				slash = min(margin, o.Amount*f.params().DisputeSlashBps/10_000)
			}
			if got := f.e.Bank.Balance(f.e.St, f.mer) - merBefore; got != tc.toMerchant-fee+slash {
				t.Fatalf("merchant got %d, want %d", got, tc.toMerchant-fee+slash)
			}
			if got := f.e.Bank.Balance(f.e.St, c2ctest.Treasury) - trBefore; got != fee {
				t.Fatalf("treasury got %d, want %d", got, fee)
			}
			a := f.acceptor(t, f.acc)
			if a.Float != float+tc.toAcceptor || a.Margin != margin-slash || a.Locked != 0 {
				t.Fatalf("acceptor float %d margin %d locked %d", a.Float, a.Margin, a.Locked)
			}
			if o.State != order.StateResolvedSplit || o.ClosedAt != f.e.Block.Time {
				t.Fatalf("order %s closed %d", o.State, o.ClosedAt)
			}
			if _, ok := testkit.FindEvent(evs, order.EventResolvedSplit); !ok {
				t.Fatalf("events %v", eventTypes(evs))
			}
			if msg := f.e.Invariants(); msg != "" {
				t.Fatal(msg)
			}
			if _, err := f.e.Call(func(ctx *core.Context) error {
				return f.e.Order.ResolveSplit(ctx, id, tc.toMerchant, tc.toAcceptor, tc.lost)
			}); !errors.Is(err, order.ErrWrongState) {
				t.Fatalf("second split: %v", err)
			}
		})
	}
}

type recHook struct{ ids []types.Hash }

func (h *recHook) OrderDisputed(_ *core.Context, o *order.Order) error {
	h.ids = append(h.ids, o.ID)
	return nil
}

// TestDisputeHook: the hook hears of a dispute a party opens (the
// arbitration tests cover the timer path through the router).
func TestDisputeHook(t *testing.T) {
	f := newFx(t)
	h := &recHook{}
	f.e.Order = f.e.Order.WithHook(h)
	id := f.paid(t)
	if _, err := f.e.Call(func(ctx *core.Context) error {
		ctx.Sender = f.mer
		return f.e.Order.Dispute(ctx, &order.MsgDispute{ID: id})
	}); err != nil {
		t.Fatal(err)
	}
	if len(h.ids) != 1 || h.ids[0] != id {
		t.Fatalf("hook saw %v", h.ids)
	}
	if s, err := order.ParseState("RESOLVED_SPLIT"); err != nil || s != order.StateResolvedSplit || !s.Final() || s.Open() {
		t.Fatalf("RESOLVED_SPLIT: %v %v", s, err)
	}
}
