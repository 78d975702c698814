package ledger

import (
	"errors"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Executed is a block run against the committed state, ready to Commit.
type Executed struct {
	Block       *types.Block
	Parent      types.Hash // app hash it was executed on
	Receipts    []*types.Receipt
	BlockEvents []types.Event
	Writes      []state.Write
	State       *state.Overlay // the post-block state, for invariant checks before commit
}

// Template is what the proposer decides about a new block.
type Template struct {
	Time     uint64 // unix ms; must exceed the parent's
	Proposer types.Address
	LastCert *types.CommitCert // certificate of the parent (nil at height 1)
}

// Dropped is a candidate transaction the proposer left out, and why.
type Dropped struct {
	Tx  *types.Tx
	Err error
}

// Build executes candidate transactions on top of the last committed block
// and returns the resulting block. Transactions that may not be included
// (bad nonce, cannot pay the fee, ...) are left out and reported.
func (l *Ledger) Build(t Template, txs []*types.Tx, app *core.Router) (*Executed, []Dropped, error) {
	last := l.Last()
	if !l.Initialized() {
		return nil, nil, ErrNotInitialized
	}
	h := last.Height + 1
	if t.Time <= last.Time {
		t.Time = last.Time + 1
	}
	vals, err := l.ValidatorSet(h)
	if err != nil {
		return nil, nil, err
	}
	hdr := types.Header{ChainID: l.chainID, Height: h, Time: t.Time, ParentHash: last.Hash,
		ValidatorsHash: vals.Hash(), Proposer: t.Proposer}
	if t.LastCert != nil {
		hdr.LastCertHash = t.LastCert.Hash()
	}
	ov := state.NewOverlay(prefixReader{l.db, prefixState})
	x := &Executed{Parent: last.AppHash, State: ov}
	blk := core.Block{ChainID: l.chainID, Height: h, Time: t.Time, Seed: hdr.LastCertHash}
	if x.BlockEvents, err = app.BeginBlock(blk, ov); err != nil {
		return nil, nil, err
	}
	var included []*types.Tx
	var dropped []Dropped
	for _, tx := range txs {
		rc, err := app.ApplyTx(blk, ov, tx)
		if err != nil {
			if !core.IsInvalidTx(err) {
				return nil, nil, err
			}
			dropped = append(dropped, Dropped{tx, err})
			continue
		}
		included = append(included, tx)
		x.Receipts = append(x.Receipts, rc)
	}
	if err := ov.Err(); err != nil {
		return nil, nil, fmt.Errorf("build block %d: %w", h, err)
	}
	x.Writes = ov.WriteSet()
	hdr.TxCount = uint32(len(included))
	hdr.TxRoot = types.TxRoot(included)
	hdr.ReceiptRoot = types.ReceiptRoot(x.Receipts)
	hdr.StateRoot = state.NextAppHash(last.AppHash, x.Writes)
	x.Block = &types.Block{Header: hdr, Txs: included, LastCert: t.LastCert}
	return x, dropped, nil
}

// Execute validates a proposed or synced block against the last committed
// one and runs it. Every check a validator must make before voting is here:
// chain, height, parent, time, parent certificate, validator set, every
// transaction includable, and the roots in the header.
func (l *Ledger) Execute(b *types.Block, app *core.Router) (*Executed, error) {
	if !l.Initialized() {
		return nil, ErrNotInitialized
	}
	last := l.Last()
	hdr := &b.Header
	h := hdr.Height
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %d: %s", ErrBadBlock, h, fmt.Sprintf(format, args...))
	}
	switch {
	case hdr.ChainID != l.chainID:
		return nil, bad("chain %q, want %q", hdr.ChainID, l.chainID)
	case h != last.Height+1:
		return nil, fmt.Errorf("%w: height %d, next is %d", ErrWrongHeight, h, last.Height+1)
	case hdr.ParentHash != last.Hash:
		return nil, bad("parent %s, want %s", hdr.ParentHash.Hex(), last.Hash.Hex())
	case hdr.Time <= last.Time:
		return nil, bad("time %d not after parent time %d", hdr.Time, last.Time)
	}
	if err := b.CheckStructure(); err != nil {
		return nil, bad("%v", err)
	}
	vals, err := l.ValidatorSet(h)
	if err != nil {
		return nil, err
	}
	if hdr.ValidatorsHash != vals.Hash() {
		return nil, bad("validators hash mismatch")
	}
	if vals.Index(hdr.Proposer) < 0 {
		return nil, bad("proposer %s: %v", hdr.Proposer.Hex(), types.ErrNotValidator)
	}
	if h > 1 {
		pvals, err := l.ValidatorSet(h - 1)
		if err != nil {
			return nil, err
		}
		if err := b.LastCert.Verify(l.chainID, pvals); err != nil {
			return nil, bad("parent certificate: %v", err)
		}
	} else if b.LastCert != nil || hdr.LastCertHash != (types.Hash{}) {
		return nil, bad("height 1 carries a parent certificate")
	}
	ov := state.NewOverlay(prefixReader{l.db, prefixState})
	x := &Executed{Block: b, Parent: last.AppHash, State: ov}
	blk := core.Block{ChainID: l.chainID, Height: h, Time: hdr.Time, Seed: hdr.LastCertHash}
	if x.BlockEvents, err = app.BeginBlock(blk, ov); err != nil {
		return nil, err
	}
	x.Receipts = make([]*types.Receipt, 0, len(b.Txs))
	for i, tx := range b.Txs {
		rc, err := app.ApplyTx(blk, ov, tx)
		if err != nil {
			if core.IsInvalidTx(err) {
				return nil, bad("tx %d (%s): %v", i, tx.Hash().Hex(), err)
			}
			return nil, err
		}
		x.Receipts = append(x.Receipts, rc)
	}
	if err := ov.Err(); err != nil {
		return nil, fmt.Errorf("execute block %d: %w", h, err)
	}
	x.Writes = ov.WriteSet()
	if r := types.ReceiptRoot(x.Receipts); r != hdr.ReceiptRoot {
		return nil, bad("receipt root %s, header says %s", r.Hex(), hdr.ReceiptRoot.Hex())
	}
	if r := state.NextAppHash(last.AppHash, x.Writes); r != hdr.StateRoot {
		return nil, bad("state root %s, header says %s", r.Hex(), hdr.StateRoot.Hex())
	}
	return x, nil
}

// IsBadBlock reports whether err means the block itself is invalid (as
// opposed to a storage failure or a block for another height).
func IsBadBlock(err error) bool { return errors.Is(err, ErrBadBlock) }
