package rpcchain

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/contracts/bridge"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/types"
)

// The node's chain reads (package api documents them).
const (
	methodRawBlock    = "accord_getRawBlock"
	methodBlockHashes = "accord_getBlockHashes"
	methodValidators  = "accord_getValidators"
)

// HashesPerCall is how many block hashes BlockHashes asks for in one
// accord_getBlockHashes call (the node answers up to 65,536): a long
// checkpoint range is read in pieces of a few hundred KiB.
const HashesPerCall = 4096

// Caller is a JSON-RPC client (*client.Client).
type Caller interface {
	Call(ctx context.Context, method string, out any, params ...any) error
}

// notFound reports the node's "no such record" refusal.
func notFound(err error) bool { return wire.CodeOf(err) == wire.CodeNotFound }

// Chain is the part both chains share: height, nonces, sending.
type Chain struct{ C Caller }

var _ sidechain.Chain = Chain{}

// Height implements sidechain.Chain.
func (c Chain) Height(ctx context.Context) (uint64, error) {
	var s views.Status
	if err := c.C.Call(ctx, "accord_status", &s); err != nil {
		return 0, err
	}
	return s.Height, nil
}

// BlockTime is the latest block's time, ms.
func (c Chain) BlockTime(ctx context.Context) (uint64, error) {
	var s views.Status
	if err := c.C.Call(ctx, "accord_status", &s); err != nil {
		return 0, err
	}
	return s.BlockTime, nil
}

// Nonce implements sidechain.Chain: the account's next nonce as of the
// latest block.
func (c Chain) Nonce(ctx context.Context, a types.Address) (uint64, error) {
	var acc views.Account
	if err := c.C.Call(ctx, "accord_getAccount", &acc, a.Hex()); err != nil {
		return 0, err
	}
	return acc.Nonce, nil
}

// SendTx implements sidechain.Chain; a transaction the node already holds
// is sidechain.ErrKnownTx.
func (c Chain) SendTx(ctx context.Context, tx *types.Tx) error {
	var r views.SendResult
	err := c.C.Call(ctx, "accord_sendRawTransaction", &r, views.Hex0x(tx.Encode()))
	var we *wire.Error
	if errors.As(err, &we) && strings.Contains(we.Message, "already in mempool") {
		return fmt.Errorf("%w: %s", sidechain.ErrKnownTx, we.Message)
	}
	return err
}

// rawBlock fetches and decodes a block; cert is nil while the node has
// none for it.
func (c Chain) rawBlock(ctx context.Context, h uint64) (*types.Header, *types.CommitCert, []*types.Receipt, error) {
	var rb views.RawBlock
	if err := c.C.Call(ctx, methodRawBlock, &rb, h); err != nil {
		return nil, nil, nil, err
	}
	var hdr types.Header
	if err := core.Decode(rb.Header, &hdr); err != nil {
		return nil, nil, nil, fmt.Errorf("rpcchain: block %d header: %w", h, err)
	}
	if hdr.Height != h {
		return nil, nil, nil, fmt.Errorf("rpcchain: asked for block %d, got %d", h, hdr.Height)
	}
	var cert *types.CommitCert
	if len(rb.Cert) > 0 {
		var err error
		if cert, err = types.DecodeCommitCert(rb.Cert); err != nil {
			return nil, nil, nil, fmt.Errorf("rpcchain: block %d cert: %w", h, err)
		}
	}
	rs := make([]*types.Receipt, len(rb.Receipts))
	for i, raw := range rb.Receipts {
		rs[i] = new(types.Receipt)
		if err := core.Decode(raw, rs[i]); err != nil {
			return nil, nil, nil, fmt.Errorf("rpcchain: block %d receipt %d: %w", h, i, err)
		}
	}
	// The receipts must be the block's: the proofs built from them are
	// checked against this root on chain.
	if types.ReceiptRoot(rs) != hdr.ReceiptRoot {
		return nil, nil, nil, fmt.Errorf("rpcchain: block %d receipts do not match its receipt root", h)
	}
	return &hdr, cert, rs, nil
}

// Main is the main chain for the relayer and the bridge signers.
type Main struct{ Chain }

var (
	_ sidechain.Main         = Main{}
	_ sidechain.DepositChain = Main{}
)

// NewMain returns main over c.
func NewMain(c Caller) Main { return Main{Chain{c}} }

