package kyc

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by kyc.
const (
	EventAttested = "kyc.attested" // account, provider, level, expires_at, country, record_hash
	EventRevoked  = "kyc.revoked"  // account, by, reason
)

// AttestedEvent: a provider attested an account.
type AttestedEvent struct {
	Account    types.Address `event:"account"`
	Provider   types.Address `event:"provider"`
	Level      uint8         `event:"level"`
	ExpiresAt  uint64        `event:"expires_at"`
	Country    string        `event:"country"`
	RecordHash types.Hash    `event:"record_hash"`
}

// RevokedEvent: an attestation was revoked.
type RevokedEvent struct {
	Account types.Address `event:"account"`
	By      types.Address `event:"by"`
	Reason  string        `event:"reason"`
}

// EventType implements core.Event.
func (AttestedEvent) EventType() string { return EventAttested }
func (RevokedEvent) EventType() string  { return EventRevoked }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event { return []core.Event{AttestedEvent{}, RevokedEvent{}} }
