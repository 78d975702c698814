package retain_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/bridge/retain"
	"github.com/accordnet/accord/ledger/state"
)

func TestSetKeepsTheLowestPendingHeight(t *testing.T) {
	st := state.NewOverlay(nil)
	s := retain.Set{Prefix: []byte("x/p/"), Window: 100}
	other := retain.Set{Prefix: []byte("x/q/")} // a neighbouring prefix must not leak in
	other.Add(st, 1, 1)
	if got := s.Lowest(st); got != 0 {
		t.Fatalf("empty set: lowest %d, want 0", got)
	}
	s.Add(st, 300, 2)
	s.Add(st, 40, 1)
	s.Add(st, 40, 3)
	cases := []struct {
		name   string
		do     func() bool
		ok     bool
		lowest uint64
	}{
		{"the lowest height is the first recorded", func() bool { return true }, true, 40},
		{"settling one of two at a height keeps it", func() bool { return s.Remove(st, 40, 1) }, true, 40},
		{"settling it twice is refused", func() bool { return s.Remove(st, 40, 1) }, false, 40},
		{"settling an unknown one is refused", func() bool { return s.Remove(st, 41, 1) }, false, 40},
		{"settling the last at a height moves up", func() bool { return s.Remove(st, 40, 3) }, true, 300},
	}
	for _, tc := range cases {
		if ok := tc.do(); ok != tc.ok {
			t.Fatalf("%s: %v, want %v", tc.name, ok, tc.ok)
		}
		if got := s.Lowest(st); got != tc.lowest {
			t.Fatalf("%s: lowest %d, want %d", tc.name, got, tc.lowest)
		}
	}
	if !other.Has(st, 1, 1) {
		t.Fatal("the neighbouring set lost its entry")
	}
}

func TestExpireDropsOnlyEntriesOlderThanTheWindow(t *testing.T) {
	st := state.NewOverlay(nil)
	s := retain.Set{Prefix: []byte("x/p/"), Window: 100}
	for h := uint64(1); h <= 10; h++ {
		s.Add(st, h*10, h)
	}
	if n := s.Expire(st, 100); n != 0 {
		t.Fatalf("at the window's edge %d expired, want 0", n)
	}
	if n := s.Expire(st, 135); n != 3 || s.Lowest(st) != 40 { // heights 10, 20, 30 are older than 135-100
		t.Fatalf("expired %d, lowest %d; want 3 and 40", n, s.Lowest(st))
	}
	for h := uint64(0); h < retain.MaxExpirePerBlock+5; h++ {
		s.Add(st, 1000, 100+h)
	}
	if n := s.Expire(st, 5000); n != retain.MaxExpirePerBlock {
		t.Fatalf("one block expired %d, want the bound %d", n, retain.MaxExpirePerBlock)
	}
	if n := s.Expire(st, 5000); n != 12 || s.Lowest(st) != 0 { // 7 at heights 40..100, then the 5 left at 1000
		t.Fatalf("the next block expired %d, lowest %d; want 12 and none left", n, s.Lowest(st))
	}
}
