package acceptor

import (
	"fmt"
	"slices"
	"sort"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Totals are the sums of every acceptor's ledger.
type Totals struct {
	Float, Locked, Margin uint64
}

// Totals adds up the per-acceptor float, locked and margin amounts.
func (Keeper) Totals(st state.Store) (Totals, error) {
	var t Totals
	var err error
	st.Iterate(prefixRecord, state.PrefixEnd(prefixRecord), false, func(k, v []byte) bool {
		var h hot
		if h, err = decodeHot(v); err != nil {
			err = fmt.Errorf("record %x: %w", k, err)
			return false
		}
		if t.Float, err = types.AddAmount(t.Float, h.Float); err != nil {
			return false
		}
		if t.Locked, err = types.AddAmount(t.Locked, h.Locked); err != nil {
			return false
		}
		t.Margin, err = types.AddAmount(t.Margin, h.Margin)
		return err == nil
	})
	return t, err
}

// FundsInvariant checks that the float and margin module accounts hold at
// least what the acceptors' ledgers say (more only if someone sent USDT to
// a module address directly). It returns a message and whether it broke.
func (k Keeper) FundsInvariant(st state.Store) (string, bool) {
	t, err := k.Totals(st)
	if err != nil {
		return "acceptor funds: " + err.Error(), true
	}
	if b := k.bank.Balance(st, FloatAddress); b < t.Float {
		return fmt.Sprintf("acceptor funds: float ledgers sum to %d, float account holds %d", t.Float, b), true
	}
	if b := k.bank.Balance(st, MarginAddress); b < t.Margin {
		return fmt.Sprintf("acceptor funds: margin ledgers sum to %d, margin account holds %d", t.Margin, b), true
	}
	return "", false
}

// IndexInvariant checks that each currency's active list names exactly
// the active acceptors supporting it, in strictly ascending order.
func (k Keeper) IndexInvariant(st state.Store) (string, bool) {
	want := map[string][]types.Address{} // filled in address order; read by key below
	var msg string
	var addrs []types.Address
	st.Iterate(prefixRecord, state.PrefixEnd(prefixRecord), false, func(key, _ []byte) bool {
		addrs = append(addrs, types.Address(key[len(prefixRecord):]))
		return true
	})
	for _, a := range addrs {
		rec, err := k.GetAcceptor(st, a)
		if err != nil {
			return "acceptor index: " + err.Error(), true
		}
		if rec.Status == StatusActive {
			for _, c := range rec.Currencies {
				want[c] = append(want[c], rec.Address)
			}
		}
	}
	st.Iterate(prefixIndex, state.PrefixEnd(prefixIndex), false, func(key, v []byte) bool {
		c := string(key[len(prefixIndex):])
		if _, ok := want[c]; !ok {
			want[c] = nil
		}
		if len(v)%addrLen != 0 {
			msg = fmt.Sprintf("acceptor index %s: %d bytes", c, len(v))
			return false
		}
		return true
	})
	if msg != "" {
		return msg, true
	}
	currencies := make([]string, 0, len(want))
	for c := range want {
		currencies = append(currencies, c)
	}
	sort.Strings(currencies)
	for _, c := range currencies {
		got := k.ActiveFor(st, c)
		if !slices.Equal(got, want[c]) {
			return fmt.Sprintf("acceptor index %s: %d listed, %d active", c, len(got), len(want[c])), true
		}
	}
	return "", false
}
