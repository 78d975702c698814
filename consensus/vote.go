package consensus

import (
	"fmt"

	"github.com/accordnet/accord/types"
)

// sendPrepare votes PREPARE for hash in view v, once per view, and only
// while the node is in view v.
func (e *Engine) sendPrepare(v uint64, hash types.Hash) {
	hs := e.hs
	if hs.self < 0 || hs.view != v {
		return
	}
	vs := hs.viewState(v)
	if vs.sentPrepare != nil {
		return
	}
	m := e.sign(&Message{Type: MsgPrepare, Height: hs.height, View: v, BlockHash: hash})
	if m == nil {
		return
	}
	vs.sentPrepare = m
	vs.prepares[hs.self] = m
	e.persist(&walEntry{Msg: m})
	e.broadcast(m)
}

// checkPrepared sends COMMIT once the accepted proposal of view v has a
// quorum of PREPAREs, this node prepared it too, and it is still in view v
// (a node that asked to leave a view never votes in it again). The
// prepared certificate goes into the WAL with the vote: a VIEW-CHANGE after
// a restart must still report it.
func (e *Engine) checkPrepared(v uint64) {
	hs := e.hs
	vs := hs.views[v]
	if vs == nil || vs.proposal == nil || vs.sentCommit != nil || hs.self < 0 || hs.view != v {
		return
	}
	hash := vs.proposal.BlockHash
	if vs.sentPrepare == nil || vs.sentPrepare.BlockHash != hash {
		return
	}
	sigs := quorumSigs(vs.prepares, hash, hs.q)
	if sigs == nil {
		return
	}
	cert := &PreparedCert{Height: hs.height, View: v, BlockHash: hash, Sigs: sigs}
	m := e.sign(&Message{Type: MsgCommit, Height: hs.height, View: v, BlockHash: hash})
	if m == nil {
		return
	}
	if hs.prepared == nil || hs.prepared.View < v {
		hs.prepared = cert
	}
	vs.sentCommit = m
	vs.commits[hs.self] = m
	en := &walEntry{Msg: m, Prepared: cert}
	if !hs.walBlocks[hash] {
		en.Block = hs.blocks[hash]
		hs.walBlocks[hash] = true
	}
	e.persist(en)
	e.broadcast(m)
	e.checkCommitted(v, hash)
}

// quorumSigs returns the signatures of the first q votes (by validator
// index) for hash, or nil if there are fewer.
func quorumSigs(votes []*Message, hash types.Hash, q int) []types.CommitSig {
	n := 0
	for _, m := range votes {
		if m != nil && m.BlockHash == hash {
			n++
		}
	}
	if n < q {
		return nil
	}
	sigs := make([]types.CommitSig, 0, q)
	for i, m := range votes {
		if m != nil && m.BlockHash == hash {
			sigs = append(sigs, types.CommitSig{Index: uint32(i), Sig: m.Sig})
			if len(sigs) == q {
				break
			}
		}
	}
	return sigs
}

// onVote handles PREPARE and COMMIT at the current height. Votes for views
// ahead of the node are kept (it may get there); COMMITs for earlier views
// still count towards a certificate.
func (e *Engine) onVote(m *Message, idx int) error {
	hs := e.hs
	if m.View > hs.view+e.cfg.MaxViewsAhead {
		return fmt.Errorf("%w: %s for view %d, engine at %d", ErrFutureView, m.Type, m.View, hs.view)
	}
	if m.Type == MsgPrepare && m.View < hs.view {
		return fmt.Errorf("%w: PREPARE for view %d, engine at %d", ErrOldView, m.View, hs.view)
	}
	if m.View+e.cfg.MaxViewsAhead < hs.view {
		return fmt.Errorf("%w: %s for view %d, engine at %d", ErrOldView, m.Type, m.View, hs.view)
	}
	vs := hs.viewState(m.View)
	slot := vs.prepares
	if m.Type == MsgCommit {
		slot = vs.commits
	}
	if old := slot[idx]; old != nil {
		if old.BlockHash == m.BlockHash {
			return fmt.Errorf("%w: %s from %s at %d/%d", ErrDuplicate, m.Type, m.From.Hex(), m.Height, m.View)
		}
		if err := e.verify(m); err != nil {
			return err
		}
		e.report(m.Type, idx, old, m)
		return fmt.Errorf("%w: %s from %s for two blocks at %d/%d", ErrEquivocation, m.Type, m.From.Hex(), m.Height, m.View)
	}
	if err := e.verify(m); err != nil {
		return err
	}
	slot[idx] = m
	if m.Type == MsgPrepare {
		e.checkPrepared(m.View)
	} else {
		e.checkCommitted(m.View, m.BlockHash)
	}
	return nil
}

// checkCommitted finalizes the height once view v has a quorum of COMMITs
// for hash.
func (e *Engine) checkCommitted(v uint64, hash types.Hash) {
	hs := e.hs
	vs := hs.views[v]
	if vs == nil {
		return
	}
	sigs := quorumSigs(vs.commits, hash, hs.q)
	if sigs == nil {
		return
	}
	e.decide(&types.CommitCert{Height: hs.height, View: v, BlockHash: hash, Sigs: sigs}, types.Address{})
}
