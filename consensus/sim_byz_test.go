package consensus

import (
	"cmp"
	"encoding/binary"
	"math/rand/v2"
	"slices"

	"github.com/accordnet/accord/types"
)

func randHash(rng *rand.Rand) types.Hash {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], rng.Uint64())
	return types.Keccak(b[:])
}

// byzState makes a node Byzantine. It runs a real engine (so it follows
// the chain and signs plausible votes) and distorts what leaves it.
type byzState struct {
	s          *sim
	nd         *simNode
	equivocate bool // as primary, propose two blocks to two groups and vote for both
	conflict   bool // also vote for random blocks
	garbage    bool // random bytes, stale, future and forged messages
	withholdPM int  // per mille of its messages it does not send
	sneaky     bool // as a new primary, cherry-pick view changes without prepared certificates and propose a fresh block
	vcs        map[uint64][]*Message
	vcHeight   uint64
	attacked   map[[2]uint64]bool
	splits     map[[2]uint64]*equivocation
	seen       []*Message
}

type equivocation struct {
	orig, alt types.Hash
	altMsg    *Message
	inAlt     []bool
}

func newByzState(s *sim, nd *simNode) *byzState {
	b := &byzState{s: s, nd: nd, splits: make(map[[2]uint64]*equivocation), vcs: make(map[uint64][]*Message), attacked: make(map[[2]uint64]bool)}
	rng := s.rng
	b.equivocate = s.p.weak || rng.IntN(10) < 8
	b.conflict = !s.p.weak && rng.IntN(2) == 0
	b.garbage = !s.p.weak && rng.IntN(2) == 0
	if !s.p.weak && rng.IntN(3) == 0 {
		b.withholdPM = rng.IntN(1000)
	}
	b.sneaky = s.p.weak || rng.IntN(2) == 0
	return b
}

func (b *byzState) record(m *Message) {
	if m.Type == MsgViewChange && b.nd.eng != nil && m.Height == b.nd.eng.Height() {
		if b.vcHeight != m.Height {
			b.vcHeight = m.Height
			clear(b.vcs)
		}
		for _, o := range b.vcs[m.View] {
			if o.From == m.From {
				return
			}
		}
		b.vcs[m.View] = append(b.vcs[m.View], stripBlock(m))
	}
	if len(b.seen) < 64 {
		b.seen = append(b.seen, m)
		return
	}
	b.seen[b.s.rng.IntN(len(b.seen))] = m
}

// send distorts one of its engine's messages on its way to node to.
func (b *byzState) send(to int, m *Message) {
	s := b.s
	if b.withholdPM > 0 && s.rng.IntN(1000) < b.withholdPM {
		return
	}
	key := [2]uint64{m.Height, m.View}
	switch {
	case m.Type == MsgProposal && b.equivocate:
		eq := b.split(m)
		if eq.inAlt[to] {
			s.transmit(b.nd.id, to, eq.altMsg, true)
			return
		}
	case m.Type == MsgPrepare || m.Type == MsgCommit:
		if eq := b.splits[key]; eq != nil && eq.inAlt[to] && m.BlockHash == eq.orig {
			s.transmit(b.nd.id, to, signMsg(&Message{Type: m.Type, Height: m.Height, View: m.View, BlockHash: eq.alt}, b.nd.key), true)
			return
		}
		if b.conflict && s.rng.IntN(2) == 0 {
			s.transmit(b.nd.id, to, signMsg(&Message{Type: m.Type, Height: m.Height, View: m.View, BlockHash: randHash(s.rng)}, b.nd.key), true)
		}
	}
	s.transmit(b.nd.id, to, m, true)
}

