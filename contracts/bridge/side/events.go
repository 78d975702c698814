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

// EventReleaseAcked is emitted when main's release of a burn of this chain
// is shown here (MsgAckRelease): the burn's block is no longer retained.
const EventReleaseAcked = "bridge.release_acked"

// ReleaseAckedEvent: main released the burn with Nonce at Height (its
// proof.BurnID is Burn); pruning may now delete that block.
type ReleaseAckedEvent struct {
	Height uint64     `event:"height"`
	Nonce  uint64     `event:"nonce"`
	Burn   types.Hash `event:"burn"`
}

func (ReleaseAckedEvent) EventType() string { return EventReleaseAcked }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{MintedEvent{}, ReleaseAckedEvent{}, bridge.BurnedEvent{}}
}

var _ core.EventDeclarer = Module{}
