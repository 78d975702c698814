package order_test

// Cost of pausing and resuming timers: one acceptor holds n open orders;
// each iteration freezes it (every order leaves the queue with its
// remainder) and unfreezes it (every order is queued again), in the
// in-memory state overlay, as risk's freeze hook does inside the freezing
// transaction. Reported: ns per order per freeze+unfreeze.
//
//	go test ./contracts/order -run '^$' -bench FreezeUnfreeze

import (
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/order"
)

func BenchmarkFreezeUnfreeze(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprint("orders=", n), func(b *testing.B) {
			e := c2ctest.NewEnv()
			acc, mer := c2ctest.Addr("acc"), c2ctest.Addr("mer")
			e.NewAcceptor(acc, c2ctest.AcceptorSpec{Currencies: []string{"USD"}, Float: 2_000 * usdt, Margin: 1_000 * usdt})
			e.NewMerchant(mer)
			for i := 0; i < n; i++ {
				if _, err := e.Exec(mer, &order.MsgCreate{Currency: "USD", FiatAmount: 1_00, MerchantRef: fmt.Sprint("b", i)}); err != nil {
					b.Fatal(err)
				}
			}
			if got := len(e.Order.TimedOf(e.St, acc)); got != n {
				b.Fatalf("%d timed orders, want %d", got, n)
			}
			hook := func(frozen bool) {
				e.Freezer.Freeze(e.St, acc, frozen)
				if _, err := e.Call(func(ctx *core.Context) error {
					if frozen {
						return e.Order.AccountFrozen(ctx, acc)
					}
					return e.Order.AccountUnfrozen(ctx, acc)
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				hook(true)
				hook(false)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/order")
			if msg := e.Invariants(); msg != "" {
				b.Fatal(msg)
			}
		})
	}
}
