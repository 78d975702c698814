package bank

import (
	"encoding/binary"
	"fmt"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// SupplyInvariant checks that the balances of all accounts add up to the
// recorded supply, with no overflow. It returns a message and whether the
// invariant is broken.
func (k Keeper) SupplyInvariant(st state.Store) (string, bool) {
	var sum uint64
	var err error
	st.Iterate(prefixAccount, state.PrefixEnd(prefixAccount), false, func(_, v []byte) bool {
		if len(v) != 16 {
			err = fmt.Errorf("account record of %d bytes", len(v))
			return false
		}
		sum, err = types.AddAmount(sum, binary.BigEndian.Uint64(v[:8]))
		return err == nil
	})
	if err != nil {
		return "bank supply: " + err.Error(), true
	}
	if s := k.Supply(st); s != sum {
		return fmt.Sprintf("bank supply: recorded %d, balances sum to %d", s, sum), true
	}
	return "", false
}
