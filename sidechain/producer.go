package sidechain

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Defaults of ProducerConfig.
const (
	DefaultInterval      = 256
	DefaultMaxAge        = 30 * 60 * 1000 // ms of block time
	DefaultSubmitTimeout = 16             // side blocks per submitter turn
)

// Sentinel errors of the producer.
var (
	// ErrConflictingSign means the producer was asked to sign content that
	// differs from what it already signed for that number: the side chain's
	// history as this node sees it changed, which must never be papered over.
	ErrConflictingSign = errors.New("sidechain: refusing to sign a second checkpoint for one number")
	ErrBadVote         = errors.New("sidechain: invalid checkpoint vote")
)

// Blocks is what the producer reads of the side chain's committed blocks.
type Blocks interface {
	// Height is the latest committed height.
	Height() (uint64, error)
	// Header returns the committed header at h (its hash is the block
	// hash, StateRoot the app hash after it, Time its block time).
	Header(h uint64) (*types.Header, error)
	// Validators is the set that finalizes block h, for h up to Height()+1.
	Validators(h uint64) ([]types.Address, error)
}

// Vote is one validator's signature over a checkpoint, as gossiped.
type Vote struct {
	Checkpoint checkpoint.Checkpoint
	Sig        checkpoint.Sig
}

// Gossip carries votes to the other side validators. Broadcast may drop
// (votes are re-broadcast every step); received votes go to HandleVote.
type Gossip interface {
	Broadcast(v *Vote) error
}

// MainView is what the producer needs of the main chain: the latest
// anchored checkpoint number of its chain, and a way to submit (nil
// Submit for a validator that never submits, e.g. when a relayer does).
type MainView interface {
	Anchored(chainID string) (uint64, error)
	Submit(m *checkpoint.MsgSubmit) error
}

// ProducerConfig configures a Producer.
type ProducerConfig struct {
	ChainID       string
	FirstHeight   uint64 // start of checkpoint 1 (as registered on main); 0 means 1
	Interval      uint64 // blocks per checkpoint at most; 0 means DefaultInterval
	MaxAge        uint64 // ms of block time a checkpoint spans at most; 0 means DefaultMaxAge
	SubmitTimeout uint64 // blocks a submitter has before the next one's turn; 0 means DefaultSubmitTimeout
	Key           *ecdsa.PrivateKey
	Log           *slog.Logger
}

// Producer is one side validator's checkpoint producer. Step drives it;
// HandleVote feeds it gossip. Both are safe to call concurrently.
type Producer struct {
	cfg    ProducerConfig
	addr   types.Address
	blocks Blocks
	gossip Gossip
	main   MainView
	store  *Store
	log    *slog.Logger

	mu    sync.Mutex
	votes map[uint64]*tally // by checkpoint number, numbers > anchored only
}

type tally struct {
	cp   checkpoint.Checkpoint
	hash types.Hash
	set  []types.Address
	sigs map[uint32][]byte
}

// Store layout of the producer.
var (
	keyCursor    = []byte("p/cursor")  // -> next number, its start
	prefixSigned = []byte("p/signed/") // + number -> RLP Checkpoint built here (and signed, if a member)
	prefixDone   = []byte("p/done/")   // + number -> RLP MsgSubmit with a quorum
	prefixTurn   = []byte("p/turn/")   // + number -> last turn this node submitted in
)

func numKey(prefix []byte, n uint64) []byte {
	return binary.BigEndian.AppendUint64(slices.Clone(prefix), n)
}

