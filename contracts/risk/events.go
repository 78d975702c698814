package risk

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the risk module. Amounts are micro-USDT, ratios
// basis points, times block-time ms.
const (
	EventHit      = "risk.hit"      // account, rule, value, threshold, subject, seq, freeze (true|false)
	EventFrozen   = "risk.frozen"   // account, rule, seq
	EventUnfrozen = "risk.unfrozen" // account, officer, reason, seq
	EventMark     = "risk.mark"     // account, rule (dispute_loss), subject (the dispute), seq
)

// The events as Go types (core.EmitEvent encodes them in field order).

// HitEvent: a rule was hit (and, if it freezes, whether it froze the account).
type HitEvent struct {
	Account   types.Address `event:"account"`
	Rule      string        `event:"rule"`
	Value     uint64        `event:"value"`
	Threshold uint64        `event:"threshold"`
	Subject   types.Hash    `event:"subject"`
	Seq       uint64        `event:"seq"`
	Freeze    bool          `event:"freeze"`
}

// FrozenEvent: a hit froze the account.
type FrozenEvent struct {
	Account types.Address `event:"account"`
	Rule    string        `event:"rule"`
	Seq     uint64        `event:"seq"`
}

// UnfrozenEvent: a compliance officer lifted a freeze.
type UnfrozenEvent struct {
	Account types.Address `event:"account"`
	Officer types.Address `event:"officer"`
	Reason  types.Hash    `event:"reason"`
	Seq     uint64        `event:"seq"`
}

// MarkEvent: a lost dispute marked the account's record.
type MarkEvent struct {
	Account types.Address `event:"account"`
	Rule    string        `event:"rule"`
	Subject types.Hash    `event:"subject"`
	Seq     uint64        `event:"seq"`
}

func (HitEvent) EventType() string      { return EventHit }
func (FrozenEvent) EventType() string   { return EventFrozen }
func (UnfrozenEvent) EventType() string { return EventUnfrozen }
func (MarkEvent) EventType() string     { return EventMark }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{HitEvent{}, FrozenEvent{}, UnfrozenEvent{}, MarkEvent{}}
}

var _ core.EventDeclarer = Module{}