// split makes the conflicting twin of its own proposal m, chooses who gets
// which, and immediately votes PREPARE and COMMIT for each to its group.
func (b *byzState) split(m *Message) *equivocation {
	s := b.s
	key := [2]uint64{m.Height, m.View}
	if eq := b.splits[key]; eq != nil && eq.orig == m.BlockHash {
		return eq
	}
	alt := *m.Block
	payload := randHash(s.rng)
	_, _, state := b.nd.app.head()
	alt.Header.ReceiptRoot = payload
	alt.Header.StateRoot = types.Keccak(state[:], payload[:])
	altMsg := signMsg(&Message{Type: MsgProposal, Height: m.Height, View: m.View, BlockHash: alt.Hash(), Block: &alt, Justification: m.Justification}, b.nd.key)
	eq := &equivocation{orig: m.BlockHash, alt: altMsg.BlockHash, altMsg: altMsg, inAlt: make([]bool, len(s.nodes))}
	for i := range eq.inAlt {
		eq.inAlt[i] = s.rng.IntN(2) == 0
	}
	b.splits[key] = eq
	for _, o := range s.nodes {
		if o.id == b.nd.id {
			continue
		}
		h := eq.orig
		if eq.inAlt[o.id] {
			h = eq.alt
		}
		for _, t := range []MsgType{MsgPrepare, MsgCommit} {
			s.transmit(b.nd.id, o.id, signMsg(&Message{Type: t, Height: m.Height, View: m.View, BlockHash: h}, b.nd.key), true)
		}
	}
	return eq
}

// newViewAttack: as the primary of a view, justify a fresh block with the
// view changes that report no (or the lowest) prepared certificate, hoping
// to override a block that may already be final.
func (b *byzState) newViewAttack() {
	s := b.s
	eng := b.nd.eng
	h := eng.Height()
	if b.vcHeight != h {
		return
	}
	views := make([]uint64, 0, len(b.vcs))
	for v := range b.vcs {
		views = append(views, v)
	}
	slices.Sort(views)
	for _, v := range views {
		if eng.hs.vals.Primary(h, v) != b.nd.signer.addr || b.attacked[[2]uint64{h, v}] {
			continue
		}
		others := slices.Clone(b.vcs[v])
		slices.SortStableFunc(others, func(x, y *Message) int {
			px, py := int64(-1), int64(-1)
			if x.Prepared != nil {
				px = int64(x.Prepared.View)
			}
			if y.Prepared != nil {
				py = int64(y.Prepared.View)
			}
			return cmp.Compare(px, py)
		})
		q := eng.hs.q
		if len(others) < q-1 {
			continue
		}
		b.attacked[[2]uint64{h, v}] = true
		just := []*Message{signMsg(&Message{Type: MsgViewChange, Height: h, View: v}, b.nd.key)}
		just = append(just, others[:q-1]...)
		req := RequestProposal{Height: h, View: v, Parent: eng.last.Hash, ParentTime: eng.last.Time, LastCert: eng.last.Cert, ValidatorsHash: eng.hs.valsHash}
		if h == 1 {
			req.LastCert = nil
		}
		blk := b.nd.app.build(req, b.nd.signer.addr, randHash(s.rng), 1)
		m := signMsg(&Message{Type: MsgProposal, Height: h, View: v, BlockHash: blk.Hash(), Block: blk, Justification: just}, b.nd.key)
		for _, o := range s.nodes {
			if o.id != b.nd.id {
				s.transmit(b.nd.id, o.id, m, true)
			}
		}
	}
}