// NewProducer returns a producer over its store.
func NewProducer(cfg ProducerConfig, blocks Blocks, g Gossip, m MainView, st *Store) (*Producer, error) {
	if err := checkpoint.CheckChainID(cfg.ChainID); err != nil {
		return nil, err
	}
	if cfg.Key == nil {
		return nil, errors.New("sidechain: producer needs a validator key")
	}
	if cfg.FirstHeight == 0 {
		cfg.FirstHeight = 1
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Interval > checkpoint.MaxSpan {
		return nil, fmt.Errorf("sidechain: interval %d above %d", cfg.Interval, checkpoint.MaxSpan)
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.SubmitTimeout == 0 {
		cfg.SubmitTimeout = DefaultSubmitTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Producer{cfg: cfg, addr: types.PubkeyAddress(cfg.Key), blocks: blocks, gossip: g, main: m, store: st,
		log: cfg.Log.With("component", "checkpoint-producer", "chain", cfg.ChainID), votes: map[uint64]*tally{}}, nil
}

func (p *Producer) cursor() (uint64, uint64, error) {
	v, ok, err := p.store.Get(keyCursor)
	if err != nil || !ok {
		return 1, p.cfg.FirstHeight, err
	}
	if len(v) != 16 {
		return 0, 0, fmt.Errorf("sidechain: corrupt producer cursor (%d bytes)", len(v))
	}
	return binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:]), nil
}

func setHash(addrs []types.Address) (types.Hash, error) {
	vs, err := types.NewValidatorSet(addrs)
	if err != nil {
		return types.Hash{}, err
	}
	return vs.Hash(), nil
}

// Next builds checkpoint number n starting at start if it is due, or
// returns nil: see the package doc for the boundary rule.
func (p *Producer) Next(n, start uint64) (*checkpoint.Checkpoint, []types.Address, error) {
	height, err := p.blocks.Height()
	if err != nil || height < start {
		return nil, nil, err
	}
	first, err := p.blocks.Header(start)
	if err != nil {
		return nil, nil, err
	}
	set, err := p.blocks.Validators(start)
	if err != nil {
		return nil, nil, err
	}
	vh, err := setHash(set)
	if err != nil {
		return nil, nil, err
	}
	hashes := []types.Hash{first.Hash()}
	last := first
	for e := start; e <= height; e++ {
		if e > start {
			if last, err = p.blocks.Header(e); err != nil {
				return nil, nil, err
			}
			hashes = append(hashes, last.Hash())
		}
		next, err := p.blocks.Validators(e + 1)
		if err != nil {
			return nil, nil, err
		}
		nh, err := setHash(next)
		if err != nil {
			return nil, nil, err
		}
		if e-start+1 < p.cfg.Interval && last.Time-first.Time < p.cfg.MaxAge && nh == vh {
			continue
		}
		return &checkpoint.Checkpoint{ChainID: p.cfg.ChainID, Number: n, Start: start, End: e,
			BlocksRoot: proof.BlocksRoot(hashes), AppHash: last.StateRoot, ValidatorsHash: vh, NextValidatorsHash: nh}, set, nil
	}
	return nil, nil, nil
}

// sign returns this key's signature over cp, persisting cp first; it
// refuses content different from what was recorded for cp.Number before.
// A node outside cp's set records cp (to follow the votes) and returns nil.
func (p *Producer) sign(cp *checkpoint.Checkpoint, set []types.Address) (*Vote, error) {
	idx := slices.Index(set, p.addr)
	key := numKey(prefixSigned, cp.Number)
	enc := core.Encode(cp)
	prev, ok, err := p.store.Get(key)
	if err != nil {
		return nil, err
	}
	if ok && !bytes.Equal(prev, enc) {
		return nil, fmt.Errorf("%w: %d", ErrConflictingSign, cp.Number)
	}
	if !ok {
		if err := p.store.Set(key, enc); err != nil {
			return nil, err
		}
	}
	if idx < 0 {
		return nil, nil
	}
	s, err := checkpoint.Sign(cp, uint32(idx), p.cfg.Key)
	if err != nil {
		return nil, err
	}
	return &Vote{Checkpoint: *cp, Sig: s}, nil
}

// Completed returns the MsgSubmit for checkpoint n once this producer saw
// a quorum for it, or nil.
func (p *Producer) Completed(n uint64) (*checkpoint.MsgSubmit, error) {
	v, ok, err := p.store.Get(numKey(prefixDone, n))
	if err != nil || !ok {
		return nil, err
	}
	var m checkpoint.MsgSubmit
	if err := core.Decode(v, &m); err != nil {
		return nil, fmt.Errorf("sidechain: corrupt completed checkpoint %d: %w", n, err)
	}
	return &m, nil
}

// HandleVote takes a gossiped vote. A vote for a checkpoint this producer
// has not built (yet) is dropped: the sender re-broadcasts it.
func (p *Producer) HandleVote(v *Vote) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.votes[v.Checkpoint.Number]
	if t == nil {
		return nil
	}
	if v.Checkpoint.Hash() != t.hash {
		return fmt.Errorf("%w: checkpoint %d content differs from ours", ErrBadVote, v.Checkpoint.Number)
	}
	if int(v.Sig.Index) >= len(t.set) || len(v.Sig.Sig) != types.SignatureLength {
		return fmt.Errorf("%w: index %d", ErrBadVote, v.Sig.Index)
	}
	a, err := types.RecoverAddress(t.cp.Digest(), v.Sig.Sig)
	if err != nil || a != t.set[v.Sig.Index] {
		return fmt.Errorf("%w: signature of index %d", ErrBadVote, v.Sig.Index)
	}
	t.sigs[v.Sig.Index] = v.Sig.Sig
	return nil
}

