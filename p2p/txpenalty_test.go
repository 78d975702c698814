package p2p

import (
	"testing"
	"time"

	"github.com/accordnet/accord/types"
)

func TestGossipPenaltyStrikesWindowAndExpiry(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	a, b := types.Address{1}, types.Address{2}
	type step struct {
		at      time.Duration
		who     types.Address
		strikes int
		starts  bool // this strike starts a penalty
	}
	cases := []struct {
		name      string
		steps     []step
		checkAt   time.Duration
		penalized map[types.Address]bool
	}{
		{"under the limit", []step{{0, a, gossipStrikes - 1, false}}, time.Second, map[types.Address]bool{a: false}},
		{"limit in one batch", []step{{0, a, gossipStrikes, true}}, time.Second, map[types.Address]bool{a: true, b: false}},
		{"limit across batches in the window", []step{{0, a, gossipStrikes / 2, false}, {time.Second, a, gossipStrikes / 2, true}},
			2 * time.Second, map[types.Address]bool{a: true}},
		{"window resets", []step{{0, a, gossipStrikes - 1, false}, {gossipStrikeWindow + time.Second, a, 1, false}},
			gossipStrikeWindow + 2*time.Second, map[types.Address]bool{a: false}},
		{"penalty expires", []step{{0, a, gossipStrikes, true}}, gossipPenalty + time.Second, map[types.Address]bool{a: false}},
		{"no new penalty while serving one", []step{{0, a, gossipStrikes, true}, {time.Second, a, gossipStrikes, false}},
			2 * time.Second, map[types.Address]bool{a: true}},
		{"members are independent", []step{{0, a, gossipStrikes, true}, {0, b, 1, false}}, time.Second,
			map[types.Address]bool{a: true, b: false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newGossipPenalties()
			for i, s := range c.steps {
				if got := g.strike(s.who, s.strikes, t0.Add(s.at)); got != s.starts {
					t.Fatalf("step %d: strike started a penalty = %v, want %v", i, got, s.starts)
				}
			}
			for who, want := range c.penalized {
				if got := g.penalized(who, t0.Add(c.checkAt)); got != want {
					t.Fatalf("%s penalized = %v, want %v", who.Hex(), got, want)
				}
			}
		})
	}
}
