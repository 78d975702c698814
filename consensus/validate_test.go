package consensus

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/types"
)

// Every message kind's validation failures, table-driven. The engine under
// test is validator 0 of 4 at height 1 (a backup in view 0).

func wrongSigner(fx *fixture, m *Message, claimed int) *Message {
	m.From = fx.addr(claimed)
	return m
}

func badSig(m *Message) *Message {
	m.Sig = append([]byte(nil), m.Sig...)
	m.Sig[7] ^= 0x5a
	return m
}

func nonMember() int { return 30 } // an index into the key pool that is no validator

func (fx *fixture) outsider(m *Message) *Message { return signMsg(m, testKey(nonMember())) }

type stepCase struct {
	name     string
	setup    func(fx *fixture)
	msg      func(fx *fixture) *Message
	want     error
	evidence bool
}

func runStepCases(t *testing.T, cases []stepCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t, 4)
			if tc.setup != nil {
				tc.setup(fx)
			}
			m := tc.msg(fx)
			err := fx.step(m)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("want accepted, got %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("want %v, got %v", tc.want, err)
			}
			if got := len(actionsOf[Evidence](fx.out)); (got > 0) != tc.evidence {
				t.Fatalf("evidence actions: %d, want evidence=%v", got, tc.evidence)
			}
			for _, b := range actionsOf[Broadcast](fx.out) {
				if b.Msg.Type == MsgPrepare || b.Msg.Type == MsgCommit {
					t.Fatalf("voted after a refused message: %s", b.Msg.Type)
				}
			}
		})
	}
}

