package rpcchain

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/types"
)

// Caller is a JSON-RPC client (*client.Client).
type Caller interface {
	Call(ctx context.Context, method string, out any, params ...any) error
}

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

func unhex(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		return nil, fmt.Errorf("rpcchain: bad hex: %w", err)
	}
	return b, nil
}

// rawBlock fetches and decodes a block.
func (c Chain) rawBlock(ctx context.Context, h uint64) (*types.Header, *types.CommitCert, []*types.Receipt, error) {
	var rb RawBlock
	if err := c.C.Call(ctx, "accord_rawBlock", &rb, h); err != nil {
		return nil, nil, nil, err
	}
	raw, err := unhex(rb.Header)
	if err != nil {
		return nil, nil, nil, err
	}
	var hdr types.Header
	if err := core.Decode(raw, &hdr); err != nil {
		return nil, nil, nil, fmt.Errorf("rpcchain: block %d header: %w", h, err)
	}
	if hdr.Height != h {
		return nil, nil, nil, fmt.Errorf("rpcchain: asked for block %d, got %d", h, hdr.Height)
	}
	var cert *types.CommitCert
	if rb.Cert != "" {
		if raw, err = unhex(rb.Cert); err != nil {
			return nil, nil, nil, err
		}
		if cert, err = types.DecodeCommitCert(raw); err != nil {
			return nil, nil, nil, fmt.Errorf("rpcchain: block %d cert: %w", h, err)
		}
	}
	rs := make([]*types.Receipt, len(rb.Receipts))
	for i, s := range rb.Receipts {
		if raw, err = unhex(s); err != nil {
			return nil, nil, nil, err
		}
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
	var ok bool
	err := m.C.Call(ctx, "accord_rawReleased", &ok, burn.Hex())
	return ok, err
}

// Anchored implements sidechain.Main.
func (m Main) Anchored(ctx context.Context, chainID string) (uint64, uint64, error) {
	var a AnchoredView
	if err := m.C.Call(ctx, "accord_rawAnchored", &a, chainID); err != nil {
		return 0, 0, err
	}
	return a.Number, a.End, nil
}

// Covering implements sidechain.Main.
func (m Main) Covering(ctx context.Context, chainID string, h uint64) (*checkpoint.Checkpoint, error) {
	var s *string
	if err := m.C.Call(ctx, "accord_rawCovering", &s, chainID, h); err != nil || s == nil {
		return nil, err
	}
	raw, err := unhex(*s)
	if err != nil {
		return nil, err
	}
	var cp checkpoint.Checkpoint
	if err := core.Decode(raw, &cp); err != nil {
		return nil, fmt.Errorf("rpcchain: checkpoint covering %d: %w", h, err)
	}
	return &cp, nil
}

// Deposit implements sidechain.DepositChain.
func (m Main) Deposit(ctx context.Context, id types.Hash, signer types.Address) (bool, bool, error) {
	var d DepositView
	if err := m.C.Call(ctx, "accord_rawDeposit", &d, id.Hex()); err != nil {
		return false, false, err
	}
	for _, a := range d.Attested {
		if strings.EqualFold(a, signer.Hex()) {
			return d.Minted, true, nil
		}
	}
	return d.Minted, false, nil
}

// Withdrawal implements sidechain.DepositChain.
func (m Main) Withdrawal(ctx context.Context, id uint64) (*bridge.Withdrawal, error) {
	var s *string
	if err := m.C.Call(ctx, "accord_rawWithdrawal", &s, id); err != nil || s == nil {
		return nil, err
	}
	raw, err := unhex(*s)
	if err != nil {
		return nil, err
	}
	var w bridge.Withdrawal
	if err := core.Decode(raw, &w); err != nil {
		return nil, fmt.Errorf("rpcchain: withdrawal %d: %w", id, err)
	}
	if w.ID != id {
		return nil, fmt.Errorf("rpcchain: asked for withdrawal %d, got %d", id, w.ID)
	}
	return &w, nil
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

var _ sidechain.Side = Side{}

// NewSide returns a side chain over c.
func NewSide(c Caller, cps CheckpointSource) Side { return Side{Chain{c}, cps} }

// Block implements sidechain.Side.
func (s Side) Block(ctx context.Context, h uint64) (*types.Header, []*types.Receipt, error) {
	hdr, _, rs, err := s.rawBlock(ctx, h)
	return hdr, rs, err
}

// BlockHashes implements sidechain.Side, MaxHashes per call.
func (s Side) BlockHashes(ctx context.Context, start, end uint64) ([]types.Hash, error) {
	if start == 0 || end < start {
		return nil, fmt.Errorf("rpcchain: block range %d..%d", start, end)
	}
	var out []types.Hash
	for from := start; from <= end; from += MaxHashes {
		to := min(end, from+MaxHashes-1)
		var hs []string
		if err := s.C.Call(ctx, "accord_rawBlockHashes", &hs, from, to); err != nil {
			return nil, err
		}
		if uint64(len(hs)) != to-from+1 {
			return nil, fmt.Errorf("rpcchain: %d hashes for blocks %d..%d", len(hs), from, to)
		}
		for _, h := range hs {
			v, err := types.ParseHash(h)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
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
	var ok bool
	err := s.C.Call(ctx, "accord_rawTrusted", &ok, h)
	return ok, err
}

// Minted implements sidechain.Side.
func (s Side) Minted(ctx context.Context, lock types.Hash) (bool, error) {
	var ok bool
	err := s.C.Call(ctx, "accord_rawMinted", &ok, lock.Hex())
	return ok, err
}
