package side

import (
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// EventMinted is emitted when a main-chain lock is minted here: lock (the
// proof.LockID), recipient, amount. A burn emits bridge.BurnedEvent
// (declared in contracts/bridge, whose release decodes it).
const EventMinted = "bridge.minted"

// MintedEvent: a proven main-chain lock was minted on this chain.
type MintedEvent struct {
	Lock      types.Hash    `event:"lock"`
	Recipient types.Address `event:"recipient"`
	Amount    uint64        `event:"amount"`
}

func (MintedEvent) EventType() string { return EventMinted }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event { return []core.Event{MintedEvent{}, bridge.BurnedEvent{}} }

var _ core.EventDeclarer = Module{}