func TestProposalValidation(t *testing.T) {
	prop := func(mut func(fx *fixture, b *types.Block)) func(fx *fixture) *Message {
		return func(fx *fixture) *Message {
			b := fx.block(fx.primary(0), "a")
			if mut != nil {
				mut(fx, b)
			}
			return fx.proposal(fx.primary(0), 0, b)
		}
	}
	finalized := func(fx *fixture) { fx.finalize(fx.block(fx.primary(0), "first")) }
	cases := []stepCase{
		{name: "valid proposal is accepted", msg: prop(nil)},
		{name: "proposal by a validator that is not the primary is refused", want: ErrWrongProposer,
			msg: func(fx *fixture) *Message { return fx.proposal(2, 0, fx.block(2, "a")) }},
		{name: "proposal signed by another key than From is refused", want: ErrBadSignature,
			msg: func(fx *fixture) *Message {
				return wrongSigner(fx, fx.proposal(3, 0, fx.block(fx.primary(0), "a")), fx.primary(0))
			}},
		{name: "proposal with a damaged signature is refused", want: ErrBadSignature,
			msg: func(fx *fixture) *Message { return badSig(prop(nil)(fx)) }},
		{name: "proposal from a non-member is refused", want: ErrNotValidator,
			msg: func(fx *fixture) *Message {
				b := fx.block(fx.primary(0), "a")
				return fx.outsider(&Message{Type: MsgProposal, Height: 1, BlockHash: b.Hash(), Block: b})
			}},
		{name: "proposal for a later height is buffered, not acted on", want: ErrFutureHeight,
			msg: func(fx *fixture) *Message {
				parent := fx.block(fx.primary(0), "a")
				c := &types.CommitCert{Height: 1, BlockHash: parent.Hash()}
				b := &types.Block{Header: types.Header{ChainID: testChain, Height: 2, Time: parent.Header.Time + 1,
					ParentHash: parent.Hash(), LastCertHash: c.Hash(), TxRoot: types.TxRoot(nil)}, LastCert: c}
				return fx.proposal(fx.vals.Index(fx.vals.Primary(2, 0)), 0, b)
			}},
		{name: "proposal for a past height is refused", setup: finalized, want: ErrOldHeight,
			msg: func(fx *fixture) *Message {
				b := fx.app.blocks[0]
				return fx.proposal(fx.vals.Index(fx.vals.Primary(1, 0)), 0, b)
			}},
		{name: "proposal for view 1 without a justification is refused", want: ErrBadJustification,
			msg: func(fx *fixture) *Message { return fx.proposal(fx.primary(1), 1, fx.block(fx.primary(1), "a")) }},
		{name: "proposal for a view far ahead is refused", want: ErrFutureView,
			msg: func(fx *fixture) *Message {
				return fx.proposal(fx.primary(1000), 1000, fx.block(fx.primary(1000), "a"))
			}},
		{name: "proposal for a past view is refused", want: ErrOldView,
			setup: func(fx *fixture) { fx.tick(fx.cfg.BaseTimeoutTicks) },
			msg:   prop(nil)},
		{name: "the same proposal twice is a duplicate",
			setup: func(fx *fixture) { fx.step(prop(nil)(fx)) }, want: ErrDuplicate, msg: prop(nil)},
		{name: "a second, different proposal from the primary is equivocation", evidence: true, want: ErrEquivocation,
			setup: func(fx *fixture) { fx.step(prop(nil)(fx)) },
			msg:   func(fx *fixture) *Message { return fx.proposal(fx.primary(0), 0, fx.block(fx.primary(0), "b")) }},
		{name: "block on the wrong parent is refused", want: ErrInvalidBlock,
			msg: prop(func(fx *fixture, b *types.Block) { b.Header.ParentHash = types.Hash{9} })},
		{name: "block for another chain is refused", want: ErrInvalidBlock,
			msg: prop(func(fx *fixture, b *types.Block) { b.Header.ChainID = "other" })},
		{name: "block whose time does not move forward is refused", want: ErrInvalidBlock,
			msg: prop(func(fx *fixture, b *types.Block) { b.Header.Time = genesisTime })},
		{name: "block naming another validator set is refused", want: ErrInvalidBlock,
			msg: prop(func(fx *fixture, b *types.Block) { b.Header.ValidatorsHash = types.Hash{1} })},
		{name: "block whose proposer field is not the primary is refused", want: ErrInvalidBlock,
			msg: prop(func(fx *fixture, b *types.Block) { b.Header.Proposer = fx.addr(2) })},
		{name: "block the ledger rejects is refused", want: ErrInvalidBlock,
			msg: prop(func(fx *fixture, b *types.Block) { b.Header.StateRoot = types.Hash{7} })},
		{name: "first block with a parent certificate is refused", want: ErrInvalidBlock,
			msg: prop(func(fx *fixture, b *types.Block) { b.Header.LastCertHash = types.Hash{3} })},
		{name: "proposal whose hash does not match its block is malformed", want: ErrMalformed,
			msg: func(fx *fixture) *Message {
				b := fx.block(fx.primary(0), "a")
				return signMsg(&Message{Type: MsgProposal, Height: 1, BlockHash: types.Hash{5}, Block: b}, fx.keys[fx.primary(0)])
			}},
		{name: "proposal without a block is malformed", want: ErrMalformed,
			msg: func(fx *fixture) *Message {
				return signMsg(&Message{Type: MsgProposal, Height: 1, BlockHash: types.Hash{5}}, fx.keys[fx.primary(0)])
			}},
	}
	runStepCases(t, cases)
}