// Step does what is due at the current side height: builds and signs the
// next checkpoint, (re)broadcasts this node's votes for unanchored ones,
// records quorums, and submits when it is this node's turn.
func (p *Producer) Step() error {
	anchored, err := p.main.Anchored(p.cfg.ChainID)
	if err != nil {
		return err
	}
	n, start, err := p.cursor()
	if err != nil {
		return err
	}
	// Build and sign every due checkpoint up to a small window past the
	// anchored one (the window bounds votes and work held in memory).
	for n <= anchored+4 {
		cp, set, err := p.Next(n, start)
		if err != nil {
			return err
		}
		if cp == nil {
			break
		}
		v, err := p.sign(cp, set)
		if err != nil {
			return err
		}
		p.mu.Lock()
		if p.votes[n] == nil {
			p.votes[n] = &tally{cp: *cp, hash: cp.Hash(), set: set, sigs: map[uint32][]byte{}}
		}
		if v != nil {
			p.votes[n].sigs[v.Sig.Index] = v.Sig.Sig
		}
		p.mu.Unlock()
		n, start = n+1, cp.End+1
		if err := p.store.Set(keyCursor, binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, n), start)); err != nil {
			return err
		}
	}
	// After a restart the tallies are gone: rebuild them from what was signed.
	for m := anchored + 1; m < n; m++ {
		p.mu.Lock()
		t := p.votes[m]
		p.mu.Unlock()
		if t != nil {
			continue
		}
		raw, ok, err := p.store.Get(numKey(prefixSigned, m))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		var cp checkpoint.Checkpoint
		if err := core.Decode(raw, &cp); err != nil {
			return fmt.Errorf("sidechain: corrupt signed checkpoint %d: %w", m, err)
		}
		set, err := p.blocks.Validators(cp.End)
		if err != nil {
			return err
		}
		v, err := p.sign(&cp, set)
		if err != nil {
			return err
		}
		t = &tally{cp: cp, hash: cp.Hash(), set: set, sigs: map[uint32][]byte{}}
		if v != nil {
			t.sigs[v.Sig.Index] = v.Sig.Sig
		}
		p.mu.Lock()
		p.votes[m] = t
		p.mu.Unlock()
	}
	return p.progress(anchored)
}

func (p *Producer) progress(anchored uint64) error {
	height, err := p.blocks.Height()
	if err != nil {
		return err
	}
	p.mu.Lock()
	var nums []uint64
	for m := range p.votes {
		if m <= anchored {
			delete(p.votes, m)
			continue
		}
		nums = append(nums, m)
	}
	slices.Sort(nums)
	type job struct {
		vote *Vote
		msg  *checkpoint.MsgSubmit
	}
	var jobs []job
	for _, m := range nums {
		t := p.votes[m]
		var j job
		if idx := slices.Index(t.set, p.addr); idx >= 0 {
			j.vote = &Vote{Checkpoint: t.cp, Sig: checkpoint.Sig{Index: uint32(idx), Sig: t.sigs[uint32(idx)]}}
		}
		if 3*len(t.sigs) > 2*len(t.set) {
			msg := &checkpoint.MsgSubmit{Checkpoint: t.cp}
			for i := range uint32(len(t.set)) {
				if s, ok := t.sigs[i]; ok {
					msg.Sigs = append(msg.Sigs, checkpoint.Sig{Index: i, Sig: s})
				}
			}
			j.msg = msg
		}
		jobs = append(jobs, j)
	}
	p.mu.Unlock()

	for _, j := range jobs {
		if j.vote != nil { // nil outside the checkpoint's set: collect only
			if err := p.gossip.Broadcast(j.vote); err != nil {
				p.log.Warn("broadcast checkpoint vote", "number", j.vote.Checkpoint.Number, "err", err)
			}
		}
		if j.msg == nil {
			continue
		}
		cp := &j.msg.Checkpoint
		if cp.NextValidatorsHash != cp.ValidatorsHash {
			next, err := p.blocks.Validators(cp.End + 1)
			if err != nil {
				return err
			}
			j.msg.NextValidators = next
		}
		if _, ok, err := p.store.Get(numKey(prefixDone, cp.Number)); err != nil {
			return err
		} else if !ok {
			if err := p.store.Set(numKey(prefixDone, cp.Number), core.Encode(j.msg)); err != nil {
				return err
			}
		}
		// Only the next number can be anchored; later ones wait their turn.
		if cp.Number != anchored+1 || p.main == nil {
			continue
		}
		set, _ := p.votesSet(cp.Number)
		turn, who := Submitter(cp, set, height, p.cfg.SubmitTimeout)
		if who != p.addr {
			continue
		}
		key := numKey(prefixTurn, cp.Number)
		if v, ok, err := p.store.Get(key); err != nil {
			return err
		} else if ok && binary.BigEndian.Uint64(v) >= turn+1 {
			continue // submitted in this turn already
		}
		if err := p.store.Set(key, binary.BigEndian.AppendUint64(nil, turn+1)); err != nil {
			return err
		}
		if err := p.main.Submit(j.msg); err != nil {
			return fmt.Errorf("sidechain: submit checkpoint %d: %w", cp.Number, err)
		}
		p.log.Info("submitted checkpoint", "number", cp.Number, "start", cp.Start, "end", cp.End, "signers", len(j.msg.Sigs), "turn", turn)
	}
	return nil
}

func (p *Producer) votesSet(n uint64) ([]types.Address, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.votes[n]; t != nil {
		return t.set, true
	}
	return nil, false
}

// Submitter is the validator whose turn it is to submit cp at side height
// h: turns of timeout blocks each from cp.End+1, rotating through set from
// index Number mod n. Every validator computes the same answer.
func Submitter(cp *checkpoint.Checkpoint, set []types.Address, h, timeout uint64) (turn uint64, who types.Address) {
	if len(set) == 0 {
		return 0, types.Address{}
	}
	if h > cp.End {
		turn = (h - cp.End - 1) / timeout
	}
	return turn, set[(cp.Number+turn)%uint64(len(set))]
}
