package acceptor

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the acceptor module. Attributes are listed after
// each; amounts are micro-USDT decimal integers, times block-time ms.
const (
	EventRegistered      = "acceptor.registered"       // address, currencies, min_order, max_order
	EventUpdated         = "acceptor.updated"          // address, currencies, min_order, max_order
	EventFloatDeposited  = "acceptor.float_deposited"  // address, amount, float
	EventFloatWithdrawn  = "acceptor.float_withdrawn"  // address, amount, float
	EventMarginDeposited = "acceptor.margin_deposited" // address, amount, margin
	EventMarginWithdrawn = "acceptor.margin_withdrawn" // address, amount, margin
	EventPaused          = "acceptor.paused"           // address
	EventResumed         = "acceptor.resumed"          // address
	EventSlashed         = "acceptor.slashed"          // address, to, amount, margin
	EventReputation      = "acceptor.reputation"       // address, reputation, previous, reason
)

// RegisteredEvent: an acceptor registered, with its public profile and
// starting reputation.
type RegisteredEvent struct {
	Address    types.Address `event:"address"`
	Currencies []string      `event:"currencies"`
	Methods    uint64        `event:"methods"`
	MinOrder   uint64        `event:"min_order"`
	MaxOrder   uint64        `event:"max_order"`
	Reputation uint64        `event:"reputation"`
}

// UpdatedEvent: the acceptor changed its profile.
type UpdatedEvent struct {
	Address    types.Address `event:"address"`
	Currencies []string      `event:"currencies"`
	Methods    uint64        `event:"methods"`
	MinOrder   uint64        `event:"min_order"`
	MaxOrder   uint64        `event:"max_order"`
}

// FloatDepositedEvent and FloatWithdrawnEvent: the acceptor moved float;
// Float is the balance after.
type FloatDepositedEvent struct {
	Address types.Address `event:"address"`
	Amount  uint64        `event:"amount"`
	Float   uint64        `event:"float"`
}

// FloatWithdrawnEvent: see FloatDepositedEvent.
type FloatWithdrawnEvent struct {
	Address types.Address `event:"address"`
	Amount  uint64        `event:"amount"`
	Float   uint64        `event:"float"`
}

// MarginDepositedEvent and MarginWithdrawnEvent: the acceptor moved
// margin; Margin is the balance after.
type MarginDepositedEvent struct {
	Address types.Address `event:"address"`
	Amount  uint64        `event:"amount"`
	Margin  uint64        `event:"margin"`
}

// MarginWithdrawnEvent: see MarginDepositedEvent.
type MarginWithdrawnEvent struct {
	Address types.Address `event:"address"`
	Amount  uint64        `event:"amount"`
	Margin  uint64        `event:"margin"`
}

// PausedEvent and ResumedEvent: the acceptor stopped or resumed taking
// orders.
type PausedEvent struct {
	Address types.Address `event:"address"`
}

// ResumedEvent: see PausedEvent.
type ResumedEvent struct {
	Address types.Address `event:"address"`
}

// SlashedEvent: margin paid to the wronged party of a lost dispute.
type SlashedEvent struct {
	Address types.Address `event:"address"`
	To      types.Address `event:"to"`
	Amount  uint64        `event:"amount"`
	Margin  uint64        `event:"margin"`
}

// ReputationEvent: the score changed.
type ReputationEvent struct {
	Address    types.Address `event:"address"`
	Reputation uint64        `event:"reputation"`
	Previous   uint64        `event:"previous"`
	Reason     string        `event:"reason"`
}

// EventType implements core.Event.
func (RegisteredEvent) EventType() string      { return EventRegistered }
func (UpdatedEvent) EventType() string         { return EventUpdated }
func (FloatDepositedEvent) EventType() string  { return EventFloatDeposited }
func (FloatWithdrawnEvent) EventType() string  { return EventFloatWithdrawn }
func (MarginDepositedEvent) EventType() string { return EventMarginDeposited }
func (MarginWithdrawnEvent) EventType() string { return EventMarginWithdrawn }
func (PausedEvent) EventType() string          { return EventPaused }
func (ResumedEvent) EventType() string         { return EventResumed }
func (SlashedEvent) EventType() string         { return EventSlashed }
func (ReputationEvent) EventType() string      { return EventReputation }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{RegisteredEvent{}, UpdatedEvent{}, FloatDepositedEvent{}, FloatWithdrawnEvent{}, MarginDepositedEvent{},
		MarginWithdrawnEvent{}, PausedEvent{}, ResumedEvent{}, SlashedEvent{}, ReputationEvent{}}
}
