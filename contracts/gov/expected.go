package gov

import "github.com/accordnet/accord/contracts/core"

// DisputeResolver carries out a ResolveDispute action: arbitration's
// Keeper implements it with ResolveEscalated. It must refuse (and change
// nothing) unless the dispute is escalated to governance and the decision
// is valid for it (reason code, payouts summing to the escrow).
type DisputeResolver interface {
	ResolveDispute(ctx *core.Context, r *ResolveDispute) error
}
