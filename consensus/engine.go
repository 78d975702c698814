package consensus

import (
	"errors"
	"fmt"
	"slices"

	"github.com/accordnet/accord/types"
)

// Signer signs consensus digests with the validator's key.
type Signer interface {
	Address() types.Address
	Sign(digest types.Hash) ([]byte, error)
}

// App is what the engine needs from the ledger; the node implements it.
type App interface {
	// ValidatorSet returns the set that finalizes height. Governance
	// changes take effect two heights later, so the set of h+1 is known
	// once h-1 is committed; the engine never asks further ahead.
	ValidatorSet(height uint64) (*types.ValidatorSet, error)
	// ValidateBlock executes or otherwise fully validates a proposed block
	// on top of the last committed one. The engine calls it at most once per
	// distinct block at a height, never for its own proposals.
	ValidateBlock(b *types.Block) error
}

// LastCommitted describes the last block the ledger holds.
type LastCommitted struct {
	Height uint64            // 0 = genesis (nothing committed yet)
	Hash   types.Hash        // its block hash (zero at genesis)
	Time   uint64            // its header time (a genesis time at height 0)
	Cert   *types.CommitCert // its commit certificate (nil at genesis)
	// Block is optional: with it the engine can hand the block to a peer
	// that is one height behind.
	Block *types.Block
}

// Default timing, in ticks. The node ticks every 10 ms, so a view lasts 3 s
// at first (well above the 1 s maximum block interval the driver may wait
// for transactions before answering RequestProposal), doubling per view up
// to 60 s; an engine that is stuck re-sends its current votes every second.
const (
	DefaultBaseTimeoutTicks = 300
	DefaultMaxTimeoutTicks  = 6000
	DefaultRebroadcastTicks = 100
	DefaultSyncRetryTicks   = 300
	DefaultMaxViewsAhead    = 64
)

// Config parameterises an engine. Zero values take the defaults above.
type Config struct {
	ChainID string
	// BaseTimeoutTicks is the timeout of view 0; view v waits
	// min(Base·2^v, Max) ticks.
	BaseTimeoutTicks, MaxTimeoutTicks int
	// RebroadcastTicks is how often the engine re-sends its own messages
	// for the current height and view while it has not finalized it (a
	// lossy network loses them; signatures are reused, nothing is re-signed).
	RebroadcastTicks int
	// SyncRetryTicks is the minimum spacing of RequestSync actions.
	SyncRetryTicks int
	// MaxViewsAhead bounds the views (beyond the current one) for which
	// votes are stored, and the views kept below it.
	MaxViewsAhead uint64
	// SigCache, if set, recovers signatures through a cache the node
	// shares with its gossip validator and mempool (sigcache.Cache), so a
	// vote seen directly, then inside a certificate, is recovered once.
	// Without one every signature is recovered.
	SigCache Recoverer

	// quorumOverride replaces ValidatorSet.Quorum. Only tests set it (to
	// show that the simulation catches the fork a weak quorum allows).
	quorumOverride func(n int) int
}

func (c Config) withDefaults() Config {
	if c.BaseTimeoutTicks <= 0 {
		c.BaseTimeoutTicks = DefaultBaseTimeoutTicks
	}
	if c.MaxTimeoutTicks <= 0 {
		c.MaxTimeoutTicks = DefaultMaxTimeoutTicks
	}
	if c.MaxTimeoutTicks < c.BaseTimeoutTicks {
		c.MaxTimeoutTicks = c.BaseTimeoutTicks
	}
	if c.RebroadcastTicks <= 0 {
		c.RebroadcastTicks = DefaultRebroadcastTicks
	}
	if c.SyncRetryTicks <= 0 {
		c.SyncRetryTicks = DefaultSyncRetryTicks
	}
	if c.MaxViewsAhead == 0 {
		c.MaxViewsAhead = DefaultMaxViewsAhead
	}
	return c
}

