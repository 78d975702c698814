package risk

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// FreezeInvariant checks that every freeze is explained: it names a stored
// event of the frozen account, of the same rule, that froze it. And that
// each profile's event count is the number of its stored events. It walks
// everything: for tests and audits.
func (k Keeper) FreezeInvariant(st state.Store) (string, bool) {
	var msg string
	st.Iterate(prefixFrozen, state.PrefixEnd(prefixFrozen), false, func(key, v []byte) bool {
		a := types.Address(key[len(prefixFrozen):])
		var f Freeze
		if err := core.Decode(v, &f); err != nil {
			msg = fmt.Sprintf("freeze of %s: %v", a.Hex(), err)
			return false
		}
		ev, ok := st.Get(append(append(append([]byte(nil), prefixEvent...), a[:]...), store.BE64(f.Seq)...))
		var e Event
		if !ok || core.Decode(ev, &e) != nil || !e.Froze || e.Rule != f.Rule || e.Account != a {
			msg = fmt.Sprintf("freeze of %s (rule %s, event %d) is not explained by a stored event", a.Hex(), f.Rule, f.Seq)
			return false
		}
		return true
	})
	if msg != "" {
		return "risk: " + msg, true
	}
	counts := map[types.Address]uint64{}
	var order []types.Address
	st.Iterate(prefixEvent, state.PrefixEnd(prefixEvent), false, func(key, _ []byte) bool {
		a := types.Address(key[len(prefixEvent) : len(prefixEvent)+20])
		if counts[a] == 0 {
			order = append(order, a)
		}
		counts[a]++
		return true
	})
	for _, a := range order {
		if p := k.GetProfile(st, a); p.Events != counts[a] {
			return fmt.Sprintf("risk: %s profile counts %d events, %d stored", a.Hex(), p.Events, counts[a]), true
		}
	}
	return "", false
}
