package arbitration

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/ledger/state"
)

// DisputeInvariant checks every dispute against its indexes and its
// subject: a voting dispute is queued once under its deadline and listed
// open; an escalated one is listed escalated with no timer; a resolved one
// is in no index, its payouts sum to the escrow, and its subject is closed;
// an unresolved one's subject is still in dispute; no arbitrator voted
// twice in a round; every voter sat on the panel of the last round or an
// earlier one. It walks every dispute: for tests and audits.
func (k Keeper) DisputeInvariant(st state.Store) (string, bool) {
	var msg string
	timers, open, esc := 0, 0, 0
	st.Iterate(prefixDispute, state.PrefixEnd(prefixDispute), false, func(key, v []byte) bool {
		var d Dispute
		if err := core.Decode(v, &d); err != nil {
			msg = fmt.Sprintf("dispute %x: %v", key, err)
			return false
		}
		isOpen := st.Has(slices.Concat(prefixOpen, d.ID[:]))
		isEsc := st.Has(slices.Concat(prefixEscalated, d.ID[:]))
		switch d.Phase {
		case PhasePanel, PhaseCommittee:
			timers++
			if d.Deadline == 0 || !st.Has(queueKey(d.Deadline, d.ID)) || !isOpen || isEsc {
				msg = fmt.Sprintf("dispute %s: %s, deadline %d, open %v, escalated %v", d.ID.Hex(), d.Phase, d.Deadline, isOpen, isEsc)
			}
		case PhaseEscalated:
			if d.Deadline != 0 || !isOpen || !isEsc {
				msg = fmt.Sprintf("dispute %s: ESCALATED, deadline %d, open %v, escalated %v", d.ID.Hex(), d.Deadline, isOpen, isEsc)
			}
		case PhaseResolved:
			if d.Deadline != 0 || isOpen || isEsc || d.Decision.ToA+d.Decision.ToB != d.Escrow || d.Decision.ToA > d.Escrow {
				msg = fmt.Sprintf("dispute %s: RESOLVED, deadline %d, open %v, escalated %v, payouts %d+%d of %d",
					d.ID.Hex(), d.Deadline, isOpen, isEsc, d.Decision.ToA, d.Decision.ToB, d.Escrow)
			}
		default:
			msg = fmt.Sprintf("dispute %s: phase %d", d.ID.Hex(), d.Phase)
		}
		if isOpen {
			open++
		}
		if isEsc {
			esc++
		}
		for i, v := range d.Votes {
			for _, w := range d.Votes[:i] {
				if w.Round == v.Round && w.Arbitrator == v.Arbitrator {
					msg = fmt.Sprintf("dispute %s: %s voted twice in round %d", d.ID.Hex(), v.Arbitrator.Hex(), v.Round)
				}
			}
		}
		if msg == "" {
			msg = k.subjectMatches(st, &d)
		}
		return msg == ""
	})
	if msg != "" {
		return "arbitration: " + msg, true
	}
	queued, indexedOpen, indexedEsc := 0, 0, 0
	st.Iterate(prefixQueue, state.PrefixEnd(prefixQueue), false, func(_, _ []byte) bool { queued++; return true })
	st.Iterate(prefixOpen, state.PrefixEnd(prefixOpen), false, func(_, _ []byte) bool { indexedOpen++; return true })
	st.Iterate(prefixEscalated, state.PrefixEnd(prefixEscalated), false, func(_, _ []byte) bool { indexedEsc++; return true })
	if queued != timers || indexedOpen != open || indexedEsc != esc {
		return fmt.Sprintf("arbitration: %d timers for %d voting disputes, %d/%d open, %d/%d escalated",
			queued, timers, indexedOpen, open, indexedEsc, esc), true
	}
	return "", false
}

func (k Keeper) subjectMatches(st state.Store, d *Dispute) string {
	resolved := d.Phase == PhaseResolved
	switch d.Kind {
	case KindOrder:
		if k.orders == nil {
			return ""
		}
		o, err := k.orders.GetOrder(st, d.Subject)
		if err != nil {
			return err.Error()
		}
		closed := o.State == order.StateResolvedRelease || o.State == order.StateResolvedRefund || o.State == order.StateResolvedSplit
		if (resolved && !closed) || (!resolved && o.State != order.StateDisputed) || o.Amount != d.Escrow {
			return fmt.Sprintf("dispute %s %s, order %s %s", d.ID.Hex(), d.Phase, o.ID.Hex(), o.State)
		}
	case KindPayment:
		if k.payments == nil {
			return ""
		}
		p, err := k.payments.GetPayment(st, d.Subject)
		if err != nil {
			return err.Error()
		}
		if (resolved && p.State != pay.StateResolved) || (!resolved && p.State != pay.StateDisputed) || p.Amount != d.Escrow {
			return fmt.Sprintf("dispute %s %s, payment %s %s", d.ID.Hex(), d.Phase, p.ID.Hex(), p.State)
		}
	default:
		return fmt.Sprintf("dispute %s: kind %d", d.ID.Hex(), d.Kind)
	}
	return ""
}