// Engine is the PBFT state machine of one validator (or of an observer that
// is not in the set). It is not safe for concurrent use: the driver calls it
// from one goroutine and carries out the returned actions, in order, before
// the next call.
type Engine struct {
	cfg    Config
	signer Signer
	self   types.Address
	app    App
	wal    WAL

	last     LastCommitted
	lastVals *types.ValidatorSet // set of last.Height (nil at genesis)
	decision *Message            // signed DECISION for last, made on demand

	hs *heightState

	// future holds messages for the next height, replayed once the engine
	// gets there (on the call after the one that moved it, so the driver
	// has applied the previous block before ValidateBlock runs).
	future   []*Message
	replay   bool
	claims   map[types.Address]uint64 // highest height a validator was seen at, above ours
	restored map[uint64][]*walEntry   // own WAL entries for heights not finalized yet
	replied  map[types.Address]uint64 // tick of the last DECISION sent to a lagging peer

	now        uint64 // ticks since New
	syncAt     uint64 // tick of the last RequestSync (0 = none)
	syncTo     uint64
	walBuf     []*walEntry
	out        []Action
	halted     error
	haltedSent bool
}

// New builds an engine on top of the last committed block, reloading this
// validator's own votes from wal so it never contradicts them. Call Start
// next and carry out its actions.
func New(cfg Config, signer Signer, app App, wal WAL, last LastCommitted) (*Engine, error) {
	if cfg.ChainID == "" {
		return nil, errors.New("consensus: empty chain ID")
	}
	if signer == nil || app == nil || wal == nil {
		return nil, errors.New("consensus: signer, app and wal are required")
	}
	if last.Height > 0 {
		if last.Cert == nil || last.Cert.Height != last.Height || last.Cert.BlockHash != last.Hash {
			return nil, fmt.Errorf("consensus: last committed block %d needs its certificate", last.Height)
		}
		if last.Block != nil && (last.Block.Height() != last.Height || last.Block.Hash() != last.Hash) {
			return nil, fmt.Errorf("consensus: last block does not match height %d / hash", last.Height)
		}
	}
	e := &Engine{
		cfg:      cfg.withDefaults(),
		signer:   signer,
		self:     signer.Address(),
		app:      app,
		wal:      wal,
		last:     last,
		claims:   make(map[types.Address]uint64),
		restored: make(map[uint64][]*walEntry),
		replied:  make(map[types.Address]uint64),
	}
	if last.Height > 0 {
		vs, err := app.ValidatorSet(last.Height)
		if err != nil {
			return nil, fmt.Errorf("consensus: validator set of %d: %w", last.Height, err)
		}
		e.lastVals = vs
	}
	recs, err := wal.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("consensus: read wal: %w", err)
	}
	for i, rec := range recs {
		entries, err := decodeWALRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("consensus: wal record %d: %w", i, err)
		}
		for _, en := range entries {
			if en.Msg.From != e.self {
				return nil, fmt.Errorf("consensus: wal record %d was signed by %s, not this validator", i, en.Msg.From.Hex())
			}
			if h := en.Msg.Height; h > last.Height {
				e.restored[h] = append(e.restored[h], en)
			}
		}
	}
	e.enterHeight(last.Height + 1)
	if e.halted != nil {
		return nil, e.halted
	}
	return e, nil
}

// Start returns the actions due right after New: re-sending votes reloaded
// from the WAL, a RequestProposal if this validator is the first primary,
// or a Commit already decided by the reloaded votes (n = 1).
func (e *Engine) Start() []Action {
	if e.halted != nil {
		return e.haltActions()
	}
	return e.finish()
}

// Height is the height being decided; View is the current view.
func (e *Engine) Height() uint64 { return e.hs.height }

// View is the current view at Height.
func (e *Engine) View() uint64 { return e.hs.view }

// Step feeds one message from the network. It returns the actions to carry
// out and, when the message was not accepted, why (a wrapped sentinel
// error; actions such as Evidence may come with it).
func (e *Engine) Step(m *Message) ([]Action, error) {
	if e.halted != nil {
		return e.haltActions(), ErrHalted
	}
	e.begin()
	err := e.step(m)
	return e.finish(), err
}

