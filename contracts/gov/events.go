package gov

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Event types emitted by gov. Every change of the admin set, of a role or of
// a parameter is an event, and so is every step of a proposal's life.
const (
	EventProposed          = "gov.proposed"           // id, proposer, actions, expires_at
	EventApproved          = "gov.approved"           // id, admin, approvals, threshold
	EventExecuted          = "gov.executed"           // id, approvals
	EventProposalCancelled = "gov.proposal_cancelled" // id, reason
	EventProposalExpired   = "gov.proposal_expired"   // id
	EventRoleGranted       = "gov.role_granted"       // address, role, proposal
	EventRoleRevoked       = "gov.role_revoked"       // address, role, proposal
	EventParamSet          = "gov.param_set"          // module, key, value, proposal
	EventAdminAdded        = "gov.admin_added"        // address, proposal
	EventAdminRemoved      = "gov.admin_removed"      // address, proposal
	EventThresholdSet      = "gov.threshold_set"      // threshold, proposal
	EventValidatorsSet     = "gov.validators_set"     // validators (comma-separated), effective_height, proposal
	EventDisputeResolved   = "gov.dispute_resolved"   // dispute, winner, reason, to_a, to_b, proposal
)

// ProposedEvent: a proposal was opened (Actions: comma-separated kinds).
type ProposedEvent struct {
	ID        uint64        `event:"id"`
	Proposer  types.Address `event:"proposer"`
	Actions   string        `event:"actions"`
	ExpiresAt uint64        `event:"expires_at"`
}

// ApprovedEvent: an admin approved (the proposer's own approval included).
type ApprovedEvent struct {
	ID        uint64        `event:"id"`
	Admin     types.Address `event:"admin"`
	Approvals uint64        `event:"approvals"`
	Threshold uint64        `event:"threshold"`
}

// ExecutedEvent: a proposal reached its threshold and ran.
type ExecutedEvent struct {
	ID        uint64 `event:"id"`
	Approvals uint64 `event:"approvals"`
}

// ProposalCancelledEvent: withdrawn, or dropped by an admin-set change.
type ProposalCancelledEvent struct {
	ID     uint64 `event:"id"`
	Reason string `event:"reason"`
}

// ProposalExpiredEvent: a proposal's time ran out.
type ProposalExpiredEvent struct {
	ID uint64 `event:"id"`
}

// RoleGrantedEvent and RoleRevokedEvent: a role changed by proposal.
type RoleGrantedEvent struct {
	Address  types.Address `event:"address"`
	Role     string        `event:"role"`
	Proposal uint64        `event:"proposal"`
}

// RoleRevokedEvent: see RoleGrantedEvent.
type RoleRevokedEvent struct {
	Address  types.Address `event:"address"`
	Role     string        `event:"role"`
	Proposal uint64        `event:"proposal"`
}

// ParamSetEvent: a parameter was set by proposal.
type ParamSetEvent struct {
	Module   string `event:"module"`
	Key      string `event:"key"`
	Value    string `event:"value"`
	Proposal uint64 `event:"proposal"`
}

// AdminAddedEvent and AdminRemovedEvent: the admin set changed.
type AdminAddedEvent struct {
	Address  types.Address `event:"address"`
	Proposal uint64        `event:"proposal"`
}

// AdminRemovedEvent: see AdminAddedEvent.
type AdminRemovedEvent struct {
	Address  types.Address `event:"address"`
	Proposal uint64        `event:"proposal"`
}

// ThresholdSetEvent: the approval threshold changed.
type ThresholdSetEvent struct {
	Threshold uint64 `event:"threshold"`
	Proposal  uint64 `event:"proposal"`
}

// ValidatorsSetEvent: a validator set was scheduled.
type ValidatorsSetEvent struct {
	Validators      []string `event:"validators"`
	EffectiveHeight uint64   `event:"effective_height"`
	Proposal        uint64   `event:"proposal"`
}

// DisputeResolvedEvent: a ResolveDispute action decided an escalated
// dispute (Winner and Reason are arbitration's numbers).
type DisputeResolvedEvent struct {
	Dispute  types.Hash `event:"dispute"`
	Winner   uint64     `event:"winner"`
	Reason   uint64     `event:"reason"`
	ToA      uint64     `event:"to_a"`
	ToB      uint64     `event:"to_b"`
	Proposal uint64     `event:"proposal"`
}

// EventType implements core.Event.
func (ProposedEvent) EventType() string          { return EventProposed }
func (ApprovedEvent) EventType() string          { return EventApproved }
func (ExecutedEvent) EventType() string          { return EventExecuted }
func (ProposalCancelledEvent) EventType() string { return EventProposalCancelled }
func (ProposalExpiredEvent) EventType() string   { return EventProposalExpired }
func (RoleGrantedEvent) EventType() string       { return EventRoleGranted }
func (RoleRevokedEvent) EventType() string       { return EventRoleRevoked }
func (ParamSetEvent) EventType() string          { return EventParamSet }
func (AdminAddedEvent) EventType() string        { return EventAdminAdded }
func (AdminRemovedEvent) EventType() string      { return EventAdminRemoved }
func (ThresholdSetEvent) EventType() string      { return EventThresholdSet }
func (ValidatorsSetEvent) EventType() string     { return EventValidatorsSet }
func (DisputeResolvedEvent) EventType() string   { return EventDisputeResolved }

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event {
	return []core.Event{ProposedEvent{}, ApprovedEvent{}, ExecutedEvent{}, ProposalCancelledEvent{}, ProposalExpiredEvent{},
		RoleGrantedEvent{}, RoleRevokedEvent{}, ParamSetEvent{}, AdminAddedEvent{}, AdminRemovedEvent{}, ThresholdSetEvent{},
		ValidatorsSetEvent{}, DisputeResolvedEvent{}}
}
