package consensus

import (
	"fmt"

	"github.com/accordnet/accord/types"
)

// verifyVoteSigs checks that sigs are at least q valid signatures of digest
// by distinct members of vals, strictly sorted by index.
func (e *Engine) verifyVoteSigs(sigs []types.CommitSig, vals *types.ValidatorSet, digest types.Hash, q int) error {
	if vals == nil || vals.Size() == 0 {
		return fmt.Errorf("%w: no validator set", ErrBadCert)
	}
	if len(sigs) < q {
		return fmt.Errorf("%w: %d of %d signatures, need %d", ErrBadCert, len(sigs), vals.Size(), q)
	}
	prev := -1
	for _, s := range sigs {
		if int(s.Index) <= prev {
			return fmt.Errorf("%w: signatures not strictly sorted by index", ErrBadCert)
		}
		prev = int(s.Index)
		if int(s.Index) >= vals.Size() {
			return fmt.Errorf("%w: index %d: %w", ErrBadCert, s.Index, types.ErrNotValidator)
		}
		a, err := e.recover(digest, s.Sig)
		if err != nil {
			return fmt.Errorf("%w: index %d: %w", ErrBadCert, s.Index, err)
		}
		if a != vals.Validators[s.Index] {
			return fmt.Errorf("%w: index %d signed by %s, expected %s", ErrBadCert, s.Index, a.Hex(), vals.Validators[s.Index].Hex())
		}
	}
	return nil
}

// verifyCommitCert is types.CommitCert.Verify through the signature cache
// (and the engine's quorum, which only tests change).
func (e *Engine) verifyCommitCert(c *types.CommitCert, vals *types.ValidatorSet) error {
	if vals == nil {
		return fmt.Errorf("%w: no validator set", ErrBadCert)
	}
	return e.verifyVoteSigs(c.Sigs, vals, types.CommitDigest(e.cfg.ChainID, c.Height, c.View, c.BlockHash), e.quorum(vals))
}

// verifyPrepared checks a prepared certificate of the current height.
func (e *Engine) verifyPrepared(p *PreparedCert) error {
	hs := e.hs
	if p.Height != hs.height {
		return fmt.Errorf("%w: prepared certificate for height %d", ErrBadCert, p.Height)
	}
	d := types.VoteDigest(types.VotePrepare, e.cfg.ChainID, p.Height, p.View, p.BlockHash)
	return e.verifyVoteSigs(p.Sigs, hs.vals, d, hs.q)
}

// decide finalizes the current height with cert (already verified or built
// from verified votes). Without the block body the engine waits for it and
// asks the driver to sync.
func (e *Engine) decide(cert *types.CommitCert, hint types.Address) {
	hs := e.hs
	if hint == (types.Address{}) && len(cert.Sigs) > 0 && int(cert.Sigs[0].Index) < hs.vals.Size() {
		hint = hs.vals.Validators[cert.Sigs[0].Index]
	}
	b := hs.blocks[cert.BlockHash]
	if b == nil {
		if hs.pending == nil {
			hs.pending, hs.hint = cert, hint
			e.requestSync(hs.height, hs.height, hint)
		}
		return
	}
	e.commit(b, cert)
}

// learnCert takes a certificate for the current height found in another
// message (a next-height block's LastCert).
func (e *Engine) learnCert(c *types.CommitCert, from types.Address) {
	hs := e.hs
	if c.Height != hs.height || hs.pending != nil {
		return
	}
	if err := e.verifyCommitCert(c, hs.vals); err != nil {
		return
	}
	e.decide(c, from)
}

// offerBody stores a block body that some message carried if it completes a
// pending certificate; the body is bound to the certificate by its hash.
func (e *Engine) offerBody(b *types.Block) {
	hs := e.hs
	if hs.pending == nil || b.Height() != hs.height || b.Hash() != hs.pending.BlockHash {
		return
	}
	hs.blocks[hs.pending.BlockHash] = b
	e.commit(b, hs.pending)
}

// onDecision handles a DECISION for the current height: a peer that
// finalized it hands over the block and certificate.
func (e *Engine) onDecision(m *Message) error {
	hs := e.hs
	if err := e.verify(m); err != nil {
		return err
	}
	if err := e.verifyCommitCert(m.Cert, hs.vals); err != nil {
		return err
	}
	hs.blocks[m.BlockHash] = m.Block
	e.decide(m.Cert, m.From)
	return nil
}
