package consensus

import (
	"fmt"
	"slices"
)

// moveToView leaves the current view for w (> current) by sending
// VIEW-CHANGE(w) with the highest prepared certificate. The timer of w only
// starts once a quorum asks for w (or w's proposal is accepted), so a node
// cut off from the others does not race through views alone.
func (e *Engine) moveToView(w uint64) {
	hs := e.hs
	if w <= hs.view {
		return
	}
	hs.view = w
	hs.active = false
	e.pruneViews()
	e.out = append(e.out, ViewChanged{Height: hs.height, View: w})
	if hs.self >= 0 {
		m := &Message{Type: MsgViewChange, Height: hs.height, View: w, Prepared: hs.prepared}
		if e.sign(m) == nil {
			return
		}
		hs.sentVC = m
		hs.vcs[hs.self] = m
		e.persist(&walEntry{Msg: m})
		e.broadcast(e.withPreparedBody(m))
	}
	e.checkNewView()
}

// enterView joins view w on the strength of a valid proposal for it (whose
// justification shows a quorum asked for w); no VIEW-CHANGE is needed.
func (e *Engine) enterView(w uint64) {
	hs := e.hs
	hs.view = w
	hs.active = true
	hs.timer = e.timeout(w)
	e.pruneViews()
	e.out = append(e.out, ViewChanged{Height: hs.height, View: w})
}

// onViewChange handles VIEW-CHANGE at the current height. Only each
// validator's latest one is kept.
func (e *Engine) onViewChange(m *Message, idx int) error {
	hs := e.hs
	if m.View < hs.view {
		return fmt.Errorf("%w: VIEW-CHANGE to %d, engine at %d", ErrOldView, m.View, hs.view)
	}
	old := hs.vcs[idx]
	if old != nil {
		switch {
		case old.View > m.View:
			return fmt.Errorf("%w: VIEW-CHANGE to %d, %s already asked for %d", ErrOldView, m.View, m.From.Hex(), old.View)
		case old.View == m.View && sameVote(old, m):
			return fmt.Errorf("%w: VIEW-CHANGE to %d from %s", ErrDuplicate, m.View, m.From.Hex())
		}
	}
	if err := e.verify(m); err != nil {
		return err
	}
	if old != nil && old.View == m.View {
		e.report(MsgViewChange, idx, old, m)
		return fmt.Errorf("%w: two VIEW-CHANGEs to %d from %s", ErrEquivocation, m.View, m.From.Hex())
	}
	if m.Prepared != nil {
		if err := e.verifyPrepared(m.Prepared); err != nil {
			return fmt.Errorf("VIEW-CHANGE from %s: %w", m.From.Hex(), err)
		}
		if m.Block != nil && hs.blocks[m.Prepared.BlockHash] == nil {
			hs.blocks[m.Prepared.BlockHash] = m.Block
		}
	}
	hs.vcs[idx] = m
	e.checkViewJump()
	if e.hs == hs {
		e.checkNewView()
	}
	return nil
}

// checkViewJump follows the others: once f+1 validators (so at least one
// honest) ask for views above the current one, move to the highest view at
// least f+1 of them reached.
func (e *Engine) checkViewJump() {
	hs := e.hs
	var views []uint64
	for i, vc := range hs.vcs {
		if vc != nil && i != hs.self && vc.View > hs.view {
			views = append(views, vc.View)
		}
	}
	if len(views) < hs.f+1 {
		return
	}
	slices.Sort(views)
	slices.Reverse(views)
	e.moveToView(views[hs.f])
}

// checkNewView starts the view timer once a quorum asked for the current
// view and, at its primary, proposes: the block of the highest prepared
// certificate among a quorum of view changes if there is one (NEW-VIEW
// re-proposal), otherwise a fresh block requested from the driver.
func (e *Engine) checkNewView() {
	hs := e.hs
	v := hs.view
	if v == 0 {
		return
	}
	n := 0
	for _, vc := range hs.vcs {
		if vc != nil && vc.View == v {
			n++
		}
	}
	if n < hs.q {
		return
	}
	if !hs.active {
		hs.active = true
		hs.timer = e.timeout(v)
	}
	if hs.vals.Primary(hs.height, v) != e.self || hs.self < 0 {
		return
	}
	vs := hs.viewState(v)
	if vs.sentProposal != nil || vs.requested {
		return
	}
	// Any quorum of view changes is a sound justification; skip those
	// whose prepared block this node cannot supply.
	var just []*Message
	var best *PreparedCert
	for _, vc := range hs.vcs {
		if vc == nil || vc.View != v {
			continue
		}
		if vc.Prepared != nil && hs.blocks[vc.Prepared.BlockHash] == nil {
			continue
		}
		just = append(just, stripBlock(vc))
		if p := vc.Prepared; p != nil && (best == nil || p.View > best.View) {
			best = p
		}
		if len(just) == hs.q {
			break
		}
	}
	if len(just) < hs.q {
		return
	}
	if best == nil {
		e.requestProposal(v, just)
		return
	}
	b := hs.blocks[best.BlockHash]
	m := e.sign(&Message{Type: MsgProposal, Height: hs.height, View: v, BlockHash: best.BlockHash, Block: b, Justification: just})
	if m == nil {
		return
	}
	e.sendProposal(vs, m)
}

// checkJustification verifies the NEW-VIEW justification of a proposal for
// view > 0: a quorum of validly signed VIEW-CHANGEs for exactly that height
// and view from distinct validators. It returns the highest prepared
// certificate among them (verified), which the proposal must re-propose, or
// nil if none was prepared.
func (e *Engine) checkJustification(m *Message) (*PreparedCert, error) {
	hs := e.hs
	seen := make([]bool, hs.vals.Size())
	var best *PreparedCert
	n := 0
	for _, vc := range m.Justification {
		if vc.Height != m.Height || vc.View != m.View {
			return nil, fmt.Errorf("%w: view change for %d/%d in proposal for %d/%d", ErrBadJustification, vc.Height, vc.View, m.Height, m.View)
		}
		i := hs.vals.Index(vc.From)
		if i < 0 {
			return nil, fmt.Errorf("%w: %w: %s", ErrBadJustification, ErrNotValidator, vc.From.Hex())
		}
		if seen[i] {
			return nil, fmt.Errorf("%w: two view changes from %s", ErrBadJustification, vc.From.Hex())
		}
		seen[i] = true
		if err := e.verify(vc); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadJustification, err)
		}
		n++
		if p := vc.Prepared; p != nil && (best == nil || p.View > best.View) {
			best = p
		}
	}
	if n < hs.q {
		return nil, fmt.Errorf("%w: %d view changes, need %d", ErrBadJustification, n, hs.q)
	}
	if best == nil {
		return nil, nil
	}
	// Two valid certificates for one view cannot name different blocks
	// unless more than f validators are faulty; verify every one at the top.
	for _, vc := range m.Justification {
		p := vc.Prepared
		if p == nil || p.View != best.View {
			continue
		}
		if p.BlockHash != best.BlockHash {
			return nil, fmt.Errorf("%w: conflicting prepared certificates at view %d", ErrBadJustification, p.View)
		}
		if err := e.verifyPrepared(p); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadJustification, err)
		}
	}
	return best, nil
}