// Tick advances the engine's clock by one tick.
func (e *Engine) Tick() []Action {
	if e.halted != nil {
		return e.haltActions()
	}
	e.begin()
	e.tick()
	return e.finish()
}

// Propose is the driver's answer to RequestProposal: an executed block built
// on the requested parent, with Proposer set to this validator. It is
// refused (ErrNotRequested) if the engine has moved to another height or view
// since, or if the block breaks a header rule.
func (e *Engine) Propose(b *types.Block) ([]Action, error) {
	if e.halted != nil {
		return e.haltActions(), ErrHalted
	}
	e.begin()
	err := e.propose(b)
	return e.finish(), err
}

// Synced reports a finalized block the driver fetched, verified against
// cert and applied to the ledger (blocks in height order). The engine moves
// past it; a block at or below the engine's last committed height is
// ignored (nil error). Synced never replays buffered messages (that waits
// for the next Step or Tick), so a driver may apply a batch of synced
// blocks, calling Synced after each, before carrying out the actions.
func (e *Engine) Synced(b *types.Block, cert *types.CommitCert) ([]Action, error) {
	if e.halted != nil {
		return e.haltActions(), ErrHalted
	}
	err := e.synced(b, cert)
	return e.finish(), err
}

func (e *Engine) synced(b *types.Block, cert *types.CommitCert) error {
	if b == nil || cert == nil {
		return fmt.Errorf("%w: synced block without certificate", ErrInvalidBlock)
	}
	if b.Height() < e.hs.height {
		return nil
	}
	if cert.Height != b.Height() || cert.BlockHash != b.Hash() {
		return fmt.Errorf("%w: synced certificate is for %d/%s", ErrBadCert, cert.Height, cert.BlockHash.Hex())
	}
	vals := e.hs.vals
	if b.Height() != e.hs.height {
		var err error
		if vals, err = e.app.ValidatorSet(b.Height()); err != nil {
			e.halt(fmt.Errorf("validator set of %d: %w", b.Height(), err))
			return e.halted
		}
	}
	e.advance(b, cert, vals)
	return nil
}

// begin replays messages buffered for the current height. Only one height's
// worth per call: if they finalize it, the rest waits for the next call.
func (e *Engine) begin() {
	if !e.replay {
		return
	}
	e.replay = false
	h := e.hs.height
	msgs := e.future
	e.future = nil
	for _, m := range msgs {
		switch {
		case m.Height < h:
		case m.Height > h || e.hs.height != h || e.halted != nil:
			e.future = append(e.future, m)
		default:
			_ = e.step(m)
		}
	}
}

// finish makes this call's votes durable, then releases the actions. If the
// WAL fails, nothing is sent and the engine halts.
func (e *Engine) finish() []Action {
	if len(e.walBuf) > 0 && e.halted == nil {
		h := e.walBuf[0].Msg.Height
		for _, en := range e.walBuf {
			h = min(h, en.Msg.Height)
		}
		if err := e.wal.Append(h, encodeWALRecord(e.walBuf)); err != nil {
			e.halted = fmt.Errorf("wal append: %w", err)
		}
	}
	e.walBuf = nil
	out := e.out
	e.out = nil
	if e.halted != nil {
		kept := out[:0]
		for _, a := range out {
			switch a.(type) {
			case Broadcast, SendTo:
			default:
				kept = append(kept, a)
			}
		}
		e.haltedSent = true
		return append(kept, Halted{e.halted})
	}
	return out
}

func (e *Engine) haltActions() []Action { return []Action{Halted{e.halted}} }

func (e *Engine) halt(err error) {
	if e.halted == nil {
		e.halted = err
	}
}

// quorum is the number of votes that forms a certificate for vals.
func (e *Engine) quorum(vals *types.ValidatorSet) int {
	if e.cfg.quorumOverride != nil {
		return e.cfg.quorumOverride(vals.Size())
	}
	return vals.Quorum()
}

// timeout is the length of view v in ticks: Base·2^v capped at Max.
func (e *Engine) timeout(v uint64) int {
	t := e.cfg.BaseTimeoutTicks
	for range min(v, 32) {
		t *= 2
		if t >= e.cfg.MaxTimeoutTicks {
			return e.cfg.MaxTimeoutTicks
		}
	}
	return min(t, e.cfg.MaxTimeoutTicks)
}