func TestParentCertificateIsVerified(t *testing.T) {
	fx := newFixture(t, 4)
	fx.finalize(fx.block(fx.primary(0), "first"))
	pr := fx.primary(0)
	b := fx.block(pr, "second")
	forged := *b.LastCert
	forged.Sigs = append([]types.CommitSig(nil), forged.Sigs...)
	forged.Sigs[0].Sig = fx.vote2(MsgCommit, int(forged.Sigs[0].Index), 1, 0, types.Hash{1}).Sig
	b.LastCert = &forged
	b.Header.LastCertHash = forged.Hash()
	err := fx.step(fx.proposal(pr, 0, b))
	if !errors.Is(err, ErrInvalidBlock) || !errors.Is(err, ErrBadCert) {
		t.Fatalf("want the forged parent certificate refused, got %v", err)
	}
	// A different but valid certificate of the parent (another quorum) is fine.
	fx = newFixture(t, 4)
	fx.finalize(fx.block(fx.primary(0), "first"))
	other := &types.CommitCert{Height: 1, View: 0, BlockHash: fx.app.blocks[0].Hash()}
	for _, i := range []int{0, 2, 3} {
		other.Sigs = append(other.Sigs, types.CommitSig{Index: uint32(i), Sig: fx.vote2(MsgCommit, i, 1, 0, other.BlockHash).Sig})
	}
	c := fx.block(pr, "third")
	c.LastCert = other
	c.Header.LastCertHash = other.Hash()
	if err := fx.step(fx.proposal(pr, 0, c)); err != nil {
		t.Fatalf("valid alternative parent certificate: %v", err)
	}
}

func TestVoteValidation(t *testing.T) {
	hash := func(fx *fixture) types.Hash { return fx.block(fx.primary(0), "a").Hash() }
	for _, kind := range []MsgType{MsgPrepare, MsgCommit} {
		t.Run(kind.String(), func(t *testing.T) {
			vote := func(signer int, v uint64) func(fx *fixture) *Message {
				return func(fx *fixture) *Message { return fx.vote(kind, signer, v, hash(fx)) }
			}
			cases := []stepCase{
				{name: "valid vote is accepted", msg: vote(1, 0)},
				{name: "vote for a later view within reach is kept", msg: vote(1, 3)},
				{name: "vote signed by another key than From is refused", want: ErrBadSignature,
					msg: func(fx *fixture) *Message { return wrongSigner(fx, vote(2, 0)(fx), 1) }},
				{name: "vote with a damaged signature is refused", want: ErrBadSignature,
					msg: func(fx *fixture) *Message { return badSig(vote(1, 0)(fx)) }},
				{name: "vote from a non-member is refused", want: ErrNotValidator,
					msg: func(fx *fixture) *Message {
						return fx.outsider(&Message{Type: kind, Height: 1, BlockHash: hash(fx)})
					}},
				{name: "vote for a later height is buffered", want: ErrFutureHeight,
					msg: func(fx *fixture) *Message { return fx.vote2(kind, 1, 2, 0, hash(fx)) }},
				{name: "vote for a past height is refused", want: ErrOldHeight,
					setup: func(fx *fixture) { fx.finalize(fx.block(fx.primary(0), "first")) },
					msg:   func(fx *fixture) *Message { return fx.vote2(kind, 1, 1, 0, types.Hash{4}) }},
				{name: "vote for a view too far ahead is refused", want: ErrFutureView, msg: vote(1, 500)},
				{name: "the same vote twice is a duplicate", want: ErrDuplicate,
					setup: func(fx *fixture) { fx.step(vote(1, 0)(fx)) }, msg: vote(1, 0)},
				{name: "a vote for another block in the same view is equivocation", want: ErrEquivocation, evidence: true,
					setup: func(fx *fixture) { fx.step(vote(1, 0)(fx)) },
					msg:   func(fx *fixture) *Message { return fx.vote(kind, 1, 0, types.Hash{8}) }},
				{name: "vote carrying a block is malformed", want: ErrMalformed,
					msg: func(fx *fixture) *Message {
						b := fx.block(0, "x")
						return signMsg(&Message{Type: kind, Height: 1, BlockHash: b.Hash(), Block: b}, fx.keys[1])
					}},
				{name: "vote for height 0 is malformed", want: ErrMalformed,
					msg: func(fx *fixture) *Message { return fx.vote2(kind, 1, 0, 0, types.Hash{}) }},
			}
			if kind == MsgPrepare {
				cases = append(cases, stepCase{name: "PREPARE for a past view is refused", want: ErrOldView,
					setup: func(fx *fixture) { fx.tick(fx.cfg.BaseTimeoutTicks) }, msg: vote(1, 0)})
			} else {
				cases = append(cases, stepCase{name: "COMMIT for a past view still counts towards a certificate",
					setup: func(fx *fixture) { fx.tick(fx.cfg.BaseTimeoutTicks) }, msg: vote(1, 0)})
			}
			runStepCases(t, cases)
		})
	}
}

