package consensus

import (
	"fmt"

	"github.com/accordnet/accord/types"
)

// requestProposal asks the driver for a fresh block for view v; just is the
// NEW-VIEW justification the proposal will carry (nil in view 0).
func (e *Engine) requestProposal(v uint64, just []*Message) {
	hs := e.hs
	vs := hs.viewState(v)
	if vs.requested || vs.sentProposal != nil || hs.self < 0 {
		return
	}
	vs.requested = true
	vs.just = just
	e.out = append(e.out, RequestProposal{
		Height:         hs.height,
		View:           v,
		Parent:         e.last.Hash,
		ParentTime:     e.last.Time,
		LastCert:       e.last.Cert,
		ValidatorsHash: hs.valsHash,
	})
}

// propose signs and sends the driver's block, then votes for it.
func (e *Engine) propose(b *types.Block) error {
	hs := e.hs
	if b == nil {
		return fmt.Errorf("%w: nil block", ErrInvalidBlock)
	}
	v := hs.view
	vs := hs.views[v]
	if b.Height() != hs.height || vs == nil || !vs.requested || vs.sentProposal != nil || hs.view != v {
		return fmt.Errorf("%w: block %d, engine at %d/%d", ErrNotRequested, b.Height(), hs.height, hs.view)
	}
	if err := b.CheckStructure(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidBlock, err)
	}
	if err := e.checkBlock(b, v, nil); err != nil {
		return err
	}
	m := e.sign(&Message{Type: MsgProposal, Height: hs.height, View: v, BlockHash: b.Hash(), Block: b, Justification: vs.just})
	if m == nil {
		return e.halted
	}
	e.sendProposal(vs, m)
	return nil
}

// sendProposal persists and broadcasts this node's own proposal and treats
// it as accepted (the driver executed it; it is not validated again).
func (e *Engine) sendProposal(vs *viewState, m *Message) {
	hs := e.hs
	vs.sentProposal, vs.first, vs.proposal = m, m, m
	hs.blocks[m.BlockHash] = m.Block
	hs.validated[m.BlockHash] = nil
	hs.walBlocks[m.BlockHash] = true
	e.persist(&walEntry{Msg: m})
	e.broadcast(m)
	e.afterProposal(m.View, m.BlockHash)
}

// afterProposal votes PREPARE for an accepted proposal and checks whether
// votes that arrived earlier complete a certificate.
func (e *Engine) afterProposal(v uint64, hash types.Hash) {
	hs := e.hs
	e.sendPrepare(v, hash)
	e.checkPrepared(v)
	if e.hs == hs { // not finalized by our own COMMIT already
		e.checkCommitted(v, hash)
	}
}

// onProposal handles PRE-PREPARE at the current height.
func (e *Engine) onProposal(m *Message, idx int) error {
	hs := e.hs
	if m.View < hs.view {
		return fmt.Errorf("%w: proposal for view %d, engine at %d", ErrOldView, m.View, hs.view)
	}
	if m.View > hs.view+e.cfg.MaxViewsAhead {
		return fmt.Errorf("%w: proposal for view %d, engine at %d", ErrFutureView, m.View, hs.view)
	}
	if primary := hs.vals.Primary(hs.height, m.View); m.From != primary {
		return fmt.Errorf("%w: %s proposed at %d/%d, primary is %s", ErrWrongProposer, m.From.Hex(), m.Height, m.View, primary.Hex())
	}
	vs := hs.viewState(m.View)
	if vs.proposal != nil && vs.proposal.BlockHash == m.BlockHash {
		return fmt.Errorf("%w: proposal %d/%d", ErrDuplicate, m.Height, m.View)
	}
	if err := e.verify(m); err != nil {
		return err
	}
	if vs.first == nil {
		vs.first = m
	} else if vs.first.BlockHash != m.BlockHash {
		e.report(MsgProposal, idx, vs.first, m)
		return fmt.Errorf("%w: primary %s proposed two blocks at %d/%d", ErrEquivocation, m.From.Hex(), m.Height, m.View)
	}
	if vs.sentPrepare != nil && vs.sentPrepare.BlockHash != m.BlockHash {
		return fmt.Errorf("%w: prepared %s at %d/%d", ErrConflict, vs.sentPrepare.BlockHash.Hex(), m.Height, m.View)
	}
	var prepared *PreparedCert
	if m.View > 0 {
		p, err := e.checkJustification(m)
		if err != nil {
			return err
		}
		prepared = p
	}
	if err := e.checkBlock(m.Block, m.View, prepared); err != nil {
		return err
	}
	// A valid justification proves a quorum asked for this view: join it.
	if m.View > hs.view {
		e.enterView(m.View)
	}
	hs.blocks[m.BlockHash] = m.Block
	if m.From != e.self {
		err, done := hs.validated[m.BlockHash]
		if !done {
			err = e.app.ValidateBlock(m.Block)
			hs.validated[m.BlockHash] = err
		}
		if err != nil {
			return fmt.Errorf("%w: %d/%s: %w", ErrInvalidBlock, m.Height, m.BlockHash.Hex(), err)
		}
	}
	vs.proposal = m
	if !hs.active && hs.view == m.View {
		hs.active = true
		hs.timer = e.timeout(hs.view)
	}
	e.afterProposal(m.View, m.BlockHash)
	return nil
}

// checkBlock applies the header rules the engine can check itself: chain,
// parent, time, validator set, the parent's certificate and the proposer.
// A block re-proposed after a view change (prepared != nil) must be the
// prepared one; any other must name the view's primary as proposer.
func (e *Engine) checkBlock(b *types.Block, view uint64, prepared *PreparedCert) error {
	hs := e.hs
	h := &b.Header
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %d/%s: %s", ErrInvalidBlock, h.Height, b.Hash().Hex(), fmt.Sprintf(format, args...))
	}
	switch {
	case h.ChainID != e.cfg.ChainID:
		return bad("chain %q", h.ChainID)
	case h.Height != hs.height:
		return bad("height %d, deciding %d", h.Height, hs.height)
	case h.ParentHash != e.last.Hash:
		return bad("parent %s, last committed %s", h.ParentHash.Hex(), e.last.Hash.Hex())
	case h.Time <= e.last.Time:
		return bad("time %d not after parent's %d", h.Time, e.last.Time)
	case h.ValidatorsHash != hs.valsHash:
		return bad("validators hash %s, expected %s", h.ValidatorsHash.Hex(), hs.valsHash.Hex())
	}
	if prepared != nil {
		if b.Hash() != prepared.BlockHash {
			return bad("view %d must re-propose the prepared block %s", view, prepared.BlockHash.Hex())
		}
	} else if want := hs.vals.Primary(hs.height, view); h.Proposer != want {
		return bad("proposer %s, primary of view %d is %s", h.Proposer.Hex(), view, want.Hex())
	}
	if hs.height == 1 {
		if b.LastCert != nil || h.LastCertHash != (types.Hash{}) {
			return bad("first block carries a parent certificate")
		}
		return nil
	}
	c := b.LastCert
	if c == nil {
		return bad("no parent certificate")
	}
	ch := c.Hash()
	if ch == e.last.Cert.Hash() || hs.certOK[ch] {
		return nil
	}
	if err := e.verifyCommitCert(c, e.lastVals); err != nil {
		return fmt.Errorf("%w: %d/%s: parent certificate: %w", ErrInvalidBlock, h.Height, b.Hash().Hex(), err)
	}
	hs.certOK[ch] = true
	return nil
}
