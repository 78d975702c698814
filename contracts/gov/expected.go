package gov

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// DisputeResolver carries out a ResolveDispute action: arbitration's
// Keeper implements it with ResolveEscalated. It must refuse (and change
// nothing) unless the dispute is escalated to governance and the decision
// is valid for it (reason code, payouts summing to the escrow).
type DisputeResolver interface {
	ResolveDispute(ctx *core.Context, r *ResolveDispute) error
}

// BridgeGov carries out SetBridgePaused: main's bridge keeper implements
// it. Pause refuses a paused bridge, Unpause one that is not.
type BridgeGov interface {
	Pause(ctx *core.Context) error
	Unpause(ctx *core.Context) error
}

// CheckpointGov carries out ResumeCheckpoints and ReplaceCheckpointSet:
// the checkpoint keeper implements it. Resume refuses an unknown or
// unhalted chain; ReplaceValidators an unknown chain or a bad set.
type CheckpointGov interface {
	Resume(ctx *core.Context, chain string) error
	ReplaceValidators(ctx *core.Context, chain string, vals []types.Address) error
}

// LightClientGov carries out UnfreezeLightClient: the light client
// keeper implements it, refusing a client of another chain or one that
// is not frozen.
type LightClientGov interface {
	Unfreeze(ctx *core.Context, chain string) error
}