func TestViewChangeValidation(t *testing.T) {
	a := func(fx *fixture) *types.Block { return fx.block(fx.primary(0), "a") }
	cases := []stepCase{
		{name: "valid view change is accepted",
			msg: func(fx *fixture) *Message { return fx.viewChange(1, 1, nil, nil) }},
		{name: "view change with a valid prepared certificate is accepted",
			msg: func(fx *fixture) *Message {
				return fx.viewChange(1, 1, fx.preparedCert(0, a(fx).Hash(), 0, 2, 3), a(fx))
			}},
		{name: "view change signed by another key than From is refused", want: ErrBadSignature,
			msg: func(fx *fixture) *Message { return wrongSigner(fx, fx.viewChange(2, 1, nil, nil), 1) }},
		{name: "view change with a damaged signature is refused", want: ErrBadSignature,
			msg: func(fx *fixture) *Message { return badSig(fx.viewChange(1, 1, nil, nil)) }},
		{name: "view change from a non-member is refused", want: ErrNotValidator,
			msg: func(fx *fixture) *Message { return fx.outsider(&Message{Type: MsgViewChange, Height: 1, View: 1}) }},
		{name: "view change for a later height is buffered", want: ErrFutureHeight,
			msg: func(fx *fixture) *Message {
				return signMsg(&Message{Type: MsgViewChange, Height: 2, View: 1}, fx.keys[1])
			}},
		{name: "view change for a past height is refused", want: ErrOldHeight,
			setup: func(fx *fixture) { fx.finalize(fx.block(fx.primary(0), "first")) },
			msg: func(fx *fixture) *Message {
				return signMsg(&Message{Type: MsgViewChange, Height: 1, View: 1}, fx.keys[1])
			}},
		{name: "view change to a past view is refused", want: ErrOldView,
			setup: func(fx *fixture) {
				fx.step(fx.viewChange(1, 3, nil, nil))
				fx.step(fx.viewChange(2, 3, nil, nil))
			},
			msg: func(fx *fixture) *Message { return fx.viewChange(3, 2, nil, nil) }},
		{name: "an older view change than the sender's last is refused", want: ErrOldView,
			setup: func(fx *fixture) { fx.step(fx.viewChange(1, 4, nil, nil)) },
			msg:   func(fx *fixture) *Message { return fx.viewChange(1, 2, nil, nil) }},
		{name: "the same view change twice is a duplicate", want: ErrDuplicate,
			setup: func(fx *fixture) { fx.step(fx.viewChange(1, 1, nil, nil)) },
			msg:   func(fx *fixture) *Message { return fx.viewChange(1, 1, nil, nil) }},
		{name: "two different view changes to one view are equivocation", want: ErrEquivocation, evidence: true,
			setup: func(fx *fixture) { fx.step(fx.viewChange(1, 1, nil, nil)) },
			msg: func(fx *fixture) *Message {
				return fx.viewChange(1, 1, fx.preparedCert(0, a(fx).Hash(), 0, 2, 3), nil)
			}},
		{name: "view change with a forged prepared certificate is refused", want: ErrBadCert,
			msg: func(fx *fixture) *Message {
				p := fx.preparedCert(0, a(fx).Hash(), 0, 2, 3)
				p.Sigs[1].Sig = fx.vote(MsgPrepare, 2, 0, types.Hash{6}).Sig
				return fx.viewChange(1, 1, p, nil)
			}},
		{name: "view change with too few prepare signatures is refused", want: ErrBadCert,
			msg: func(fx *fixture) *Message {
				return fx.viewChange(1, 1, fx.preparedCert(0, a(fx).Hash(), 2, 3), nil)
			}},
		{name: "view change whose prepared certificate is not older than it is malformed", want: ErrMalformed,
			msg: func(fx *fixture) *Message {
				return fx.viewChange(1, 1, fx.preparedCert(1, a(fx).Hash(), 0, 2, 3), nil)
			}},
		{name: "view change with a block that is not the prepared one is malformed", want: ErrMalformed,
			msg: func(fx *fixture) *Message {
				return fx.viewChange(1, 1, fx.preparedCert(0, a(fx).Hash(), 0, 2, 3), fx.block(fx.primary(0), "b"))
			}},
		{name: "view change to view 0 is malformed", want: ErrMalformed,
			msg: func(fx *fixture) *Message { return fx.viewChange(1, 0, nil, nil) }},
	}
	runStepCases(t, cases)
}

