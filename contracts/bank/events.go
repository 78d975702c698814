package bank

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the bank.
const (
	EventTransfer = "bank.transfer"
)

// TransferEvent: a plain transfer (amount in micro-USDT).
type TransferEvent struct {
	From   types.Address `event:"from"`
	To     types.Address `event:"to"`
	Amount uint64        `event:"amount"`
}

// EventType implements core.Event.
func (TransferEvent) EventType() string { return EventTransfer }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event { return []core.Event{TransferEvent{}} }
