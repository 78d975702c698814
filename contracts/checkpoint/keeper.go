package checkpoint

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ModuleName is the module's genesis key.
const ModuleName = "checkpoint"

// Chain is a registered side chain's anchoring state.
type Chain struct {
	ID             string
	ValidatorsHash types.Hash // the set that must sign the next checkpoint
	FirstHeight    uint64     // Start of checkpoint 1
	LastNumber     uint64     // 0 before the first checkpoint
	LastEnd        uint64     // FirstHeight-1 before the first checkpoint
	Halted         bool
}

// Anchored is an accepted checkpoint and when main accepted it.
type Anchored struct {
	Checkpoint Checkpoint
	Signers    uint64 // how many signed
	Height     uint64 // main-chain height of acceptance
	Time       uint64 // main-chain block time, ms
}

// Evidence is a checkpoint that conflicts with an anchored one, with the
// quorum that signed it.
type Evidence struct {
	Anchored    types.Hash // hash of the anchored checkpoint it conflicts with
	Conflicting MsgSubmit
	Height      uint64 // main-chain height it was submitted at
}

// Keeper reads and writes checkpoint state. It holds no state of its own.
type Keeper struct{}

// Store layout. Chain IDs are length-prefixed in keys so that no chain's
// keys are a prefix range of another's.
var (
	prefixChain    = []byte("checkpoint/c/") // + id -> RLP Chain
	prefixSet      = []byte("checkpoint/s/") // + set hash -> RLP []Address
	prefixAnchored = []byte("checkpoint/a/") // + id + number -> RLP Anchored
	prefixEvidence = []byte("checkpoint/e/") // + id + number + conflicting hash -> RLP Evidence
)

func idPart(id string) []byte { return append([]byte{byte(len(id))}, id...) }

func chainKey(id string) []byte { return slices.Concat(prefixChain, idPart(id)) }

func setKey(h types.Hash) []byte { return slices.Concat(prefixSet, h[:]) }

func anchoredKey(id string, n uint64) []byte {
	return slices.Concat(prefixAnchored, idPart(id), store.BE64(n))
}

func evidenceKey(id string, n uint64, h types.Hash) []byte {
	return slices.Concat(prefixEvidence, idPart(id), store.BE64(n), h[:])
}

// Chain returns a registered side chain, or an error wrapping ErrUnknownChain.
func (Keeper) Chain(st state.Store, id string) (*Chain, error) {
	v, ok := st.Get(chainKey(id))
	if !ok {
		return nil, fmt.Errorf("%q: %w", id, ErrUnknownChain)
	}
	var c Chain
	if err := core.Decode(v, &c); err != nil {
		return nil, fmt.Errorf("chain %q: %w: %v", id, ErrCorrupt, err)
	}
	return &c, nil
}

func (Keeper) setChain(st state.Store, c *Chain) { st.Set(chainKey(c.ID), core.Encode(c)) }

// ValidatorSet returns the stored set with hash h.
func (Keeper) ValidatorSet(st state.Store, h types.Hash) (*types.ValidatorSet, error) {
	v, ok := st.Get(setKey(h))
	if !ok {
		return nil, fmt.Errorf("validator set %s: %w", h.Hex(), ErrCorrupt)
	}
	var addrs []types.Address
	if err := core.Decode(v, &addrs); err != nil {
		return nil, fmt.Errorf("validator set %s: %w: %v", h.Hex(), ErrCorrupt, err)
	}
	return types.NewValidatorSet(addrs)
}

func (Keeper) storeSet(st state.Store, vs *types.ValidatorSet) types.Hash {
	h := vs.Hash()
	st.Set(setKey(h), core.Encode(vs.Validators))
	return h
}

// Register adds a side chain with its validator set; checkpoint 1 must
// start at firstHeight (≥ 1). Genesis and gov call it.
func (k Keeper) Register(ctx *core.Context, id string, vals []types.Address, firstHeight uint64) error {
	if err := CheckChainID(id); err != nil {
		return err
	}
	if firstHeight == 0 {
		return fmt.Errorf("%w: first height 0", ErrBadRange)
	}
	if ctx.Store.Has(chainKey(id)) {
		return fmt.Errorf("%q: %w", id, ErrChainExists)
	}
	vs, err := newSet(vals)
	if err != nil {
		return err
	}
	h := k.storeSet(ctx.Store, vs)
	k.setChain(ctx.Store, &Chain{ID: id, ValidatorsHash: h, FirstHeight: firstHeight, LastEnd: firstHeight - 1})
	ctx.EmitEvent(RegisteredEvent{Chain: id, ValidatorsHash: h, FirstHeight: firstHeight})
	return nil
}

