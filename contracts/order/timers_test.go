package order_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

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
