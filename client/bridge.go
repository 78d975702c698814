package client

import (
	"context"
	"strconv"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/bridge"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/types"
)

// The two-chain queries: the bridge and checkpoint modules of a main
// chain, the bridge and light-client modules of a side chain, and the
// node's block, validator-set and proof reads a relayer needs. A missing
// record is a *wire.Error with wire.CodeNotFound; a method the chain's
// profile does not serve (a side-chain query asked of main) is
// wire.CodeMethodNotFound. The bridge signer, relayer and checkpointer
// read the chains through these same methods (sidechain/rpcchain).

// RawBlock returns a committed block as a light client re-verifies it:
// the canonical RLP of its header, commit certificate and receipts.
func (c *Client) RawBlock(ctx context.Context, height uint64) (*views.RawBlock, error) {
	var v views.RawBlock
	return &v, c.Call(ctx, "accord_getRawBlock", &v, height)
}

// BlockHashes returns the hashes of blocks start..end in height order
// (the node answers at most 65,536 a call).
func (c *Client) BlockHashes(ctx context.Context, start, end uint64) ([]types.Hash, error) {
	var v []types.Hash
	return v, c.Call(ctx, "accord_getBlockHashes", &v, start, end)
}

// Validators returns the validator set that finalizes block height (up
// to the head + 1), in index order, and its hash.
func (c *Client) Validators(ctx context.Context, height uint64) (*views.Validators, error) {
	var v views.Validators
	return &v, c.Call(ctx, "accord_getValidators", &v, height)
}

// BurnProof asks a side chain where the burn in transaction tx is. With
// start and end, the range of the main-chain checkpoint covering it
// (CheckpointCovering), the answer carries the proof a release on main
// takes; with both zero it only locates the burn.
func (c *Client) BurnProof(ctx context.Context, tx types.Hash, start, end uint64) (*views.BurnProof, error) {
	var v views.BurnProof
	if start == 0 && end == 0 {
		return &v, c.Call(ctx, sidebridge.QueryBurnProof, &v, tx.Hex())
	}
	return &v, c.Call(ctx, sidebridge.QueryBurnProof, &v, tx.Hex(), start, end)
}

// BridgeDeposit returns an external deposit's attestations and whether it
// was minted (main chain).
func (c *Client) BridgeDeposit(ctx context.Context, id types.Hash) (*bridge.DepositView, error) {
	var v bridge.DepositView
	return &v, c.Call(ctx, bridge.QueryDeposit, &v, id.Hex())
}

// BridgeWithdrawal returns a payout request and its state (main chain).
func (c *Client) BridgeWithdrawal(ctx context.Context, id uint64) (*bridge.WithdrawalView, error) {
	var v bridge.WithdrawalView
	return &v, c.Call(ctx, bridge.QueryWithdrawal, &v, strconv.FormatUint(id, 10))
}

// BridgeBurn reports whether a side-chain burn was released on main.
func (c *Client) BridgeBurn(ctx context.Context, burnID types.Hash) (*bridge.BurnView, error) {
	var v bridge.BurnView
	return &v, c.Call(ctx, bridge.QueryBurn, &v, burnID.Hex())
}

// BridgeLocked returns the escrow main holds for a side chain, which that
// chain's burns may still release.
func (c *Client) BridgeLocked(ctx context.Context, sideChain string) (*bridge.LockedView, error) {
	var v bridge.LockedView
	return &v, c.Call(ctx, bridge.QueryLocked, &v, sideChain)
}

// BridgeLock reports whether a main-chain lock was minted on this side
// chain.
func (c *Client) BridgeLock(ctx context.Context, lockID types.Hash) (*sidebridge.LockView, error) {
	var v sidebridge.LockView
	return &v, c.Call(ctx, sidebridge.QueryLock, &v, lockID.Hex())
}

// BurnHold reports whether the burn with nonce at side height still holds
// its block back from the side chain's pruning (main's release of it not
// shown there yet), and the lowest height any burn holds.
func (c *Client) BurnHold(ctx context.Context, height, nonce uint64) (*sidebridge.HoldView, error) {
	var v sidebridge.HoldView
	return &v, c.Call(ctx, sidebridge.QueryBurnHold, &v, height, nonce)
}

// Checkpoint returns a side chain's anchored checkpoint by number (0: the
// latest), as main recorded it.
func (c *Client) Checkpoint(ctx context.Context, sideChain string, number uint64) (*checkpoint.View, error) {
	var v checkpoint.View
	var n any = number
	if number == 0 {
		n = "latest"
	}
	return &v, c.Call(ctx, checkpoint.QueryCheckpoint, &v, sideChain, n)
}

// CheckpointCovering returns the anchored checkpoint whose range holds
// side-chain block sideHeight: the range BurnProof needs.
func (c *Client) CheckpointCovering(ctx context.Context, sideChain string, sideHeight uint64) (*checkpoint.View, error) {
	var v checkpoint.View
	return &v, c.Call(ctx, checkpoint.QueryCovering, &v, sideChain, sideHeight)
}

// SideChain returns a side chain registered on main: its current
// validator set and last checkpoint.
func (c *Client) SideChain(ctx context.Context, sideChain string) (*checkpoint.ChainView, error) {
	var v checkpoint.ChainView
	return &v, c.Call(ctx, checkpoint.QueryChain, &v, sideChain)
}

// LightClient returns a side chain's light client of main: the main chain
// followed, the latest trusted height, and the validator set it expects.
func (c *Client) LightClient(ctx context.Context) (*lightclient.View, error) {
	var v lightclient.View
	return &v, c.Call(ctx, lightclient.QueryClient, &v)
}

// LightClientHeader returns a main-chain header the side chain trusts.
func (c *Client) LightClientHeader(ctx context.Context, mainHeight uint64) (*lightclient.HeaderView, error) {
	var v lightclient.HeaderView
	return &v, c.Call(ctx, lightclient.QueryHeader, &v, mainHeight)
}
