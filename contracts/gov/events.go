package gov

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
