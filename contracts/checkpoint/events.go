package checkpoint

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the checkpoint module. Every event names the side
// chain ("chain"), then the attributes listed.
const (
	EventAnchored   = "checkpoint.anchored"            // number, start, end, blocks_root, hash, signers
	EventHandover   = "checkpoint.handover"            // number, validators_hash (the set that signs the next checkpoint)
	EventConflict   = "checkpoint.conflict"            // number, anchored, conflicting (hashes); the chain is halted
	EventResumed    = "checkpoint.resumed"             //
	EventRegistered = "checkpoint.registered"          // validators_hash, first_height
	EventReplaced   = "checkpoint.validators_replaced" // validators_hash (by gov)
)

// The events as Go types (core.EmitEvent encodes them in field order).

// AnchoredEvent: a checkpoint was anchored.
type AnchoredEvent struct {
	Chain      string     `event:"chain"`
	Number     uint64     `event:"number"`
	Start      uint64     `event:"start"`
	End        uint64     `event:"end"`
	BlocksRoot types.Hash `event:"blocks_root"`
	Hash       types.Hash `event:"hash"`
	Signers    uint64     `event:"signers"`
}

// HandoverEvent: the anchored checkpoint handed over to the next set.
type HandoverEvent struct {
	Chain          string     `event:"chain"`
	Number         uint64     `event:"number"`
	ValidatorsHash types.Hash `event:"validators_hash"`
}

// ConflictEvent: a validly signed checkpoint conflicts with an anchored
// one; it is stored as evidence and the chain is halted.
type ConflictEvent struct {
	Chain       string     `event:"chain"`
	Number      uint64     `event:"number"`
	Anchored    types.Hash `event:"anchored"`
	Conflicting types.Hash `event:"conflicting"`
}

// ResumedEvent: gov lifted a chain's halt.
type ResumedEvent struct {
	Chain string `event:"chain"`
}

// RegisteredEvent: a side chain was registered.
type RegisteredEvent struct {
	Chain          string     `event:"chain"`
	ValidatorsHash types.Hash `event:"validators_hash"`
	FirstHeight    uint64     `event:"first_height"`
}

// ReplacedEvent: gov replaced a chain's validator set.
type ReplacedEvent struct {
	Chain          string     `event:"chain"`
	ValidatorsHash types.Hash `event:"validators_hash"`
}

func (AnchoredEvent) EventType() string   { return EventAnchored }
func (HandoverEvent) EventType() string   { return EventHandover }
func (ConflictEvent) EventType() string   { return EventConflict }
func (ResumedEvent) EventType() string    { return EventResumed }
func (RegisteredEvent) EventType() string { return EventRegistered }
func (ReplacedEvent) EventType() string   { return EventReplaced }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{AnchoredEvent{}, HandoverEvent{}, ConflictEvent{}, ResumedEvent{}, RegisteredEvent{}, ReplacedEvent{}}
}

var _ core.EventDeclarer = Module{}
