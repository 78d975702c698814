package acceptor

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
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
		var rec Acceptor
		if err = core.Decode(v, &rec); err != nil {
			err = fmt.Errorf("record %x: %w", k, err)
			return false
		}
		if t.Float, err = types.AddAmount(t.Float, rec.Float); err != nil {
			return false
		}
		if t.Locked, err = types.AddAmount(t.Locked, rec.Locked); err != nil {
			return false
		}
		t.Margin, err = types.AddAmount(t.Margin, rec.Margin)
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

// IndexInvariant checks that the currency index lists exactly the active
// acceptors under each currency they support.
func (k Keeper) IndexInvariant(st state.Store) (string, bool) {
	want := 0
	var msg string
	st.Iterate(prefixRecord, state.PrefixEnd(prefixRecord), false, func(_, v []byte) bool {
		var rec Acceptor
		if core.Decode(v, &rec) != nil {
			msg = "acceptor index: undecodable record"
			return false
		}
		for _, c := range rec.Currencies {
			has := st.Has(indexKey(c, rec.Address))
			if has != (rec.Status == StatusActive) {
				msg = fmt.Sprintf("acceptor index: %s %s status %s indexed=%v", rec.Address.Hex(), c, rec.Status, has)
				return false
			}
			if has {
				want++
			}
		}
		return true
	})
	if msg != "" {
		return msg, true
	}
	got := 0
	st.Iterate(prefixIndex, state.PrefixEnd(prefixIndex), false, func(_, _ []byte) bool { got++; return true })
	if got != want {
		return fmt.Sprintf("acceptor index: %d entries, %d expected", got, want), true
	}
	return "", false
}
