package consensus

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// MsgType names a consensus message.
type MsgType uint8

// Message types. The numbering is part of the wire format.
const (
	// MsgProposal is PRE-PREPARE: the primary of (height, view) proposes a
	// block. Above view 0 it carries the NEW-VIEW justification: a quorum of
	// VIEW-CHANGE messages for that view.
	MsgProposal MsgType = 1
	// MsgPrepare is a PREPARE vote for (height, view, block hash).
	MsgPrepare MsgType = 2
	// MsgCommit is a COMMIT vote; a quorum of them is a types.CommitCert.
	MsgCommit MsgType = 3
	// MsgViewChange asks to move to View, reporting the sender's highest
	// prepared certificate (and that block's body, which is not signed but
	// checked against the certified hash).
	MsgViewChange MsgType = 4
	// MsgDecision hands a finalized block and its certificate to a peer that
	// is one height behind.
	MsgDecision MsgType = 5
)

func (t MsgType) String() string {
	switch t {
	case MsgProposal:
		return "PRE-PREPARE"
	case MsgPrepare:
		return "PREPARE"
	case MsgCommit:
		return "COMMIT"
	case MsgViewChange:
		return "VIEW-CHANGE"
	case MsgDecision:
		return "DECISION"
	}
	return fmt.Sprintf("MsgType(%d)", uint8(t))
}

// Digest kinds for the messages types.VoteDigest does not already name.
const (
	kindProposal   = "accord/pre-prepare"
	kindViewChange = "accord/view-change"
	kindDecision   = "accord/decision"
)

// Wire limits. A message is at most one block plus a bounded amount of
// signatures; anything larger is refused before decoding.
const (
	MaxMessageSize   = types.MaxBlockSize + 4<<20
	maxSigs          = 1024 // signatures in one prepared certificate
	maxJustification = 1024 // VIEW-CHANGE messages in one proposal
)

// PreparedCert proves that a quorum of validators sent PREPARE for
// BlockHash at (Height, View). Sigs are PREPARE signatures
// (types.VoteDigest(types.VotePrepare, ...)) strictly sorted by index.
type PreparedCert struct {
	Height    uint64
	View      uint64
	BlockHash types.Hash
	Sigs      []types.CommitSig
}

// Message is one consensus message, signed by the validator From. Which
// optional fields are set depends on Type (see ValidateBasic). A Message is
// immutable once signed; the engine never modifies one it receives or sends.
type Message struct {
	Type      MsgType
	Height    uint64
	View      uint64
	BlockHash types.Hash // PRE-PREPARE, PREPARE, COMMIT, DECISION

	// Block is the proposed block (PRE-PREPARE), the body of the prepared
	// block (VIEW-CHANGE, optional) or the finalized block (DECISION). It is
	// covered by the signature only through BlockHash / Prepared.BlockHash.
	Block *types.Block
	// Prepared is the sender's highest prepared certificate (VIEW-CHANGE).
	Prepared *PreparedCert
	// Justification holds the VIEW-CHANGE messages for View that entitle the
	// primary to propose (PRE-PREPARE with View > 0). Their prepared block
	// bodies are stripped: the proposal's own Block is the only one needed.
	Justification []*Message
	// Cert is the commit certificate of a DECISION.
	Cert *types.CommitCert
	// Compact replaces Block on a PRE-PREPARE received in compact form (see
	// EncodeCompact): the block's header, transaction hashes and parent
	// certificate. Such a message is incomplete: the engine refuses it
	// (ErrIncomplete) until the driver has rebuilt the block from its
	// mempool, fetching what it lacks, and attached it with WithBlock.
	Compact *types.CompactBlock

	From types.Address
	Sig  []byte
}

// Digest is what From signs. The chain ID is part of every digest, so a
// message for one chain is invalid on any other. PREPARE and COMMIT use
// types.VoteDigest, so their signatures are reused verbatim in prepared and
// commit certificates.
func (m *Message) Digest(chainID string) types.Hash {
	switch m.Type {
	case MsgProposal:
		return types.VoteDigest(kindProposal, chainID, m.Height, m.View, m.BlockHash)
	case MsgPrepare:
		return types.VoteDigest(types.VotePrepare, chainID, m.Height, m.View, m.BlockHash)
	case MsgCommit:
		return types.CommitDigest(chainID, m.Height, m.View, m.BlockHash)
	case MsgViewChange:
		return types.VoteDigest(kindViewChange, chainID, m.Height, m.View, preparedSummary(m.Prepared))
	case MsgDecision:
		return types.VoteDigest(kindDecision, chainID, m.Height, m.View, m.BlockHash)
	}
	return types.Hash{}
}

