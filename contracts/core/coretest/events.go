package coretest

import "github.com/accordnet/accord/types"

// EventPinged is emitted by every successful ping.
type EventPinged struct {
	By      types.Address `event:"by"`
	Add     uint64        `event:"add"`
	Counter uint64        `event:"counter"`
}

// EventType implements core.Event.
func (EventPinged) EventType() string { return "coretest.pinged" }
