package order_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

func openLedger(tb testing.TB, backend string) *ledger.Ledger {
	tb.Helper()
	l, err := ledger.Open(backend, tb.TempDir(), kv.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// lockedBy returns, per order ID, the acceptor its order.locked event names.
func lockedBy(x *ledger.Executed) map[types.Hash]types.Address {
	out := map[types.Hash]types.Address{}
	for _, rc := range x.Receipts {
		for _, ev := range rc.Events {
			if ev.Type == order.EventLocked {
				id, _ := types.ParseHash(ev.Get("id"))
				a, _ := types.ParseAddress(ev.Get("acceptor"))
				out[id] = a
			}
		}
	}
	return out
}

// TestThroughExecutor runs orders as signed transactions through
// ledger.Build and Commit with the full router (bank ante, gov, kyc,
// oracle, acceptor, order): completions, and expiries from BeginBlock. A
// second ledger then executes every block as a validator would
// (ledger.Execute) and must reach the same state roots.
func TestThroughExecutor(t *testing.T) {
	l := openLedger(t, kv.BackendPebble)
	c, err := c2ctest.NewChain(l, c2ctest.ChainSpec{Acceptors: 5, Merchants: 20})
	if err != nil {
		t.Fatal(err)
	}
	var creates []*types.Tx
	for i, m := range c.Merchants {
		creates = append(creates, c.Sign(m, &order.MsgCreate{Currency: "USD", FiatAmount: uint64(10_00 + i), MerchantRef: "inv-1"}))
	}
	x, err := c.ProduceOK(creates)
	if err != nil {
		t.Fatal(err)
	}
	assigned := lockedBy(x)
	if len(assigned) != len(c.Merchants) {
		t.Fatalf("%d of %d orders locked", len(assigned), len(c.Merchants))
	}
	// Half the merchants pay and get confirmed; the other half never pay.
	var paid, confirms []*types.Tx
	for _, m := range c.Merchants[:10] {
		id := order.OrderID(types.PubkeyAddress(m), "inv-1")
		paid = append(paid, c.Sign(m, &order.MsgMarkPaid{ID: id, PaymentRef: types.Keccak(id[:])}))
		confirms = append(confirms, c.Sign(c.Key(assigned[id]), &order.MsgConfirm{ID: id}))
	}
	if _, err := c.ProduceOK(paid); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ProduceOK(confirms); err != nil {
		t.Fatal(err)
	}
	// Empty blocks, a minute apart, until the payment window has passed.
	window := order.DefaultParams().PaymentWindow
	expired := 0
	for i := uint64(0); i <= window/60_000; i++ {
		x, err := c.ProduceAfter(60_000, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range x.BlockEvents {
			if ev.Type == order.EventExpired {
				expired++
			}
		}
	}
	if expired != 10 {
		t.Fatalf("%d orders expired, want 10", expired)
	}
	st := l.State()
	for i, m := range c.Merchants {
		o, err := c.Keepers.Order.OrderByRef(st, types.PubkeyAddress(m), "inv-1")
		if err != nil {
			t.Fatal(err)
		}
		want := order.StateCompleted
		if i >= 10 {
			want = order.StateExpired
		}
		if o.State != want {
			t.Fatalf("merchant %d: %s, want %s", i, o.State, want)
		}
	}
	if msg := c2ctest.Invariants(c.Keepers, st); msg != "" {
		t.Fatal(msg)
	}

	// A validator replays the chain.
	l2 := openLedger(t, kv.BackendBadger)
	app := c2ctest.NewRouter(c2ctest.NewKeepers())
	if err := l2.InitGenesis(c.Genesis, app); err != nil {
		t.Fatal(err)
	}
	for h := uint64(1); h <= l.Last().Height; h++ {
		b, err := l.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		x, err := l2.Execute(b, app)
		if err != nil {
			t.Fatalf("replay block %d: %v", h, err)
		}
		cert, err := l.Cert(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := l2.Commit(x, cert); err != nil {
			t.Fatal(err)
		}
	}
	if l2.Last().AppHash != l.Last().AppHash {
		t.Fatal("replayed chain has another app hash")
	}
}