// heightState is everything the engine knows about the height it is deciding.
type heightState struct {
	height    uint64
	vals      *types.ValidatorSet
	valsHash  types.Hash
	nextVals  *types.ValidatorSet // set of height+1, loaded when needed
	self      int                 // own index in vals, -1 for an observer
	q, f      int
	view      uint64
	active    bool // the view timer runs (view 0, a quorum of view changes, or an accepted proposal)
	timer     int
	rebcast   int
	entered   uint64 // tick the height was entered
	views     map[uint64]*viewState
	blocks    map[types.Hash]*types.Block // bodies known at this height
	validated map[types.Hash]error        // App.ValidateBlock results
	certOK    map[types.Hash]bool         // LastCerts already verified
	walBlocks map[types.Hash]bool         // bodies already in the WAL
	prepared  *PreparedCert               // highest prepared certificate this node sent COMMIT for
	vcs       []*Message                  // latest VIEW-CHANGE per validator
	sentVC    *Message
	pending   *types.CommitCert // a certificate for this height whose block is missing
	hint      types.Address
	evidence  map[evidenceKey]bool
}

type evidenceKey struct {
	kind  MsgType
	view  uint64
	index int
}

// viewState is one view of the current height.
type viewState struct {
	first        *Message // first validly signed proposal (equivocation detection)
	proposal     *Message // accepted proposal
	prepares     []*Message
	commits      []*Message
	sentProposal *Message
	sentPrepare  *Message
	sentCommit   *Message
	requested    bool       // RequestProposal issued
	just         []*Message // justification for the requested proposal
}

func (hs *heightState) viewState(v uint64) *viewState {
	vs := hs.views[v]
	if vs == nil {
		n := hs.vals.Size()
		vs = &viewState{prepares: make([]*Message, n), commits: make([]*Message, n)}
		hs.views[v] = vs
	}
	return vs
}

// enterHeight starts deciding height h on top of e.last.
func (e *Engine) enterHeight(h uint64) {
	vals, err := e.app.ValidatorSet(h)
	if err != nil {
		e.halt(fmt.Errorf("validator set of %d: %w", h, err))
		return
	}
	if vals == nil || vals.Size() == 0 {
		e.halt(fmt.Errorf("empty validator set at %d", h))
		return
	}
	q := e.quorum(vals)
	hs := &heightState{
		height:    h,
		vals:      vals,
		valsHash:  vals.Hash(),
		self:      vals.Index(e.self),
		q:         q,
		f:         vals.F(),
		entered:   e.now,
		views:     make(map[uint64]*viewState),
		blocks:    make(map[types.Hash]*types.Block),
		validated: make(map[types.Hash]error),
		certOK:    make(map[types.Hash]bool),
		walBlocks: make(map[types.Hash]bool),
		vcs:       make([]*Message, vals.Size()),
		evidence:  make(map[evidenceKey]bool),
	}
	e.hs = hs
	e.decision = nil
	e.replay = len(e.future) > 0
	for a, c := range e.claims {
		if c <= h {
			delete(e.claims, a)
		}
	}
	for rh := range e.restored {
		if rh < h {
			delete(e.restored, rh)
		}
	}
	if h >= 2 {
		// Keep the previous height's votes: if the node crashes before the
		// ledger applies that block, it restarts there and needs them.
		// A failed truncation only costs disk space.
		_ = e.wal.TruncateBefore(h - 1)
	}
	restored := e.restored[h]
	delete(e.restored, h)
	for _, en := range restored {
		e.restore(en)
	}
	hs.active = true
	hs.timer = e.timeout(hs.view)
	hs.rebcast = e.cfg.RebroadcastTicks
	e.out = append(e.out, ViewChanged{Height: h, View: hs.view})
	if len(restored) > 0 {
		e.rebroadcast()
	}
	if hs.view == 0 && vals.Primary(h, 0) == e.self {
		e.requestProposal(0, nil)
	}
	// Reloaded votes may already decide the height (n = 1), or complete a
	// new view.
	for _, v := range e.viewsAsc() {
		if vs := hs.views[v]; vs.sentCommit != nil {
			e.checkCommitted(v, vs.sentCommit.BlockHash)
			if e.hs != hs {
				return
			}
		}
	}
	e.checkNewView()
}

