package order

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Timers pause while a party is frozen. A frozen merchant cannot mark an
// order paid, so letting its payment window run out would expire the
// order on a risk signal rather than on the merchant's silence; a frozen
// acceptor's release window would likewise turn into a dispute while it
// is under review. So, in the transaction (or block start) that freezes
// an account, every open order of it with a timer leaves the queue and
// keeps the ms it had left; when neither party is frozen any more, the
// unfreeze puts it back with deadline = unfreeze time + that remainder.
// Everything is block time, so replaying the chain pauses and resumes the
// same orders at the same instants.
//
// Work: a freeze or an unfreeze visits the account's orders with a timer
// (the "order/t/" index), never the queue; BeginBlock's timer loop stays
// bounded by max_timeouts_per_block and sees only running timers.
//
// A timer already due when the freeze comes (deadline ≤ block time: it
// ran out before the freeze, and only BeginBlock's backlog has not reached
// it) is not paused; the order's messages refuse it already
// (ErrWindowClosed), so pausing it would revive a closed window.

// TimedOf lists the IDs of a's orders (as merchant or acceptor) with a
// running or paused timer, in ID order.
func (Keeper) TimedOf(st state.Store, a types.Address) []types.Hash {
	p := slices.Concat(prefixTimed, a[:])
	var out []types.Hash
	st.Iterate(p, state.PrefixEnd(p), false, func(key, _ []byte) bool {
		out = append(out, types.Hash(key[len(p):]))
		return true
	})
	return out
}

// TimeLeft is the ms o's timer has left at block time now: its remainder
// while paused, 0 without a timer or once due.
func (o *Order) TimeLeft(now uint64) uint64 {
	switch {
	case o.Paused:
		return o.Remaining
	case o.Deadline > now:
		return o.Deadline - now
	}
	return 0
}

// AccountFrozen pauses the timers of a's open orders. The risk module
// calls it (as its FreezeHook) in the transaction that freezes a, after
// the freeze is recorded; so may any Freezer implementation.
func (k Keeper) AccountFrozen(ctx *core.Context, a types.Address) error {
	for _, id := range k.TimedOf(ctx.Store, a) {
		o, err := k.GetOrder(ctx.Store, id)
		if err != nil {
			return err
		}
		if err := k.pause(ctx, o, a); err != nil {
			return err
		}
	}
	return nil
}

// AccountUnfrozen restarts the paused timers of a's open orders whose
// other party is not frozen either. The risk module calls it in the
// transaction that lifts a's freeze, after the freeze is gone.
func (k Keeper) AccountUnfrozen(ctx *core.Context, a types.Address) error {
	st, now := ctx.Store, ctx.Block.Time
	for _, id := range k.TimedOf(st, a) {
		o, err := k.GetOrder(st, id)
		if err != nil {
			return err
		}
		if !o.Paused || k.frozen(st, o.Merchant) || k.frozen(st, o.Acceptor) {
			continue
		}
		deadline, err := types.AddAmount(now, o.Remaining)
		if err != nil {
			return wrap(o.ID, fmt.Errorf("resume: %w", err))
		}
		o.Deadline, o.Paused, o.Remaining = deadline, false, 0
		k.setOrder(st, o)
		st.Set(queueKey(o.Deadline, o.ID), []byte{})
		ctx.EmitEvent(ResumedEvent{ID: o.ID, State: o.State.String(), Account: a, Deadline: o.Deadline})
	}
	return nil
}

// pauseIfFrozen pauses o's new timer when a party is frozen already
// (a merchant marking paid an order whose acceptor is frozen).
func (k Keeper) pauseIfFrozen(ctx *core.Context, o *Order) error {
	for _, a := range []types.Address{o.Acceptor, o.Merchant} {
		if k.frozen(ctx.Store, a) {
			return k.pause(ctx, o, a)
		}
	}
	return nil
}

// pause takes o's running timer out of the queue, keeping the time left;
// frozen is the party whose freeze caused it.
func (k Keeper) pause(ctx *core.Context, o *Order, frozen types.Address) error {
	st, now := ctx.Store, ctx.Block.Time
	if o.Paused || o.Deadline <= now {
		return nil
	}
	if o.State != StateLocked && o.State != StatePaid {
		return wrap(o.ID, fmt.Errorf("timer in state %s: %w", o.State, ErrCorrupt))
	}
	st.Delete(queueKey(o.Deadline, o.ID))
	o.Remaining, o.Deadline, o.Paused = o.Deadline-now, 0, true
	k.setOrder(st, o)
	ctx.EmitEvent(PausedEvent{ID: o.ID, State: o.State.String(), Account: frozen, RemainingMs: o.Remaining})
	return nil
}