func TestDecisionValidation(t *testing.T) {
	decision := func(fx *fixture, signers []int, from int) *Message {
		b := fx.block(fx.primary(0), "a")
		c := &types.CommitCert{Height: 1, BlockHash: b.Hash()}
		for _, i := range signers {
			c.Sigs = append(c.Sigs, types.CommitSig{Index: uint32(i), Sig: fx.vote(MsgCommit, i, 0, b.Hash()).Sig})
		}
		return signMsg(&Message{Type: MsgDecision, Height: 1, BlockHash: b.Hash(), Block: b, Cert: c}, fx.keys[from])
	}
	cases := []stepCase{
		{name: "valid decision finalizes the height",
			msg: func(fx *fixture) *Message { return decision(fx, []int{1, 2, 3}, 1) }},
		{name: "decision signed by another key than From is refused", want: ErrBadSignature,
			msg: func(fx *fixture) *Message { return wrongSigner(fx, decision(fx, []int{1, 2, 3}, 2), 1) }},
		{name: "decision from a non-member is refused", want: ErrNotValidator,
			msg: func(fx *fixture) *Message {
				m := decision(fx, []int{1, 2, 3}, 1)
				return fx.outsider(&Message{Type: MsgDecision, Height: 1, BlockHash: m.BlockHash, Block: m.Block, Cert: m.Cert})
			}},
		{name: "decision for a later height is not acted on", want: ErrFutureHeight,
			msg: func(fx *fixture) *Message {
				m := decision(fx, []int{1, 2, 3}, 1)
				b := *m.Block
				b.Header.Height = 2
				c := &types.CommitCert{Height: 1, BlockHash: m.BlockHash}
				b.Header.ParentHash, b.Header.LastCertHash, b.LastCert = m.BlockHash, c.Hash(), c
				c2 := *m.Cert
				c2.Height, c2.BlockHash = 2, b.Hash()
				return signMsg(&Message{Type: MsgDecision, Height: 2, BlockHash: b.Hash(), Block: &b, Cert: &c2}, fx.keys[1])
			}},
		{name: "decision for a past height is refused", want: ErrOldHeight,
			setup: func(fx *fixture) { fx.step(decision(fx, []int{1, 2, 3}, 1)) },
			msg: func(fx *fixture) *Message {
				b, c := fx.app.blocks[0], fx.app.certs[0]
				return signMsg(&Message{Type: MsgDecision, Height: 1, BlockHash: b.Hash(), Block: b, Cert: c}, fx.keys[2])
			}},
		{name: "decision whose view differs from its certificate's is malformed", want: ErrMalformed,
			msg: func(fx *fixture) *Message {
				m := decision(fx, []int{1, 2, 3}, 1)
				return signMsg(&Message{Type: MsgDecision, Height: 1, View: 4, BlockHash: m.BlockHash, Block: m.Block, Cert: m.Cert}, fx.keys[1])
			}},
		{name: "decision with a damaged signature is refused", want: ErrBadSignature,
			msg: func(fx *fixture) *Message { return badSig(decision(fx, []int{1, 2, 3}, 1)) }},
		{name: "decision without a quorum is refused", want: ErrBadCert,
			msg: func(fx *fixture) *Message { return decision(fx, []int{1, 2}, 1) }},
		{name: "decision whose certificate names another block is malformed", want: ErrMalformed,
			msg: func(fx *fixture) *Message {
				m := decision(fx, []int{1, 2, 3}, 1)
				c := *m.Cert
				c.BlockHash = types.Hash{2}
				return signMsg(&Message{Type: MsgDecision, Height: 1, BlockHash: m.BlockHash, Block: m.Block, Cert: &c}, fx.keys[1])
			}},
	}
	runStepCases(t, cases)
}

