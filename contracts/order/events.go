package order

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the order module: one per state transition, each
// carrying the order "id" and its new "state", then the attributes listed.
// Amounts are micro-USDT decimal integers, times block-time ms.
const (
	EventCreated         = "order.created"          // merchant, merchant_ref, currency, fiat_amount, amount
	EventLocked          = "order.locked"           // merchant, acceptor, amount, method, pay_deadline
	EventRejected        = "order.rejected"         // merchant, reason
	EventPaid            = "order.paid"             // merchant, acceptor, payment_ref, release_deadline
	EventCompleted       = "order.completed"        // merchant, acceptor, amount, to_merchant, commission, fee, release_ms
	EventCancelled       = "order.cancelled"        // merchant, acceptor, amount, cancels_today
	EventExpired         = "order.expired"          // merchant, acceptor, amount
	EventExtended        = "order.extended"         // acceptor, pay_deadline
	EventDisputed        = "order.disputed"         // merchant, acceptor, by (merchant|acceptor|timeout), evidence
	EventResolvedRelease = "order.resolved_release" // merchant, acceptor, to_merchant, fee, slashed
	EventResolvedRefund  = "order.resolved_refund"  // merchant, acceptor, amount
	EventResolvedSplit   = "order.resolved_split"   // merchant, acceptor, to_merchant, to_acceptor, fee, slashed
	EventPaused          = "order.paused"           // account (the frozen party), remaining_ms
	EventResumed         = "order.resumed"          // account (the unfrozen party), deadline
)

// The events as Go types (core.EmitEvent encodes them in field order).
// Every one starts with the order's id and new state.

// CreatedEvent: an order was created.
type CreatedEvent struct {
	ID          types.Hash    `event:"id"`
	State       string        `event:"state"`
	Merchant    types.Address `event:"merchant"`
	MerchantRef string        `event:"merchant_ref"`
	Currency    string        `event:"currency"`
	FiatAmount  uint64        `event:"fiat_amount"`
	Amount      uint64        `event:"amount"`
}

// LockedEvent: an acceptor was assigned and its float locked in escrow.
type LockedEvent struct {
	ID          types.Hash    `event:"id"`
	State       string        `event:"state"`
	Merchant    types.Address `event:"merchant"`
	Acceptor    types.Address `event:"acceptor"`
	Amount      uint64        `event:"amount"`
	Method      types.Hash    `event:"method"`
	PayDeadline uint64        `event:"pay_deadline"`
}

// RejectedEvent: nobody was eligible.
type RejectedEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Merchant types.Address `event:"merchant"`
	Reason   string        `event:"reason"`
}

// PaidEvent: the merchant marked the order paid.
type PaidEvent struct {
	ID              types.Hash    `event:"id"`
	State           string        `event:"state"`
	Merchant        types.Address `event:"merchant"`
	Acceptor        types.Address `event:"acceptor"`
	PaymentRef      types.Hash    `event:"payment_ref"`
	ReleaseDeadline uint64        `event:"release_deadline"`
}

// CompletedEvent: the acceptor confirmed; the escrow was released.
type CompletedEvent struct {
	ID         types.Hash    `event:"id"`
	State      string        `event:"state"`
	Merchant   types.Address `event:"merchant"`
	Acceptor   types.Address `event:"acceptor"`
	Amount     uint64        `event:"amount"`
	ToMerchant uint64        `event:"to_merchant"`
	Commission uint64        `event:"commission"`
	Fee        uint64        `event:"fee"`
	ReleaseMs  uint64        `event:"release_ms"`
}

// CancelledEvent: the merchant cancelled.
type CancelledEvent struct {
	ID           types.Hash    `event:"id"`
	State        string        `event:"state"`
	Merchant     types.Address `event:"merchant"`
	Acceptor     types.Address `event:"acceptor"`
	Amount       uint64        `event:"amount"`
	CancelsToday uint64        `event:"cancels_today"`
}

// ExpiredEvent: the payment window passed.
type ExpiredEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Merchant types.Address `event:"merchant"`
	Acceptor types.Address `event:"acceptor"`
	Amount   uint64        `event:"amount"`
}

