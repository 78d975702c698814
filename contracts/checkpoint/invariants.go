package checkpoint

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
)

// Invariants checks every registered chain: its set is stored, its
// checkpoints 1..LastNumber exist with contiguous ranges from FirstHeight
// to LastEnd, each names its chain and number, and each one's next set is
// the set the following one was signed by (or gov replaced it). It walks
// every checkpoint: for tests and audits, not for each block.
func (k Keeper) Invariants(st state.Store) (string, bool) {
	var chains []Chain
	var err error
	st.Iterate(prefixChain, state.PrefixEnd(prefixChain), false, func(_, v []byte) bool {
		var c Chain
		if err = core.Decode(v, &c); err != nil {
			return false
		}
		chains = append(chains, c)
		return true
	})
	if err != nil {
		return "checkpoint: " + err.Error(), true
	}
	for _, c := range chains {
		if _, err := k.ValidatorSet(st, c.ValidatorsHash); err != nil {
			return fmt.Sprintf("checkpoint %q: %v", c.ID, err), true
		}
		next := c.FirstHeight
		for n := uint64(1); n <= c.LastNumber; n++ {
			a, err := k.ByNumber(st, c.ID, n)
			if err != nil {
				return fmt.Sprintf("checkpoint %q: %v", c.ID, err), true
			}
			cp := a.Checkpoint
			if cp.ChainID != c.ID || cp.Number != n || cp.Start != next || cp.End < cp.Start {
				return fmt.Sprintf("checkpoint %q #%d: [%d, %d] of %q #%d, expected start %d", c.ID, n, cp.Start, cp.End, cp.ChainID, cp.Number, next), true
			}
			next = cp.End + 1
		}
		if next != c.LastEnd+1 {
			return fmt.Sprintf("checkpoint %q: last end %d, checkpoints end at %d", c.ID, c.LastEnd, next-1), true
		}
		if _, err := k.ByNumber(st, c.ID, c.LastNumber+1); err == nil {
			return fmt.Sprintf("checkpoint %q: checkpoint %d stored past the last", c.ID, c.LastNumber+1), true
		}
	}
	return "", false
}