func TestJustificationValidation(t *testing.T) {
	// Proposals for view 1 at height 1; the primary of view 1 is validator 2.
	const v = 1
	fresh := func(fx *fixture) *types.Block { return fx.block(fx.primary(v), "fresh") }
	prepared := func(fx *fixture) *types.Block { return fx.block(fx.primary(0), "a") }
	vcs := func(fx *fixture, p *PreparedCert, signers ...int) []*Message {
		var out []*Message
		for _, i := range signers {
			var pc *PreparedCert
			if i == signers[0] {
				pc = p
			}
			out = append(out, fx.viewChange(i, v, pc, nil))
		}
		return out
	}
	cases := []stepCase{
		{name: "proposal justified by a quorum of view changes is accepted",
			msg: func(fx *fixture) *Message { return fx.proposal(fx.primary(v), v, fresh(fx), vcs(fx, nil, 1, 2, 3)...) }},
		{name: "re-proposal of the prepared block is accepted",
			msg: func(fx *fixture) *Message {
				p := fx.preparedCert(0, prepared(fx).Hash(), 0, 1, 3)
				return fx.proposal(fx.primary(v), v, prepared(fx), vcs(fx, p, 1, 2, 3)...)
			}},
		{name: "a fresh block where one was prepared is refused", want: ErrInvalidBlock,
			msg: func(fx *fixture) *Message {
				p := fx.preparedCert(0, prepared(fx).Hash(), 0, 1, 3)
				return fx.proposal(fx.primary(v), v, fresh(fx), vcs(fx, p, 1, 2, 3)...)
			}},
		{name: "too few view changes are refused", want: ErrBadJustification,
			msg: func(fx *fixture) *Message { return fx.proposal(fx.primary(v), v, fresh(fx), vcs(fx, nil, 1, 2)...) }},
		{name: "a view change counted twice is refused", want: ErrBadJustification,
			msg: func(fx *fixture) *Message { return fx.proposal(fx.primary(v), v, fresh(fx), vcs(fx, nil, 1, 2, 2)...) }},
		{name: "a view change for another view is refused", want: ErrBadJustification,
			msg: func(fx *fixture) *Message {
				j := vcs(fx, nil, 1, 2)
				j = append(j, fx.viewChange(3, 2, nil, nil))
				return fx.proposal(fx.primary(v), v, fresh(fx), j...)
			}},
		{name: "a view change from a non-member is refused", want: ErrBadJustification,
			msg: func(fx *fixture) *Message {
				j := vcs(fx, nil, 1, 2)
				j = append(j, fx.outsider(&Message{Type: MsgViewChange, Height: 1, View: v}))
				return fx.proposal(fx.primary(v), v, fresh(fx), j...)
			}},
		{name: "a view change with a damaged signature is refused", want: ErrBadJustification,
			msg: func(fx *fixture) *Message {
				j := vcs(fx, nil, 1, 2, 3)
				j[2] = badSig(j[2])
				return fx.proposal(fx.primary(v), v, fresh(fx), j...)
			}},
		{name: "a forged prepared certificate at the top is refused", want: ErrBadJustification,
			msg: func(fx *fixture) *Message {
				p := fx.preparedCert(0, prepared(fx).Hash(), 0, 1, 3)
				p.Sigs[2].Sig = p.Sigs[1].Sig
				return fx.proposal(fx.primary(v), v, prepared(fx), vcs(fx, p, 1, 2, 3)...)
			}},
	}
	runStepCases(t, cases)
}