// ExtendedEvent: the acceptor extended the payment window. While the order
// is paused (a party frozen) PayDeadline is 0 and RemainingMs holds the
// extended remainder.
type ExtendedEvent struct {
	ID          types.Hash    `event:"id"`
	State       string        `event:"state"`
	Acceptor    types.Address `event:"acceptor"`
	PayDeadline uint64        `event:"pay_deadline"`
	RemainingMs uint64        `event:"remaining_ms,omitempty"`
}

// ResolvedSplitEvent: an arbitrated division of the escrow.
type ResolvedSplitEvent struct {
	ID         types.Hash    `event:"id"`
	State      string        `event:"state"`
	Merchant   types.Address `event:"merchant"`
	Acceptor   types.Address `event:"acceptor"`
	ToMerchant uint64        `event:"to_merchant"`
	ToAcceptor uint64        `event:"to_acceptor"`
	Fee        uint64        `event:"fee"`
	Slashed    uint64        `event:"slashed"`
}

// PausedEvent: a party was frozen; the order's timer waits with
// RemainingMs left.
type PausedEvent struct {
	ID          types.Hash    `event:"id"`
	State       string        `event:"state"`
	Account     types.Address `event:"account"`
	RemainingMs uint64        `event:"remaining_ms"`
}

// ResumedEvent: the frozen party was unfrozen; the timer runs to Deadline.
type ResumedEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Account  types.Address `event:"account"`
	Deadline uint64        `event:"deadline"`
}

// DisputedEvent: a party (or the release timeout) opened a dispute.
type DisputedEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Merchant types.Address `event:"merchant"`
	Acceptor types.Address `event:"acceptor"`
	By       string        `event:"by"`
	Evidence types.Hash    `event:"evidence"`
}

// ResolvedReleaseEvent: a dispute was resolved for the merchant.
type ResolvedReleaseEvent struct {
	ID         types.Hash    `event:"id"`
	State      string        `event:"state"`
	Merchant   types.Address `event:"merchant"`
	Acceptor   types.Address `event:"acceptor"`
	ToMerchant uint64        `event:"to_merchant"`
	Fee        uint64        `event:"fee"`
	Slashed    uint64        `event:"slashed"`
}

// ResolvedRefundEvent: a dispute was resolved for the acceptor.
type ResolvedRefundEvent struct {
	ID       types.Hash    `event:"id"`
	State    string        `event:"state"`
	Merchant types.Address `event:"merchant"`
	Acceptor types.Address `event:"acceptor"`
	Amount   uint64        `event:"amount"`
}

// EventType implements core.Event.
func (CreatedEvent) EventType() string         { return EventCreated }
func (LockedEvent) EventType() string          { return EventLocked }
func (RejectedEvent) EventType() string        { return EventRejected }
func (PaidEvent) EventType() string            { return EventPaid }
func (CompletedEvent) EventType() string       { return EventCompleted }
func (CancelledEvent) EventType() string       { return EventCancelled }
func (ExpiredEvent) EventType() string         { return EventExpired }
func (ExtendedEvent) EventType() string        { return EventExtended }
func (DisputedEvent) EventType() string        { return EventDisputed }
func (ResolvedReleaseEvent) EventType() string { return EventResolvedRelease }
func (ResolvedRefundEvent) EventType() string  { return EventResolvedRefund }
func (ResolvedSplitEvent) EventType() string   { return EventResolvedSplit }
func (PausedEvent) EventType() string          { return EventPaused }
func (ResumedEvent) EventType() string         { return EventResumed }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{CreatedEvent{}, LockedEvent{}, RejectedEvent{}, PaidEvent{}, CompletedEvent{}, CancelledEvent{},
		ExpiredEvent{}, ExtendedEvent{}, DisputedEvent{}, ResolvedReleaseEvent{}, ResolvedRefundEvent{}, ResolvedSplitEvent{},
		PausedEvent{}, ResumedEvent{}}
}