// preparedSummary is what a VIEW-CHANGE signature says about the prepared
// certificate: its view and block (zero when none). The certificate's
// signatures need not be signed: they prove themselves.
func preparedSummary(p *PreparedCert) types.Hash {
	if p == nil {
		return types.Hash{}
	}
	b, err := rlp.EncodeToBytes([]any{p.View, p.BlockHash})
	if err != nil {
		panic(fmt.Sprintf("encode prepared summary: %v", err))
	}
	return types.Keccak(b)
}

// VerifySignature checks that Sig is From's signature over the message for
// chainID and returns From. It needs no state, so it can serve as a cheap
// gossip validator; membership in the validator set is checked by the engine.
func (m *Message) VerifySignature(chainID string) (types.Address, error) {
	return m.VerifyWith(chainID, nil)
}

// Recoverer recovers the address that signed a digest. It must answer
// exactly as types.RecoverAddress does; a cache in front of it
// (sigcache.Cache) only saves repeated recoveries, so it cannot change an
// outcome and the engine stays deterministic.
type Recoverer interface {
	Recover(digest types.Hash, sig []byte) (types.Address, error)
}

// VerifyWith is VerifySignature recovering through r (nil: no cache). A
// gossip validator that shares r with the engine (Config.SigCache) saves
// the engine from recovering the same signature again.
func (m *Message) VerifyWith(chainID string, r Recoverer) (types.Address, error) {
	if err := m.ValidateBasic(); err != nil {
		return types.Address{}, err
	}
	a, err := recoverWith(r, m.Digest(chainID), m.Sig)
	if err != nil {
		return types.Address{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if a != m.From {
		return types.Address{}, fmt.Errorf("%w: signed by %s, claims %s", ErrBadSignature, a.Hex(), m.From.Hex())
	}
	return a, nil
}

// ValidateBasic checks the stateless shape of a message: which fields its
// type allows, that bodies match the hashes that are signed, and sizes.
func (m *Message) ValidateBasic() error {
	if len(m.Sig) != types.SignatureLength {
		return fmt.Errorf("%w: signature is %d bytes", ErrMalformed, len(m.Sig))
	}
	if m.Height == 0 {
		return fmt.Errorf("%w: height 0", ErrMalformed)
	}
	if m.Compact != nil && (m.Type != MsgProposal || m.Block != nil) {
		return fmt.Errorf("%w: %s with a compact block", ErrMalformed, m.Type)
	}
	switch m.Type {
	case MsgProposal:
		if (m.Block == nil && m.Compact == nil) || m.Prepared != nil || m.Cert != nil {
			return fmt.Errorf("%w: %s needs exactly a block", ErrMalformed, m.Type)
		}
		if m.Compact != nil {
			if err := checkCompact(m.Compact, m.Height, m.BlockHash); err != nil {
				return err
			}
		} else if err := checkBody(m.Block, m.Height, m.BlockHash); err != nil {
			return err
		}
		if m.View == 0 && len(m.Justification) != 0 {
			return fmt.Errorf("%w: view 0 proposal with a justification", ErrMalformed)
		}
		if len(m.Justification) > maxJustification {
			return fmt.Errorf("%w: %d view changes in justification", ErrMalformed, len(m.Justification))
		}
		for i, vc := range m.Justification {
			if vc == nil || vc.Type != MsgViewChange || len(vc.Justification) != 0 {
				return fmt.Errorf("%w: justification %d is not a view change", ErrMalformed, i)
			}
			if err := vc.ValidateBasic(); err != nil {
				return fmt.Errorf("justification %d: %w", i, err)
			}
		}
	case MsgPrepare, MsgCommit:
		if m.Block != nil || m.Prepared != nil || m.Cert != nil || len(m.Justification) != 0 {
			return fmt.Errorf("%w: %s carries extra fields", ErrMalformed, m.Type)
		}
	case MsgViewChange:
		if m.View == 0 {
			return fmt.Errorf("%w: view change to view 0", ErrMalformed)
		}
		if m.Cert != nil || len(m.Justification) != 0 || m.BlockHash != (types.Hash{}) {
			return fmt.Errorf("%w: %s carries extra fields", ErrMalformed, m.Type)
		}
		if p := m.Prepared; p != nil {
			if p.Height != m.Height || p.View >= m.View {
				return fmt.Errorf("%w: prepared certificate for %d/%d in view change to %d/%d", ErrMalformed, p.Height, p.View, m.Height, m.View)
			}
			if err := checkSigList(p.Sigs); err != nil {
				return err
			}
			if m.Block != nil {
				if err := checkBody(m.Block, m.Height, p.BlockHash); err != nil {
					return err
				}
			}
		} else if m.Block != nil {
			return fmt.Errorf("%w: view change with a block but no prepared certificate", ErrMalformed)
		}
	case MsgDecision:
		if m.Block == nil || m.Cert == nil || m.Prepared != nil || len(m.Justification) != 0 {
			return fmt.Errorf("%w: %s needs a block and a certificate", ErrMalformed, m.Type)
		}
		if m.Cert.Height != m.Height || m.Cert.View != m.View || m.Cert.BlockHash != m.BlockHash {
			return fmt.Errorf("%w: decision certificate names another block", ErrMalformed)
		}
		if err := checkSigList(m.Cert.Sigs); err != nil {
			return err
		}
		if err := checkBody(m.Block, m.Height, m.BlockHash); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: unknown type %d", ErrMalformed, m.Type)
	}
	return nil
}

func checkSigList(sigs []types.CommitSig) error {
	if len(sigs) > maxSigs {
		return fmt.Errorf("%w: %d signatures", ErrMalformed, len(sigs))
	}
	for i, s := range sigs {
		if i > 0 && s.Index <= sigs[i-1].Index {
			return fmt.Errorf("%w: signatures not strictly sorted by index", ErrMalformed)
		}
		if len(s.Sig) != types.SignatureLength {
			return fmt.Errorf("%w: signature %d is %d bytes", ErrMalformed, i, len(s.Sig))
		}
	}
	return nil
}

// checkBody checks that b is a well-formed block at height whose header
// hashes to hash.
func checkBody(b *types.Block, height uint64, hash types.Hash) error {
	if b.Header.Height != height {
		return fmt.Errorf("%w: block height %d in a message for %d", ErrMalformed, b.Header.Height, height)
	}
	if b.Hash() != hash {
		return fmt.Errorf("%w: block hash does not match", ErrMalformed)
	}
	if err := b.CheckStructure(); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// checkCompact is checkBody for a compact block.
func checkCompact(c *types.CompactBlock, height uint64, hash types.Hash) error {
	if c.Header.Height != height {
		return fmt.Errorf("%w: block height %d in a message for %d", ErrMalformed, c.Header.Height, height)
	}
	if c.Hash() != hash {
		return fmt.Errorf("%w: block hash does not match", ErrMalformed)
	}
	if err := c.CheckStructure(); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// Incomplete reports whether m is a compact PRE-PREPARE still waiting for
// its transactions.
func (m *Message) Incomplete() bool { return m.Compact != nil }

// WithBlock returns a copy of the compact proposal m carrying the whole
// block b, which must be the block m names (its hash, and so its header
// and transaction list). The signature carries over: it covers the block
// hash, never the body's encoding.
func (m *Message) WithBlock(b *types.Block) (*Message, error) {
	if m.Compact == nil {
		return nil, fmt.Errorf("%w: %s is not a compact proposal", ErrMalformed, m.Type)
	}
	if b == nil {
		return nil, fmt.Errorf("%w: nil block", ErrMalformed)
	}
	if err := checkBody(b, m.Height, m.BlockHash); err != nil {
		return nil, err
	}
	c := *m
	c.Block, c.Compact = b, nil
	return &c, nil
}

// wireMessage is the RLP shape of a Message. Blocks and certificates travel
// as their canonical encodings so they are decoded by types' strict decoders.
type wireMessage struct {
	Type          uint8
	Height        uint64
	View          uint64
	BlockHash     types.Hash
	Block         []byte
	Prepared      []wirePrepared // zero or one
	Justification [][]byte
	Cert          []byte
	From          types.Address
	Sig           []byte
	// Compact is the encoded types.CompactBlock of a compact PRE-PREPARE
	// (then Block is empty). Optional, so every other message encodes as
	// before it existed.
	Compact []byte `rlp:"optional"`
}

type wirePrepared struct {
	View      uint64
	BlockHash types.Hash
	Sigs      []types.CommitSig
}

// Encode returns the message's canonical RLP.
func (m *Message) Encode() []byte { return m.encode(false) }

// EncodeCompact is Encode, except that a PRE-PREPARE carries its block as a
// types.CompactBlock: transaction hashes instead of bodies. Peers already
// hold (nearly) all of a proposal's transactions from transaction gossip,
// so a compact proposal is 32 bytes a transaction instead of the whole
// encoding, and the receiver re-uses the transactions its mempool already
// decoded, hashed and verified. Other messages encode as with Encode.
func (m *Message) EncodeCompact() []byte { return m.encode(true) }

func (m *Message) encode(compact bool) []byte {
	w := wireMessage{Type: uint8(m.Type), Height: m.Height, View: m.View, BlockHash: m.BlockHash, From: m.From, Sig: m.Sig}
	switch {
	case m.Compact != nil:
		w.Compact = m.Compact.Encode()
	case m.Block != nil && compact && m.Type == MsgProposal:
		w.Compact = m.Block.Compact().Encode()
	case m.Block != nil:
		w.Block = m.Block.Encode()
	}
	if p := m.Prepared; p != nil {
		w.Prepared = []wirePrepared{{View: p.View, BlockHash: p.BlockHash, Sigs: p.Sigs}}
	}
	for _, j := range m.Justification {
		w.Justification = append(w.Justification, j.Encode())
	}
	if m.Cert != nil {
		w.Cert = m.Cert.Encode()
	}
	out, err := rlp.EncodeToBytes(&w)
	if err != nil {
		panic(fmt.Sprintf("encode message: %v", err))
	}
	return out
}

// DecodeMessage decodes and structurally validates (ValidateBasic) a
// message. It does not check the signature. It never panics.
func DecodeMessage(raw []byte) (*Message, error) {
	return decodeMessage(raw, true)
}

func decodeMessage(raw []byte, top bool) (*Message, error) {
	if len(raw) > MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, len(raw))
	}
	var w wireMessage
	if err := rlp.DecodeBytes(raw, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	m := &Message{Type: MsgType(w.Type), Height: w.Height, View: w.View, BlockHash: w.BlockHash, From: w.From, Sig: w.Sig}
	if len(w.Block) > 0 {
		b, err := decodeBlockCached(w.Block)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		m.Block = b
	}
	switch len(w.Prepared) {
	case 0:
	case 1:
		p := w.Prepared[0]
		m.Prepared = &PreparedCert{Height: w.Height, View: p.View, BlockHash: p.BlockHash, Sigs: p.Sigs}
	default:
		return nil, fmt.Errorf("%w: %d prepared certificates", ErrMalformed, len(w.Prepared))
	}
	if len(w.Justification) > 0 {
		if !top {
			return nil, fmt.Errorf("%w: nested justification", ErrMalformed)
		}
		if len(w.Justification) > maxJustification {
			return nil, fmt.Errorf("%w: %d view changes in justification", ErrMalformed, len(w.Justification))
		}
		for i, jr := range w.Justification {
			j, err := decodeMessage(jr, false)
			if err != nil {
				return nil, fmt.Errorf("justification %d: %w", i, err)
			}
			m.Justification = append(m.Justification, j)
		}
	}
	if len(w.Compact) > 0 {
		if len(w.Block) > 0 {
			return nil, fmt.Errorf("%w: both a block and a compact block", ErrMalformed)
		}
		c, err := types.DecodeCompactBlock(w.Compact)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		m.Compact = c
	}
	if len(w.Cert) > 0 {
		c, err := types.DecodeCommitCert(w.Cert)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		m.Cert = c
	}
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	return m, nil
}

// recentBlocks holds the last few block bodies decoded from the wire. The
// same body arrives many times: in the proposal, in its re-broadcasts (every
// second until the height is final), in view changes and in DECISIONs to
// peers that lag. Decoding a 10,000-tx body costs tens of milliseconds; a
// byte comparison with one seen before costs microseconds. A hit returns the
// block decoded then (blocks are not modified once decoded).
var recentBlocks struct {
	sync.Mutex
	entries [4]struct {
		raw []byte
		b   *types.Block
	}
	next int
}

// minCachedBlock is the smallest encoded body worth remembering.
const minCachedBlock = 16 << 10

func decodeBlockCached(raw []byte) (*types.Block, error) {
	if len(raw) < minCachedBlock {
		return types.DecodeBlock(raw)
	}
	rb := &recentBlocks
	rb.Lock()
	for i := range rb.entries {
		if e := &rb.entries[i]; bytes.Equal(e.raw, raw) {
			b := e.b
			rb.Unlock()
			return b, nil
		}
	}
	rb.Unlock()
	b, err := types.DecodeBlock(raw)
	if err != nil {
		return nil, err
	}
	rb.Lock()
	e := &rb.entries[rb.next]
	e.raw, e.b = raw, b
	rb.next = (rb.next + 1) % len(rb.entries)
	rb.Unlock()
	return b, nil
}

// stripBlock returns a copy of a VIEW-CHANGE without its prepared block body,
// as it is carried inside a proposal's justification.
func stripBlock(m *Message) *Message {
	if m.Block == nil {
		return m
	}
	c := *m
	c.Block = nil
	return &c
}

// sameVote reports whether two messages are the same statement (they may
// carry different but equally valid signatures).
func sameVote(a, b *Message) bool {
	return a.Type == b.Type && a.Height == b.Height && a.View == b.View && a.BlockHash == b.BlockHash &&
		preparedSummary(a.Prepared) == preparedSummary(b.Prepared)
}