// restore re-applies one of this node's own messages from the WAL.
func (e *Engine) restore(en *walEntry) {
	hs := e.hs
	if hs.self < 0 {
		return
	}
	m := en.Msg
	vs := hs.viewState(m.View)
	switch m.Type {
	case MsgProposal:
		vs.sentProposal, vs.first, vs.proposal = m, m, m
		hs.blocks[m.BlockHash] = m.Block
		hs.validated[m.BlockHash] = nil
		hs.walBlocks[m.BlockHash] = true
	case MsgPrepare:
		vs.sentPrepare = m
		vs.prepares[hs.self] = m
	case MsgCommit:
		vs.sentCommit = m
		vs.commits[hs.self] = m
		if p := en.Prepared; p != nil && (hs.prepared == nil || p.View > hs.prepared.View) {
			hs.prepared = p
		}
		if en.Block != nil {
			hs.blocks[m.BlockHash] = en.Block
			hs.walBlocks[m.BlockHash] = true
		}
	case MsgViewChange:
		if hs.sentVC == nil || m.View > hs.sentVC.View {
			hs.sentVC = m
			hs.vcs[hs.self] = m
		}
	}
	if m.View > hs.view {
		hs.view = m.View
	}
}

// advance records b as committed with cert and moves to the next height.
func (e *Engine) advance(b *types.Block, cert *types.CommitCert, vals *types.ValidatorSet) {
	e.last = LastCommitted{Height: b.Height(), Hash: b.Hash(), Time: b.Header.Time, Cert: cert, Block: b}
	e.lastVals = vals
	e.enterHeight(b.Height() + 1)
}

// commit emits the Commit action for the current height and moves on.
func (e *Engine) commit(b *types.Block, cert *types.CommitCert) {
	e.out = append(e.out, Commit{Block: b, Cert: cert})
	e.advance(b, cert, e.hs.vals)
}

// tick is one unit of time: the view timer, re-sending, catching up.
func (e *Engine) tick() {
	e.now++
	hs := e.hs
	if hs.active {
		hs.timer--
		if hs.timer <= 0 {
			e.moveToView(hs.view + 1)
		}
	}
	hs = e.hs
	hs.rebcast--
	if hs.rebcast <= 0 {
		hs.rebcast = e.cfg.RebroadcastTicks
		e.rebroadcast()
	}
	e.maybeSync()
}

// rebroadcast re-sends this node's messages for the current view.
func (e *Engine) rebroadcast() {
	hs := e.hs
	if vs := hs.views[hs.view]; vs != nil {
		for _, m := range []*Message{vs.sentProposal, vs.sentPrepare, vs.sentCommit} {
			if m != nil {
				e.broadcast(m)
			}
		}
	}
	if vc := hs.sentVC; vc != nil && vc.View == hs.view {
		e.broadcast(e.withPreparedBody(vc))
	}
}

// withPreparedBody attaches the prepared block's body to a VIEW-CHANGE (the
// WAL stores it without, the body is not signed).
func (e *Engine) withPreparedBody(vc *Message) *Message {
	if vc.Prepared == nil || vc.Block != nil {
		return vc
	}
	b := e.hs.blocks[vc.Prepared.BlockHash]
	if b == nil {
		return vc
	}
	c := *vc
	c.Block = b
	return &c
}