// ReplaceValidators registers a new set for a side chain's next
// checkpoint: gov's remedy when the registered set can no longer sign.
func (k Keeper) ReplaceValidators(ctx *core.Context, id string, vals []types.Address) error {
	c, err := k.Chain(ctx.Store, id)
	if err != nil {
		return err
	}
	vs, err := newSet(vals)
	if err != nil {
		return err
	}
	c.ValidatorsHash = k.storeSet(ctx.Store, vs)
	k.setChain(ctx.Store, c)
	ctx.EmitEvent(ReplacedEvent{Chain: id, ValidatorsHash: c.ValidatorsHash})
	return nil
}

// Halted reports whether side → main releases of chain id must stop: it
// saw conflicting checkpoints and gov has not resumed it. An unregistered
// chain counts as halted, so a caller that forgets to check registration
// still refuses.
func (k Keeper) Halted(st state.Store, id string) bool {
	c, err := k.Chain(st, id)
	return err != nil || c.Halted
}

// Resume lifts a halt (gov, after dealing with the evidence, e.g. by
// replacing the validator set). The evidence stays.
func (k Keeper) Resume(ctx *core.Context, id string) error {
	c, err := k.Chain(ctx.Store, id)
	if err != nil {
		return err
	}
	if !c.Halted {
		return fmt.Errorf("%q: %w", id, ErrNotHalted)
	}
	c.Halted = false
	k.setChain(ctx.Store, c)
	ctx.EmitEvent(ResumedEvent{Chain: id})
	return nil
}

// ByNumber returns anchored checkpoint n of chain id.
func (Keeper) ByNumber(st state.Store, id string, n uint64) (*Anchored, error) {
	v, ok := st.Get(anchoredKey(id, n))
	if !ok {
		return nil, fmt.Errorf("%q checkpoint %d: %w", id, n, ErrNotFound)
	}
	var a Anchored
	if err := core.Decode(v, &a); err != nil {
		return nil, fmt.Errorf("%q checkpoint %d: %w: %v", id, n, ErrCorrupt, err)
	}
	return &a, nil
}

// Latest returns chain id's last anchored checkpoint.
func (k Keeper) Latest(st state.Store, id string) (*Anchored, error) {
	c, err := k.Chain(st, id)
	if err != nil {
		return nil, err
	}
	if c.LastNumber == 0 {
		return nil, fmt.Errorf("%q: %w (none anchored)", id, ErrNotFound)
	}
	return k.ByNumber(st, id, c.LastNumber)
}

// Covering returns the anchored checkpoint whose range holds side height
// h. Ranges are contiguous and increasing, so it is a binary search over
// checkpoint numbers: O(log n) reads.
func (k Keeper) Covering(st state.Store, id string, h uint64) (*Anchored, error) {
	c, err := k.Chain(st, id)
	if err != nil {
		return nil, err
	}
	if h < c.FirstHeight || h > c.LastEnd {
		return nil, fmt.Errorf("%q height %d: %w (anchored [%d, %d])", id, h, ErrNotFound, c.FirstHeight, c.LastEnd)
	}
	lo, hi := uint64(1), c.LastNumber
	for lo <= hi {
		mid := lo + (hi-lo)/2
		a, err := k.ByNumber(st, id, mid)
		if err != nil {
			return nil, err
		}
		switch {
		case h < a.Checkpoint.Start:
			hi = mid - 1
		case h > a.Checkpoint.End:
			lo = mid + 1
		default:
			return a, nil
		}
	}
	return nil, fmt.Errorf("%q height %d: %w: ranges not contiguous", id, h, ErrCorrupt)
}

// EvidenceFor lists the conflicting checkpoints stored against number n.
func (Keeper) EvidenceFor(st state.Store, id string, n uint64) ([]Evidence, error) {
	p := slices.Concat(prefixEvidence, idPart(id), store.BE64(n))
	var out []Evidence
	var err error
	st.Iterate(p, state.PrefixEnd(p), false, func(_, v []byte) bool {
		var e Evidence
		if err = core.Decode(v, &e); err != nil {
			return false
		}
		out = append(out, e)
		return true
	})
	return out, err
}

