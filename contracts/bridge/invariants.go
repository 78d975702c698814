package bridge

import (
	"fmt"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// EscrowInvariant checks that the escrow holds at least what the side
// chains may still release (more only if someone sent USDT to it
// directly). It walks every side chain's lock total.
func (k Keeper) EscrowInvariant(st state.Store) (string, bool) {
	var sum uint64
	var err error
	st.Iterate(prefixLocked, state.PrefixEnd(prefixLocked), false, func(_, v []byte) bool {
		sum, err = types.AddAmount(sum, u64(v))
		return err == nil
	})
	if err != nil {
		return "bridge escrow: " + err.Error(), true
	}
	if b := k.bank.Balance(st, EscrowAddress); b < sum {
		return fmt.Sprintf("bridge escrow holds %s USDT, side chains may release %s", types.FormatUSDT(b), types.FormatUSDT(sum)), true
	}
	return "", false
}

// Pending is the amount burned on main for payouts not yet paid or
// refunded: part of the supply the external vault still backs.
func (k Keeper) Pending(st state.Store) (uint64, error) {
	var sum uint64
	var err error
	st.Iterate(prefixQueue, state.PrefixEnd(prefixQueue), false, func(key, _ []byte) bool {
		var w *Withdrawal
		if w, err = k.GetWithdrawal(st, u64(key[len(prefixQueue)+8:])); err != nil {
			return false
		}
		sum, err = types.AddAmount(sum, w.Amount)
		return err == nil
	})
	return sum, err
}