// maybeSync asks the driver for blocks when this node is evidently behind:
// a certificate for the current height whose block it lacks, or f+1
// validators seen at higher heights (at least one of them honest).
func (e *Engine) maybeSync() {
	hs := e.hs
	if hs.pending != nil {
		e.requestSync(hs.height, hs.height, hs.hint)
		return
	}
	var heights []uint64
	for _, a := range hs.vals.Validators {
		if c := e.claims[a]; c > hs.height {
			heights = append(heights, c)
		}
	}
	if len(heights) < hs.f+1 {
		return
	}
	slices.Sort(heights)
	slices.Reverse(heights)
	target := heights[hs.f] // at least f+1 validators are at target or above
	// One height behind is normally repaired by a DECISION or the next
	// proposal's certificate; sync only if that has not happened for a while.
	if target == hs.height+1 && e.now-hs.entered < uint64(e.cfg.SyncRetryTicks) {
		return
	}
	var hint types.Address
	for _, a := range hs.vals.Validators {
		if e.claims[a] >= target {
			hint = a
			break
		}
	}
	e.requestSync(hs.height, target-1, hint)
}

func (e *Engine) requestSync(from, to uint64, hint types.Address) {
	if e.syncAt != 0 && e.now < e.syncAt+uint64(e.cfg.SyncRetryTicks) && to <= e.syncTo {
		return
	}
	e.syncAt, e.syncTo = max(e.now, 1), to
	e.out = append(e.out, RequestSync{FromHeight: from, ToHeight: to, Hint: hint})
}

// sign fills From and Sig; on failure the engine halts and it returns nil.
func (e *Engine) sign(m *Message) *Message {
	m.From = e.self
	sig, err := e.signer.Sign(m.Digest(e.cfg.ChainID))
	if err != nil {
		e.halt(fmt.Errorf("sign %s: %w", m.Type, err))
		return nil
	}
	m.Sig = sig
	return m
}

func (e *Engine) persist(en *walEntry) { e.walBuf = append(e.walBuf, en) }

func (e *Engine) broadcast(m *Message) { e.out = append(e.out, Broadcast{Msg: m}) }

// recover returns the signer of digest, through the signature cache.
func (e *Engine) recover(digest types.Hash, sig []byte) (types.Address, error) {
	return recoverWith(e.cfg.SigCache, digest, sig)
}

func recoverWith(r Recoverer, digest types.Hash, sig []byte) (types.Address, error) {
	if r == nil {
		return types.RecoverAddress(digest, sig)
	}
	return r.Recover(digest, sig)
}

// verify checks m's signature against m.From.
func (e *Engine) verify(m *Message) error {
	a, err := e.recover(m.Digest(e.cfg.ChainID), m.Sig)
	if err != nil {
		return fmt.Errorf("%w: %s from %s: %w", ErrBadSignature, m.Type, m.From.Hex(), err)
	}
	if a != m.From {
		return fmt.Errorf("%w: %s claims %s, signed by %s", ErrBadSignature, m.Type, m.From.Hex(), a.Hex())
	}
	return nil
}

// step routes one message by height.
func (e *Engine) step(m *Message) error {
	if m == nil {
		return fmt.Errorf("%w: nil", ErrMalformed)
	}
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	if m.Incomplete() {
		// The engine only ever sees whole blocks: validation, the WAL, view
		// changes and DECISIONs all need the body.
		return fmt.Errorf("%w: %d/%d from %s", ErrIncomplete, m.Height, m.View, m.From.Hex())
	}
	hs := e.hs
	switch {
	case m.Height < hs.height:
		return e.stepOld(m)
	case m.Height > hs.height:
		return e.stepFuture(m)
	}
	idx := hs.vals.Index(m.From)
	if idx < 0 {
		return fmt.Errorf("%w: %s %s at height %d", ErrNotValidator, m.Type, m.From.Hex(), m.Height)
	}
	if m.Block != nil {
		e.offerBody(m.Block)
		if e.hs != hs {
			return nil // the body completed a pending certificate
		}
	}
	switch m.Type {
	case MsgProposal:
		return e.onProposal(m, idx)
	case MsgPrepare, MsgCommit:
		return e.onVote(m, idx)
	case MsgViewChange:
		return e.onViewChange(m, idx)
	case MsgDecision:
		return e.onDecision(m)
	}
	return fmt.Errorf("%w: type %d", ErrMalformed, m.Type)
}

