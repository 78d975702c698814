package arbitration

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by the arbitration module, each carrying the dispute
// "id", then the attributes listed. Amounts are micro-USDT, times
// block-time ms, address lists comma-separated.
const (
	EventOpened    = "arbitration.opened"    // kind, subject, party_a, party_b, escrow, panel, threshold, deadline, evidence_until
	EventEvidence  = "arbitration.evidence"  // party, hash
	EventVoted     = "arbitration.voted"     // arbitrator, round, winner, reason, to_a, to_b
	EventCommittee = "arbitration.committee" // panel, threshold, deadline (the panel missed its deadline)
	EventEscalated = "arbitration.escalated" // reason (second deadline missed, or no arbitrator): governance decides
	EventResolved  = "arbitration.resolved"  // kind, subject, winner, reason, to_a, to_b, by (panel|committee|gov), duration_ms
)

// The events as Go types (core.EmitEvent encodes them in field order).

// OpenedEvent: a dispute opened (panel is comma-separated addresses).
type OpenedEvent struct {
	ID            types.Hash    `event:"id"`
	Kind          string        `event:"kind"`
	Subject       types.Hash    `event:"subject"`
	PartyA        types.Address `event:"party_a"`
	PartyB        types.Address `event:"party_b"`
	Escrow        uint64        `event:"escrow"`
	Panel         string        `event:"panel"`
	Threshold     uint64        `event:"threshold"`
	Deadline      uint64        `event:"deadline"`
	EvidenceUntil uint64        `event:"evidence_until"`
}

// EvidenceEvent: a party attached evidence.
type EvidenceEvent struct {
	ID    types.Hash    `event:"id"`
	Party types.Address `event:"party"`
	Hash  types.Hash    `event:"hash"`
}

// VotedEvent: an arbitrator voted.
type VotedEvent struct {
	ID         types.Hash    `event:"id"`
	Arbitrator types.Address `event:"arbitrator"`
	Round      uint64        `event:"round"`
	Winner     string        `event:"winner"`
	Reason     string        `event:"reason"`
	ToA        uint64        `event:"to_a"`
	ToB        uint64        `event:"to_b"`
}

// CommitteeEvent: the panel missed its deadline; the committee votes.
type CommitteeEvent struct {
	ID        types.Hash `event:"id"`
	Panel     string     `event:"panel"`
	Threshold uint64     `event:"threshold"`
	Deadline  uint64     `event:"deadline"`
}

// EscalatedEvent: governance decides.
type EscalatedEvent struct {
	ID     types.Hash `event:"id"`
	Reason string     `event:"reason"`
}

// ResolvedEvent: the dispute was decided and its escrow paid out.
type ResolvedEvent struct {
	ID         types.Hash `event:"id"`
	Kind       string     `event:"kind"`
	Subject    types.Hash `event:"subject"`
	Winner     string     `event:"winner"`
	Reason     string     `event:"reason"`
	ToA        uint64     `event:"to_a"`
	ToB        uint64     `event:"to_b"`
	By         string     `event:"by"`
	DurationMs uint64     `event:"duration_ms"`
}

func (OpenedEvent) EventType() string    { return EventOpened }
func (EvidenceEvent) EventType() string  { return EventEvidence }
func (VotedEvent) EventType() string     { return EventVoted }
func (CommitteeEvent) EventType() string { return EventCommittee }
func (EscalatedEvent) EventType() string { return EventEscalated }
func (ResolvedEvent) EventType() string  { return EventResolved }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{OpenedEvent{}, EvidenceEvent{}, VotedEvent{}, CommitteeEvent{}, EscalatedEvent{}, ResolvedEvent{}}
}

var _ core.EventDeclarer = Module{}
