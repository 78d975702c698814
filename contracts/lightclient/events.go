package lightclient

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the light client module.
const (
	EventUpdated   = "lightclient.updated"   // height, hash, validators_hash
	EventScheduled = "lightclient.scheduled" // effective_height, validators_hash
	EventFrozen    = "lightclient.frozen"    // height, trusted, conflicting
	EventUnfrozen  = "lightclient.unfrozen"  // latest (the newest trusted height)
)

// The events as Go types (core.EmitEvent encodes them in field order).

// UpdatedEvent: a certified main header is trusted.
type UpdatedEvent struct {
	Height         uint64     `event:"height"`
	Hash           types.Hash `event:"hash"`
	ValidatorsHash types.Hash `event:"validators_hash"`
}

// ScheduledEvent: a main validator-set change was learned.
type ScheduledEvent struct {
	EffectiveHeight uint64     `event:"effective_height"`
	ValidatorsHash  types.Hash `event:"validators_hash"`
}

// FrozenEvent: two certified headers at one height; the client froze.
type FrozenEvent struct {
	Height      uint64     `event:"height"`
	Trusted     types.Hash `event:"trusted"`
	Conflicting types.Hash `event:"conflicting"`
}

// UnfrozenEvent: gov unfroze the client.
type UnfrozenEvent struct {
	Latest uint64 `event:"latest"`
}

func (UpdatedEvent) EventType() string   { return EventUpdated }
func (ScheduledEvent) EventType() string { return EventScheduled }
func (FrozenEvent) EventType() string    { return EventFrozen }
func (UnfrozenEvent) EventType() string  { return EventUnfrozen }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{UpdatedEvent{}, ScheduledEvent{}, FrozenEvent{}, UnfrozenEvent{}}
}

var _ core.EventDeclarer = Module{}