// stepOld answers a validator that is one height behind with the block and
// certificate it is missing (at most once per re-send interval per peer).
func (e *Engine) stepOld(m *Message) error {
	err := fmt.Errorf("%w: %s for %d, engine at %d", ErrOldHeight, m.Type, m.Height, e.hs.height)
	if m.Height+1 != e.hs.height || m.Type == MsgDecision || e.last.Block == nil || e.lastVals == nil {
		return err
	}
	if e.lastVals.Index(m.From) < 0 {
		return err
	}
	if t, ok := e.replied[m.From]; ok && e.now < t+uint64(e.cfg.RebroadcastTicks) {
		return err
	}
	// Votes for the previous height keep arriving for a moment after it is
	// final here: peers finalize it on their own from the same votes. Only a
	// peer still at the old height once we have been past it for a re-send
	// interval (it re-sends its votes that often while stuck) gets the
	// block, which is as large as the block.
	if e.now < e.hs.entered+uint64(e.cfg.RebroadcastTicks) {
		return err
	}
	if e.verify(m) != nil {
		return err
	}
	if e.decision == nil {
		d := e.sign(&Message{Type: MsgDecision, Height: e.last.Height, View: e.last.Cert.View, BlockHash: e.last.Hash, Block: e.last.Block, Cert: e.last.Cert})
		if d == nil {
			return err
		}
		e.decision = d
	}
	e.replied[m.From] = e.now
	e.out = append(e.out, SendTo{To: m.From, Msg: e.decision})
	return err
}

// stepFuture notes that a validator is ahead, buffers messages for the next
// height and takes the certificate for the current height a next-height
// proposal carries.
func (e *Engine) stepFuture(m *Message) error {
	hs := e.hs
	member := hs.vals.Index(m.From) >= 0
	if !member && m.Height == hs.height+1 {
		if nv := e.nextVals(); nv != nil {
			member = nv.Index(m.From) >= 0
		}
	}
	if !member {
		return fmt.Errorf("%w: %s %s at height %d", ErrNotValidator, m.Type, m.From.Hex(), m.Height)
	}
	if err := e.verify(m); err != nil {
		return err
	}
	if e.claims[m.From] < m.Height {
		e.claims[m.From] = m.Height
	}
	if m.Height == hs.height+1 && m.Type != MsgDecision {
		n := 0
		for _, f := range e.future {
			if f.From == m.From {
				n++
			}
		}
		if n < 16 {
			e.future = append(e.future, m)
		}
	}
	if m.Type == MsgProposal && m.Height == hs.height+1 && m.Block.LastCert != nil {
		e.learnCert(m.Block.LastCert, m.From)
	}
	return fmt.Errorf("%w: %s for %d, engine at %d", ErrFutureHeight, m.Type, m.Height, hs.height)
}

func (e *Engine) nextVals() *types.ValidatorSet {
	hs := e.hs
	if hs.nextVals == nil {
		vs, err := e.app.ValidatorSet(hs.height + 1)
		if err != nil || vs == nil || vs.Size() == 0 {
			return nil
		}
		hs.nextVals = vs
	}
	return hs.nextVals
}

// viewsAsc lists the current height's views in increasing order.
func (e *Engine) viewsAsc() []uint64 {
	vs := make([]uint64, 0, len(e.hs.views))
	for v := range e.hs.views {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// pruneViews forgets views far below the current one.
func (e *Engine) pruneViews() {
	hs := e.hs
	if hs.view <= e.cfg.MaxViewsAhead {
		return
	}
	floor := hs.view - e.cfg.MaxViewsAhead
	for v := range hs.views {
		if v < floor {
			delete(hs.views, v)
		}
	}
}

// report emits evidence of equivocation once per (kind, view, validator).
func (e *Engine) report(kind MsgType, idx int, first, second *Message) {
	hs := e.hs
	k := evidenceKey{kind, second.View, idx}
	if hs.evidence[k] {
		return
	}
	hs.evidence[k] = true
	e.out = append(e.out, Evidence{Validator: second.From, Height: second.Height, View: second.View, Kind: kind, First: first, Second: second})
}
