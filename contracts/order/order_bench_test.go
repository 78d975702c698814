//go:build unix

package order_test

// Throughput of the C2C order flow through the block executor on one node
// (no network): each iteration executes and commits three blocks —
// B CreateOrder (oracle conversion, KYC, weighted draw among the
// acceptors, escrow lock), B MarkPaid, and B Confirm (release, commission,
// fee, reputation) — with ledger.Build and Commit into pebble, the router
// holding bank (ante), gov, kyc, oracle, acceptor and order.
//
// As in ledger's transfer benchmark, senders are recovered before the timer
// starts (the mempool does that in parallel at admission); the
// "+sigs" variant leaves recovery to the executor, and the "fixed-rate"
// variants replace the oracle by a constant conversion. Reported: orders/s
// (created and completed, wall clock), cpu-µs/order (process CPU, which
// includes pebble's background work) and its inverse orders/cpu-s, the
// figure to compare across commits on a shared machine: a busy neighbour
// stretches the wall clock but not the CPU an order costs.
//
//	go test ./contracts/order -run '^$' -bench OrderLifecycle -benchtime 10x

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// recover sets every sender, in parallel, as the mempool would.
func recoverSenders(txs []*types.Tx) {
	c2ctest.Parallel(len(txs), func(i int) {
		if _, err := txs[i].Sender(); err != nil {
			panic(err)
		}
	})
}

// fixedRate converts 1 fiat minor unit (a cent) to 10 000 micro-USDT
// without touching state: the "fixed-rate" variants measure the order path
// without the oracle's per-conversion range scan (see the package report).
type fixedRate struct{}

func (fixedRate) ToMicroUSDT(_ state.Store, _ uint64, _ string, minor uint64) (uint64, error) {
	return minor * 10_000, nil
}

func BenchmarkOrderLifecycle(b *testing.B) {
	for _, bc := range []struct {
		acceptors, perBlock int
		sigs, fixedRate     bool
	}{
		{10, 500, false, false}, {100, 500, false, false}, {100, 2000, false, false}, {100, 500, true, false},
		{10, 500, false, true}, {100, 2000, false, true},
	} {
		name := fmt.Sprintf("acceptors=%d/orders-per-block=%d", bc.acceptors, bc.perBlock)
		if bc.sigs {
			name += "/+sigs"
		}
		var rates order.RateKeeper
		if bc.fixedRate {
			name += "/fixed-rate"
			rates = fixedRate{}
		}
		b.Run(name, func(b *testing.B) {
			l := openLedger(b, kv.BackendPebble)
			c, err := c2ctest.NewChain(l, c2ctest.ChainSpec{Acceptors: bc.acceptors, Merchants: bc.perBlock, Rates: rates})
			if err != nil {
				b.Fatal(err)
			}
			c.NoBlockInvariants = true // timed below; checked once at the end
			var wall, cpu time.Duration
			timed := func(txs []*types.Tx) map[types.Hash]types.Address {
				if !bc.sigs {
					recoverSenders(txs)
				}
				t0, c0 := time.Now(), cpuTime()
				x, err := c.ProduceOK(txs)
				wall += time.Since(t0)
				cpu += cpuTime() - c0
				if err != nil {
					b.Fatal(err)
				}
				return lockedBy(x)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				ref := fmt.Sprint("inv-", i)
				creates := make([]*types.Tx, len(c.Merchants))
				c2ctest.Parallel(len(creates), func(j int) {
					creates[j] = c.Sign(c.Merchants[j], &order.MsgCreate{Currency: "USD", FiatAmount: 25_00 + uint64(j), MerchantRef: ref})
				})
				assigned := timed(creates)
				if len(assigned) != len(creates) {
					b.Fatalf("%d of %d orders locked", len(assigned), len(creates))
				}
				paid := make([]*types.Tx, len(c.Merchants))
				c2ctest.Parallel(len(paid), func(j int) {
					id := order.OrderID(types.PubkeyAddress(c.Merchants[j]), ref)
					paid[j] = c.Sign(c.Merchants[j], &order.MsgMarkPaid{ID: id, PaymentRef: types.Keccak(id[:])})
				})
				timed(paid)
				// Confirms are signed in order so each acceptor's nonces ascend.
				confirms := make([]*types.Tx, len(c.Merchants))
				for j, m := range c.Merchants {
					id := order.OrderID(types.PubkeyAddress(m), ref)
					confirms[j] = c.Sign(c.Key(assigned[id]), &order.MsgConfirm{ID: id})
				}
				timed(confirms)
			}
			orders := float64(b.N * bc.perBlock)
			b.ReportMetric(orders/wall.Seconds(), "orders/s")
			b.ReportMetric(float64(cpu.Microseconds())/orders, "cpu-µs/order")
			b.ReportMetric(orders/cpu.Seconds(), "orders/cpu-s")
			b.ReportMetric(0, "ns/op")
			if msg := c2ctest.Invariants(c.Keepers, l.State()); msg != "" {
				b.Fatal(msg)
			}
		})
	}
}
