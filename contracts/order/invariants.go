package order

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Escrowed adds up the amounts of every open order (LOCKED, PAID,
// DISPUTED).
func (Keeper) Escrowed(st state.Store) (uint64, error) {
	var sum uint64
	var err error
	st.Iterate(prefixOrder, state.PrefixEnd(prefixOrder), false, func(k, v []byte) bool {
		var o Order
		if err = core.Decode(v, &o); err != nil {
			err = fmt.Errorf("order %x: %w", k, err)
			return false
		}
		if o.State.Open() {
			sum, err = types.AddAmount(sum, o.Amount)
		}
		return err == nil
	})
	return sum, err
}

// EscrowInvariant checks that the escrow account holds at least the sum of
// open orders (more only if someone sent USDT to it directly) and that
// exactly the open orders with a running timer are queued, each once,
// under its deadline; a paused one is not queued and has a frozen party;
// every timer is indexed under both parties. It walks every order: for tests and audits, not for each block
// of a production node.
func (k Keeper) EscrowInvariant(st state.Store) (string, bool) {
	sum, err := k.Escrowed(st)
	if err != nil {
		return "order escrow: " + err.Error(), true
	}
	if b := k.bank.Balance(st, EscrowAddress); b < sum {
		return fmt.Sprintf("order escrow: open orders hold %d, escrow account %d", sum, b), true
	}
	var msg string
	timed, running := 0, 0
	st.Iterate(prefixOrder, state.PrefixEnd(prefixOrder), false, func(_, v []byte) bool {
		var o Order
		_ = core.Decode(v, &o) // decoded above
		wantTimer := o.State == StateLocked || o.State == StatePaid
		switch {
		case o.Paused && (o.Deadline != 0 || o.Remaining == 0 || !wantTimer):
			msg = fmt.Sprintf("order %s: %s paused with deadline %d, remaining %d", o.ID.Hex(), o.State, o.Deadline, o.Remaining)
		case o.Paused && !k.frozen(st, o.Merchant) && !k.frozen(st, o.Acceptor):
			msg = fmt.Sprintf("order %s: paused with neither party frozen", o.ID.Hex())
		case !o.Paused && (wantTimer != (o.Deadline != 0) || o.Remaining != 0):
			msg = fmt.Sprintf("order %s: state %s with deadline %d, remaining %d", o.ID.Hex(), o.State, o.Deadline, o.Remaining)
		case wantTimer && (!st.Has(timedKey(o.Merchant, o.ID)) || !st.Has(timedKey(o.Acceptor, o.ID))):
			msg = fmt.Sprintf("order %s: %s timer not indexed under both parties", o.ID.Hex(), o.State)
		case wantTimer && !o.Paused:
			running++
			if !st.Has(queueKey(o.Deadline, o.ID)) {
				msg = fmt.Sprintf("order %s: %s timer %d not queued", o.ID.Hex(), o.State, o.Deadline)
			}
		}
		if wantTimer {
			timed++
		}
		return msg == ""
	})
	if msg != "" {
		return "order escrow: " + msg, true
	}
	queued := 0
	st.Iterate(prefixQueue, state.PrefixEnd(prefixQueue), false, func(key, _ []byte) bool {
		queued++
		if len(key) != len(prefixQueue)+40 {
			msg = fmt.Sprintf("queue key %x", key)
			return false
		}
		return true
	})
	if msg == "" && queued != running {
		msg = fmt.Sprintf("%d timers queued, %d orders have one running", queued, running)
	}
	indexed := 0
	st.Iterate(prefixTimed, state.PrefixEnd(prefixTimed), false, func(_, _ []byte) bool { indexed++; return true })
	if msg == "" && indexed != 2*timed {
		msg = fmt.Sprintf("%d timer index entries, %d orders have a timer (2 each)", indexed, timed)
	}
	if msg != "" {
		return "order escrow: " + msg, true
	}
	return "", false
}