// Submit runs MsgSubmit (see the package doc). A conflicting checkpoint
// with a valid quorum succeeds: it is stored as evidence and halts the chain.
func (k Keeper) Submit(ctx *core.Context, m *MsgSubmit) error {
	st, cp := ctx.Store, &m.Checkpoint
	c, err := k.Chain(st, cp.ChainID)
	if err != nil {
		return err
	}
	if cp.Number <= c.LastNumber {
		return k.conflict(ctx, c, m)
	}
	if c.Halted {
		return fmt.Errorf("%q: %w", c.ID, ErrHalted)
	}
	if cp.Number != c.LastNumber+1 || cp.Start != c.LastEnd+1 {
		return fmt.Errorf("%q checkpoint %d [%d, %d]: %w: next is %d from %d", c.ID, cp.Number, cp.Start, cp.End,
			ErrNotContiguous, c.LastNumber+1, c.LastEnd+1)
	}
	if cp.ValidatorsHash != c.ValidatorsHash {
		return fmt.Errorf("%q checkpoint %d: %w: signed as %s, registered %s", c.ID, cp.Number, ErrStaleSet,
			cp.ValidatorsHash.Hex(), c.ValidatorsHash.Hex())
	}
	if err := k.verifySigs(st, cp, m.Sigs); err != nil {
		return fmt.Errorf("%q checkpoint %d: %w", c.ID, cp.Number, err)
	}
	st.Set(anchoredKey(c.ID, cp.Number), core.Encode(&Anchored{Checkpoint: *cp, Signers: uint64(len(m.Sigs)),
		Height: ctx.Block.Height, Time: ctx.Block.Time}))
	c.LastNumber, c.LastEnd = cp.Number, cp.End
	if cp.NextValidatorsHash != cp.ValidatorsHash {
		vs, err := newSet(m.NextValidators) // ValidateBasic checked it hashes to NextValidatorsHash
		if err != nil {
			return err
		}
		c.ValidatorsHash = k.storeSet(st, vs)
		ctx.EmitEvent(HandoverEvent{Chain: c.ID, Number: cp.Number, ValidatorsHash: c.ValidatorsHash})
	}
	k.setChain(st, c)
	ctx.EmitEvent(AnchoredEvent{Chain: c.ID, Number: cp.Number, Start: cp.Start, End: cp.End, BlocksRoot: cp.BlocksRoot,
		Hash: cp.Hash(), Signers: uint64(len(m.Sigs))})
	return nil
}

// conflict handles a submission for an already anchored number.
func (k Keeper) conflict(ctx *core.Context, c *Chain, m *MsgSubmit) error {
	st, cp := ctx.Store, &m.Checkpoint
	a, err := k.ByNumber(st, c.ID, cp.Number)
	if err != nil {
		return err
	}
	anchored, got := a.Checkpoint.Hash(), cp.Hash()
	if anchored == got {
		return fmt.Errorf("%q checkpoint %d: %w", c.ID, cp.Number, ErrAlreadyAnchored)
	}
	// Only the set that signed the anchored checkpoint can equivocate on it.
	if cp.ValidatorsHash != a.Checkpoint.ValidatorsHash {
		return fmt.Errorf("%q checkpoint %d overlaps the anchored one: %w", c.ID, cp.Number, ErrStaleSet)
	}
	if err := k.verifySigs(st, cp, m.Sigs); err != nil {
		return fmt.Errorf("%q checkpoint %d overlaps the anchored one: %w", c.ID, cp.Number, err)
	}
	key := evidenceKey(c.ID, cp.Number, got)
	if st.Has(key) {
		return fmt.Errorf("%q checkpoint %d: evidence %s already stored: %w", c.ID, cp.Number, got.Hex(), ErrAlreadyAnchored)
	}
	st.Set(key, core.Encode(&Evidence{Anchored: anchored, Conflicting: *m, Height: ctx.Block.Height}))
	c.Halted = true
	k.setChain(st, c)
	ctx.EmitEvent(ConflictEvent{Chain: c.ID, Number: cp.Number, Anchored: anchored, Conflicting: got})
	return nil
}

// verifySigs checks that sigs are > 2/3 of the set named by the
// checkpoint, strictly sorted by index, each recovering to its member.
func (k Keeper) verifySigs(st state.Store, cp *Checkpoint, sigs []Sig) error {
	vs, err := k.ValidatorSet(st, cp.ValidatorsHash)
	if err != nil {
		return err
	}
	n := vs.Size()
	if 3*len(sigs) <= 2*n {
		return fmt.Errorf("%w: %d of %d", ErrBelowThreshold, len(sigs), n)
	}
	digest := cp.Digest()
	for i, s := range sigs {
		if i > 0 && s.Index <= sigs[i-1].Index {
			return fmt.Errorf("%w: index %d after %d", ErrUnsortedSigners, s.Index, sigs[i-1].Index)
		}
		if int(s.Index) >= n {
			return fmt.Errorf("%w: index %d of %d", ErrNotMember, s.Index, n)
		}
		a, err := types.RecoverAddress(digest, s.Sig)
		if err != nil {
			return fmt.Errorf("%w: index %d: %w", ErrBadSignature, s.Index, err)
		}
		if a != vs.Validators[s.Index] {
			return fmt.Errorf("%w: index %d recovers to %s, member is %s", ErrBadSignature, s.Index, a.Hex(), vs.Validators[s.Index].Hex())
		}
	}
	return nil
}