// Block implements sidechain.Main.
func (m Main) Block(ctx context.Context, h uint64) (*types.Header, *types.CommitCert, []*types.Receipt, error) {
	hdr, cert, rs, err := m.rawBlock(ctx, h)
	if err == nil && cert == nil {
		err = fmt.Errorf("rpcchain: main block %d has no certificate yet", h)
	}
	return hdr, cert, rs, err
}

// Released implements sidechain.Main.
func (m Main) Released(ctx context.Context, burn types.Hash) (bool, error) {
	var v bridge.BurnView
	if err := m.C.Call(ctx, bridge.QueryBurn, &v, burn.Hex()); err != nil {
		return false, err
	}
	if v.ID != burn {
		return false, fmt.Errorf("rpcchain: asked for burn %s, got %s", burn.Hex(), v.ID.Hex())
	}
	return v.Released, nil
}

// Anchored implements sidechain.Main; an unregistered side chain is an
// error.
func (m Main) Anchored(ctx context.Context, chainID string) (uint64, uint64, error) {
	var v checkpoint.ChainView
	if err := m.C.Call(ctx, checkpoint.QueryChain, &v, chainID); err != nil {
		return 0, 0, err
	}
	return v.LastNumber, v.LastEnd, nil
}

// Covering implements sidechain.Main.
func (m Main) Covering(ctx context.Context, chainID string, h uint64) (*checkpoint.Checkpoint, error) {
	var v checkpoint.View
	if err := m.C.Call(ctx, checkpoint.QueryCovering, &v, chainID, h); err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, err
	}
	cp := checkpoint.Checkpoint{ChainID: v.ChainID, Number: v.Number, Start: v.Start, End: v.End, BlocksRoot: v.BlocksRoot,
		AppHash: v.AppHash, ValidatorsHash: v.ValidatorsHash, NextValidatorsHash: v.NextValidatorsHash}
	if cp.Hash() != v.Hash {
		return nil, fmt.Errorf("rpcchain: checkpoint %d of %s does not hash to %s", v.Number, v.ChainID, v.Hash.Hex())
	}
	if cp.ChainID != chainID || h < cp.Start || h > cp.End {
		return nil, fmt.Errorf("rpcchain: asked for %s's checkpoint covering %d, got %s [%d, %d]", chainID, h, cp.ChainID, cp.Start, cp.End)
	}
	return &cp, nil
}

// Deposit implements sidechain.DepositChain.
func (m Main) Deposit(ctx context.Context, id types.Hash, signer types.Address) (bool, bool, error) {
	var v bridge.DepositView
	if err := m.C.Call(ctx, bridge.QueryDeposit, &v, id.Hex()); err != nil {
		if notFound(err) {
			return false, false, nil
		}
		return false, false, err
	}
	if v.ID != id {
		return false, false, fmt.Errorf("rpcchain: asked for deposit %s, got %s", id.Hex(), v.ID.Hex())
	}
	for _, a := range v.Attested {
		if a == signer {
			return v.Minted, true, nil
		}
	}
	return v.Minted, false, nil
}

// Withdrawal implements sidechain.DepositChain.
func (m Main) Withdrawal(ctx context.Context, id uint64) (*bridge.Withdrawal, error) {
	var v bridge.WithdrawalView
	if err := m.C.Call(ctx, bridge.QueryWithdrawal, &v, id); err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if v.ID != id {
		return nil, fmt.Errorf("rpcchain: asked for withdrawal %d, got %d", id, v.ID)
	}
	return v.Withdrawal()
}

// CheckpointSource yields a side chain's completed checkpoints (a quorum
// of its validators' signatures), or nil when there is none yet for n.
type CheckpointSource func(ctx context.Context, n uint64) (*checkpoint.MsgSubmit, error)

// Side is a side chain for the relayer.
type Side struct {
	Chain
	// Checkpoints is where completed checkpoints come from; nil when the
	// side validators' producers submit them to main themselves.
	Checkpoints CheckpointSource
}

var (
	_ sidechain.Side         = Side{}
	_ sidechain.ReleaseAcker = Side{}
)

// NewSide returns a side chain over c.
func NewSide(c Caller, cps CheckpointSource) Side { return Side{Chain{c}, cps} }

// Block implements sidechain.Side.
func (s Side) Block(ctx context.Context, h uint64) (*types.Header, []*types.Receipt, error) {
	hdr, _, rs, err := s.rawBlock(ctx, h)
	return hdr, rs, err
}

