package oracle

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by oracle.
const (
	EventRatePosted = "oracle.rate_posted" // oracle, currency, rate (decimal, fiat per USDT), rate_e8
)

// RatePostedEvent: an oracle posted a rate (Rate is the decimal fiat per
// USDT, RateE8 the same scaled by 1e8).
type RatePostedEvent struct {
	Oracle   types.Address `event:"oracle"`
	Currency string        `event:"currency"`
	Rate     string        `event:"rate"`
	RateE8   uint64        `event:"rate_e8"`
}

// EventType implements core.Event.
func (RatePostedEvent) EventType() string { return EventRatePosted }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event { return []core.Event{RatePostedEvent{}} }
