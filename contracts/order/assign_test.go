package order_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

// chiSquared returns Σ (observed − expected)² / expected for counts drawn
// with the given integer weights. Float math is fine here: it is the test's
// statistic, not a state transition.
func chiSquared(counts []int, weights []uint64) float64 {
	var total uint64
	n := 0
	for i, w := range weights {
		total += w
		n += counts[i]
	}
	var x2 float64
	for i, w := range weights {
		exp := float64(n) * float64(w) / float64(total)
		d := float64(counts[i]) - exp
		x2 += d * d / exp
	}
	return x2
}

// chi2Crit999 is the 99.9th percentile of the χ² distribution by degrees
// of freedom (1–15): a fair draw exceeds it once in a thousand seeds.
var chi2Crit999 = [...]float64{0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88, 29.59, 31.26, 32.91, 34.53, 36.12, 37.70}

func seedN(i int) types.Hash {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	return types.Keccak([]byte("chi2-seed"), b[:])
}

// TestDrawFollowsWeights: the draw alone, over many seeds, picks each
// candidate in proportion to its weight, including very uneven weights.
func TestDrawFollowsWeights(t *testing.T) {
	for _, weights := range [][]uint64{
		{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		{400, 800, 1200, 57_000, 1_100_000},
		{1, 1_000_000},
		{3, 3, 3},
	} {
		t.Run(fmt.Sprint(weights), func(t *testing.T) {
			cands := make([]acceptor.Candidate, len(weights))
			for i, w := range weights {
				cands[i] = acceptor.Candidate{Address: c2ctest.Addr(fmt.Sprint(i)), Weight: w}
			}
			counts := make([]int, len(weights))
			const trials = 50_000
			id := types.Keccak([]byte("order"))
			for i := 0; i < trials; i++ {
				j, err := order.Draw(seedN(i), id, cands)
				if err != nil || j < 0 {
					t.Fatal(j, err)
				}
				counts[j]++
			}
			x2 := chiSquared(counts, weights)
			t.Logf("counts %v χ²=%.2f (df %d, crit %.2f)", counts, x2, len(weights)-1, chi2Crit999[len(weights)-1])
			if x2 > chi2Crit999[len(weights)-1] {
				t.Fatalf("χ² = %.2f exceeds %.2f", x2, chi2Crit999[len(weights)-1])
			}
		})
	}
}

func TestDrawEdges(t *testing.T) {
	seed, id := seedN(1), seedN(2)
	if j, err := order.Draw(seed, id, nil); j != -1 || err != nil {
		t.Fatal("empty draw")
	}
	if j, err := order.Draw(seed, id, []acceptor.Candidate{{Weight: 0}, {Weight: 0}}); j != -1 || err != nil {
		t.Fatal("zero-weight draw")
	}
	if j, _ := order.Draw(seed, id, []acceptor.Candidate{{Weight: 0}, {Weight: 5}, {Weight: 0}}); j != 1 {
		t.Fatal("only positive weight not drawn")
	}
	if _, err := order.Draw(seed, id, []acceptor.Candidate{{Weight: ^uint64(0)}, {Weight: 1}}); err == nil {
		t.Fatal("total weight overflow not reported")
	}
	if order.DrawValue(seed, id, 1000) != order.DrawValue(seed, id, 1000) || order.DrawValue(seed, id, 1000) == order.DrawValue(seedN(3), id, 1000) && order.DrawValue(seed, id, 1<<62) == order.DrawValue(seedN(3), id, 1<<62) {
		t.Fatal("draw value not a function of seed and id")
	}
}

// TestAssignmentFrequencies runs the whole CreateOrder path — eligibility,
// weights from reputation and float, draw, lock — many times on one state
// (rolling back after each order) and checks the assignment frequencies
// against the weights Eligible reports.
func TestAssignmentFrequencies(t *testing.T) {
	e := c2ctest.NewEnv()
	e.Ramp()
	mer := c2ctest.Addr("mer")
	e.NewMerchant(mer)
	specs := []struct {
		float    uint64
		expiries int
		won      int
	}{
		{100, 0, 0}, {400, 0, 0}, {2_500, 0, 0}, {10_000, 0, 0},
		{10_000, 5, 0}, {10_000, 0, 5}, {900, 20, 0}, {50_000, 0, 0},
	}
	addrs := make(map[types.Address]int)
	for i, s := range specs {
		a := c2ctest.Addr(fmt.Sprint("acc", i))
		addrs[a] = -1
		e.NewAcceptor(a, c2ctest.AcceptorSpec{Float: s.float * usdt, Margin: s.float * usdt})
		for j := 0; j < s.expiries; j++ {
			ok(t)(e.Call(func(ctx *core.Context) error { return e.Acceptor.RecordExpiry(ctx, a) }))
		}
		for j := 0; j < s.won; j++ {
			ok(t)(e.Call(func(ctx *core.Context) error {
				if err := e.Acceptor.RecordDisputeOpened(ctx, a); err != nil {
					return err
				}
				return e.Acceptor.RecordDisputeClosed(ctx, a, true)
			}))
		}
	}
	cands, err := e.Acceptor.Eligible(e.St, "USD", 50*usdt, e.Block.Time, acceptor.Exclude{Address: mer})
	if err != nil || len(cands) != len(specs) {
		t.Fatalf("%d candidates: %v", len(cands), err)
	}
	weights := make([]uint64, len(cands))
	for i, c := range cands {
		addrs[c.Address] = i
		weights[i] = c.Weight
	}
	t.Logf("weights %v", weights)
	counts := make([]int, len(cands))
	const trials = 20_000
	for i := 0; i < trials; i++ {
		e.Block.Seed = seedN(i)
		mark := e.St.Snapshot()
		evs, err := e.Exec(mer, &order.MsgCreate{Currency: "USD", FiatAmount: 50_00, MerchantRef: fmt.Sprint("r", i%7)})
		if err != nil {
			t.Fatal(err)
		}
		ev, found := testkit.FindEvent(evs, order.EventLocked)
		if !found {
			t.Fatalf("trial %d not locked: %v", i, eventTypes(evs))
		}
		a, _ := types.ParseAddress(ev.Get("acceptor"))
		counts[addrs[a]]++
		e.St.RevertTo(mark)
	}
	x2 := chiSquared(counts, weights)
	df := len(weights) - 1
	t.Logf("counts %v χ²=%.2f (df %d, crit %.2f)", counts, x2, df, chi2Crit999[df])
	if x2 > chi2Crit999[df] {
		t.Fatalf("χ² = %.2f exceeds %.2f", x2, chi2Crit999[df])
	}
}

// TestReorderingDoesNotPickTheWinner: within one block, the acceptor an
// order draws does not depend on where its transaction sits, as long as
// the orders before it leave the eligible set and weights unchanged.
func TestReorderingDoesNotPickTheWinner(t *testing.T) {
	winners := func(refs []string) map[string]string {
		e := c2ctest.NewEnv()
		e.Ramp()
		for i := 0; i < 5; i++ {
			// Float 1 000 500 USDT: a few 10 USDT orders leave ⌊√float⌋ = 1000.
			e.NewAcceptor(c2ctest.Addr(fmt.Sprint("acc", i)), c2ctest.AcceptorSpec{Float: 1_000_500 * usdt, Margin: 1_000 * usdt})
		}
		mer := c2ctest.Addr("mer")
		e.NewMerchant(mer)
		out := map[string]string{}
		for _, r := range refs {
			evs, err := e.Exec(mer, &order.MsgCreate{Currency: "USD", FiatAmount: 10_00, MerchantRef: r})
			if err != nil {
				t.Fatal(err)
			}
			ev, _ := testkit.FindEvent(evs, order.EventLocked)
			out[r] = ev.Get("acceptor")
		}
		return out
	}
	a := winners([]string{"a", "b", "c", "d", "e", "f"})
	b := winners([]string{"f", "e", "d", "c", "b", "a"})
	distinct := map[string]bool{}
	for r, w := range a {
		if b[r] != w {
			t.Fatalf("order %s went to %s in one order and %s in the other", r, w, b[r])
		}
		distinct[w] = true
	}
	if len(distinct) < 2 {
		t.Fatal("every order went to one acceptor: the draw is not spreading")
	}
}