// Header reads block h's header alone (accord_getBlockByHeight: its
// fields and transaction hashes, no receipts), rebuilt and checked against
// the block hash the node gives; chainID is the chain's, which the answer
// does not carry.
func (s Side) Header(ctx context.Context, chainID string, h uint64) (*types.Header, error) {
	var v views.Block
	if err := s.C.Call(ctx, "accord_getBlockByHeight", &v, h); err != nil {
		return nil, err
	}
	hdr := types.Header{ChainID: chainID, Height: v.Height, Time: v.Time, TxCount: uint32(v.TxCount)}
	var errs []error
	for _, f := range []struct {
		dst *types.Hash
		src string
	}{{&hdr.ParentHash, v.ParentHash}, {&hdr.LastCertHash, v.LastCertHash}, {&hdr.TxRoot, v.TxRoot},
		{&hdr.ReceiptRoot, v.ReceiptRoot}, {&hdr.StateRoot, v.StateRoot}, {&hdr.ValidatorsHash, v.Validators}} {
		var err error
		*f.dst, err = types.ParseHash(f.src)
		errs = append(errs, err)
	}
	var err error
	hdr.Proposer, err = types.ParseAddress(v.Proposer)
	if err = errors.Join(append(errs, err)...); err != nil {
		return nil, fmt.Errorf("rpcchain: block %d: %w", h, err)
	}
	if hdr.Height != h || hdr.Hash().Hex() != v.Hash || v.TxCount < 0 {
		return nil, fmt.Errorf("rpcchain: block %d: the header rebuilt does not hash to %s", h, v.Hash)
	}
	return &hdr, nil
}

// BlockHashes implements sidechain.Side, HashesPerCall per call.
func (s Side) BlockHashes(ctx context.Context, start, end uint64) ([]types.Hash, error) {
	if start == 0 || end < start {
		return nil, fmt.Errorf("rpcchain: block range %d..%d", start, end)
	}
	var out []types.Hash
	for from := start; from <= end; from += HashesPerCall {
		to := min(end, from+HashesPerCall-1)
		var hs []types.Hash
		if err := s.C.Call(ctx, methodBlockHashes, &hs, from, to); err != nil {
			return nil, err
		}
		if uint64(len(hs)) != to-from+1 {
			return nil, fmt.Errorf("rpcchain: %d hashes for blocks %d..%d", len(hs), from, to)
		}
		out = append(out, hs...)
		if to == end {
			break
		}
	}
	return out, nil
}

// Checkpoint implements sidechain.Side.
func (s Side) Checkpoint(ctx context.Context, n uint64) (*checkpoint.MsgSubmit, error) {
	if s.Checkpoints == nil {
		return nil, nil
	}
	return s.Checkpoints(ctx, n)
}

// Trusted implements sidechain.Side.
func (s Side) Trusted(ctx context.Context, h uint64) (bool, error) {
	var v lightclient.HeaderView
	if err := s.C.Call(ctx, lightclient.QueryHeader, &v, h); err != nil {
		if notFound(err) {
			return false, nil
		}
		return false, err
	}
	if v.Height != h {
		return false, fmt.Errorf("rpcchain: asked for main header %d, got %d", h, v.Height)
	}
	return true, nil
}

// Minted implements sidechain.Side.
func (s Side) Minted(ctx context.Context, lock types.Hash) (bool, error) {
	var v sidebridge.LockView
	if err := s.C.Call(ctx, sidebridge.QueryLock, &v, lock.Hex()); err != nil {
		return false, err
	}
	if v.ID != lock {
		return false, fmt.Errorf("rpcchain: asked for lock %s, got %s", lock.Hex(), v.ID.Hex())
	}
	return v.Minted, nil
}

// BurnPending implements sidechain.ReleaseAcker.
func (s Side) BurnPending(ctx context.Context, height, nonce uint64) (bool, error) {
	var v sidebridge.HoldView
	if err := s.C.Call(ctx, sidebridge.QueryBurnHold, &v, height, nonce); err != nil {
		return false, err
	}
	if v.Height != height || v.Nonce != nonce {
		return false, fmt.Errorf("rpcchain: asked for burn %d at %d, got %d at %d", nonce, height, v.Nonce, v.Height)
	}
	return v.Pending, nil
}

// validators is the set that finalizes side block h.
func (s Side) validators(ctx context.Context, h uint64) ([]types.Address, error) {
	var v views.Validators
	if err := s.C.Call(ctx, methodValidators, &v, h); err != nil {
		return nil, err
	}
	if v.Height != h || (&types.ValidatorSet{Validators: v.Validators}).Hash() != v.Hash {
		return nil, fmt.Errorf("rpcchain: validators of block %d: answer for %d does not match its hash", h, v.Height)
	}
	return v.Validators, nil
}