// tick attacks the new view and sends some garbage now and then.
func (b *byzState) tick() {
	s := b.s
	if b.sneaky {
		b.newViewAttack()
	}
	if !b.garbage || s.rng.IntN(100) >= 5 || len(s.nodes) < 2 {
		return
	}
	to := s.rng.IntN(len(s.nodes) - 1)
	if to >= b.nd.id {
		to++
	}
	eng := b.nd.eng
	h, v := eng.Height(), eng.View()
	key := b.nd.key
	switch s.rng.IntN(9) {
	case 0: // random bytes
		raw := make([]byte, s.rng.IntN(200))
		for i := range raw {
			raw[i] = byte(s.rng.IntN(256))
		}
		s.transmitRaw(b.nd.id, to, raw)
	case 1: // a recorded message with one byte flipped
		if len(b.seen) > 0 {
			raw := b.seen[s.rng.IntN(len(b.seen))].Encode()
			raw[s.rng.IntN(len(raw))] ^= byte(1 + s.rng.IntN(255))
			s.transmitRaw(b.nd.id, to, raw)
		}
	case 2: // a vote for a random block at a nearby or absurd height/view
		hh := h + uint64(s.rng.IntN(5))
		if hh > 2 {
			hh -= 2
		}
		vv := v + uint64(s.rng.IntN(90))
		if s.rng.IntN(4) == 0 {
			vv = 1 << 39
		}
		t := []MsgType{MsgPrepare, MsgCommit, MsgViewChange}[s.rng.IntN(3)]
		m := &Message{Type: t, Height: hh, View: vv}
		if t == MsgViewChange {
			if m.View == 0 {
				m.View = 1
			}
		} else {
			m.BlockHash = randHash(s.rng)
		}
		s.transmit(b.nd.id, to, signMsg(m, key), true)
	case 3: // a view change with a forged prepared certificate
		sigs := []types.CommitSig{}
		for i := range b.nd.eng.hs.q {
			sig := make([]byte, 65)
			copy(sig, randHash(s.rng).Bytes())
			sigs = append(sigs, types.CommitSig{Index: uint32(i), Sig: sig})
		}
		m := &Message{Type: MsgViewChange, Height: h, View: v + 1, Prepared: &PreparedCert{Height: h, View: v, BlockHash: randHash(s.rng), Sigs: sigs}}
		s.transmit(b.nd.id, to, signMsg(m, key), true)
	case 4: // a proposal with an invalid block
		req := RequestProposal{Height: h, View: v, Parent: eng.last.Hash, ParentTime: eng.last.Time, LastCert: eng.last.Cert, ValidatorsHash: eng.hs.valsHash}
		blk := b.nd.app.build(req, b.nd.signer.addr, randHash(s.rng), 1)
		blk.Header.StateRoot = randHash(s.rng)
		m := &Message{Type: MsgProposal, Height: h, View: v, BlockHash: blk.Hash(), Block: blk}
		s.transmit(b.nd.id, to, signMsg(m, key), true)
	case 5, 6: // replay something old
		if len(b.seen) > 0 {
			s.transmit(b.nd.id, to, b.seen[s.rng.IntN(len(b.seen))], true)
		}
	case 8: // two different view changes for one view
		vc := signMsg(&Message{Type: MsgViewChange, Height: h, View: v + 1}, key)
		other := signMsg(&Message{Type: MsgViewChange, Height: h, View: v + 1, Prepared: &PreparedCert{Height: h, View: v, BlockHash: randHash(s.rng)}}, key)
		s.transmit(b.nd.id, to, vc, true)
		s.transmit(b.nd.id, to, other, true)
	case 7: // a decision with a forged certificate
		req := RequestProposal{Height: h, View: v, Parent: eng.last.Hash, ParentTime: eng.last.Time, LastCert: eng.last.Cert, ValidatorsHash: eng.hs.valsHash}
		blk := b.nd.app.build(req, b.nd.signer.addr, randHash(s.rng), 1)
		cert := &types.CommitCert{Height: h, View: v, BlockHash: blk.Hash()}
		for i := range eng.hs.q {
			sig := make([]byte, 65)
			copy(sig, randHash(s.rng).Bytes())
			cert.Sigs = append(cert.Sigs, types.CommitSig{Index: uint32(i), Sig: sig})
		}
		m := &Message{Type: MsgDecision, Height: h, View: v, BlockHash: blk.Hash(), Block: blk, Cert: cert}
		s.transmit(b.nd.id, to, signMsg(m, key), true)
	}
}
