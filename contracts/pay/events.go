package pay

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the pay module, each carrying the payment "id" and
// its "state", then the attributes listed. Amounts are micro-USDT decimal
// integers, times block-time ms.
const (
	EventLocked   = "pay.locked"   // payer, payee, attester, amount, deadline
	EventReleased = "pay.released" // payee, amount, submitter
	EventRefunded = "pay.refunded" // payer, amount, reason (failed|expired)
	EventDisputed = "pay.disputed" // payer, payee, by (payer|payee), evidence
	EventResolved = "pay.resolved" // payer, payee, to_payee, to_payer
)

// The events as Go types (core.EmitEvent encodes them in field order).

// LockedEvent: a payment was locked in escrow.
type LockedEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Payer    types.Address `event:"payer"`
	Payee    types.Address `event:"payee"`
	Attester types.Address `event:"attester"`
	Amount   uint64        `event:"amount"`
	Deadline uint64        `event:"deadline"`
}

// ReleasedEvent: a "delivered" attestation released the payment.
type ReleasedEvent struct {
	ID        types.Hash    `event:"id"`
	State     string        `event:"state"`
	Payee     types.Address `event:"payee"`
	Amount    uint64        `event:"amount"`
	Submitter types.Address `event:"submitter"`
}

// RefundedEvent: the payer got the payment back (failed or expired).
type RefundedEvent struct {
	ID     types.Hash    `event:"id"`
	State  string        `event:"state"`
	Payer  types.Address `event:"payer"`
	Amount uint64        `event:"amount"`
	Reason string        `event:"reason"`
}

// DisputedEvent: a party disputed the payment.
type DisputedEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Payer    types.Address `event:"payer"`
	Payee    types.Address `event:"payee"`
	By       string        `event:"by"`
	Evidence types.Hash    `event:"evidence"`
}

// ResolvedEvent: arbitration paid the escrow out.
type ResolvedEvent struct {
	ID      types.Hash    `event:"id"`
	State   string        `event:"state"`
	Payer   types.Address `event:"payer"`
	Payee   types.Address `event:"payee"`
	ToPayee uint64        `event:"to_payee"`
	ToPayer uint64        `event:"to_payer"`
}

func (LockedEvent) EventType() string   { return EventLocked }
func (ReleasedEvent) EventType() string { return EventReleased }
func (RefundedEvent) EventType() string { return EventRefunded }
func (DisputedEvent) EventType() string { return EventDisputed }
func (ResolvedEvent) EventType() string { return EventResolved }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{LockedEvent{}, ReleasedEvent{}, RefundedEvent{}, DisputedEvent{}, ResolvedEvent{}}
}

var _ core.EventDeclarer = Module{}
