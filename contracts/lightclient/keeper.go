package lightclient

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/ledger/valset"
	"github.com/accordnet/accord/types"
)

// ModuleName is the module's genesis key.
const ModuleName = "lightclient"

// Client is the light client's summary state.
type Client struct {
	ChainID     string // main's chain ID
	TrustHeight uint64 // genesis trust: the set is known from TrustHeight+1 on
	Latest      uint64 // highest trusted header (TrustHeight before any)
	Frozen      bool
}

// Trusted is what the client keeps of an accepted header: the header
// itself (receipt proofs need its root and transaction count).
type Trusted struct {
	Header types.Header
	Hash   types.Hash
}

// scheduled is a set change learned from a gov.validators_set event; Pos
// orders events of one block so the later one wins.
type scheduled struct {
	ValidatorsHash types.Hash
	Source         uint64 // main height of the scheduling block
	Pos            uint64 // receipt index << 32 | event index
}

// Evidence is a certified header conflicting with a trusted one.
type Evidence struct {
	Trusted types.Hash
	Header  types.Header
	Cert    types.CommitCert
}

// Keeper reads and writes light-client state. It holds no state of its own.
type Keeper struct{}

// Store layout.
var (
	keyClient      = []byte("lightclient/client")
	prefixHeader   = []byte("lightclient/h/") // + height -> RLP Trusted
	prefixSet      = []byte("lightclient/s/") // + set hash -> RLP []Address
	prefixSchedule = []byte("lightclient/v/") // + effective height -> RLP scheduled
	prefixEvidence = []byte("lightclient/e/") // + height + header hash -> RLP Evidence
)

func headerKey(h uint64) []byte   { return slices.Concat(prefixHeader, store.BE64(h)) }
func scheduleKey(h uint64) []byte { return slices.Concat(prefixSchedule, store.BE64(h)) }
func setKey(h types.Hash) []byte  { return slices.Concat(prefixSet, h[:]) }

// Client returns the client state.
func (Keeper) Client(st state.Store) (*Client, error) {
	v, ok := st.Get(keyClient)
	if !ok {
		return nil, ErrNotInitialized
	}
	var c Client
	if err := core.Decode(v, &c); err != nil {
		return nil, fmt.Errorf("%w: client: %v", ErrCorrupt, err)
	}
	return &c, nil
}

func (Keeper) setClient(st state.Store, c *Client) { st.Set(keyClient, core.Encode(c)) }

// Init trusts vals as main's set from trustHeight+1 on (genesis).
func (k Keeper) Init(st state.Store, chainID string, trustHeight uint64, vals []types.Address) error {
	if chainID == "" {
		return fmt.Errorf("%w: empty chain ID", ErrBadGenesis)
	}
	if st.Has(keyClient) {
		return fmt.Errorf("%w: already initialized", ErrBadGenesis)
	}
	vs, err := types.NewValidatorSet(vals)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadGenesis, err)
	}
	if len(vals) > gov.MaxValidators {
		return fmt.Errorf("%w: %d validators", ErrBadGenesis, len(vals))
	}
	h := k.storeSet(st, vs)
	st.Set(scheduleKey(trustHeight+1), core.Encode(&scheduled{ValidatorsHash: h, Source: trustHeight}))
	k.setClient(st, &Client{ChainID: chainID, TrustHeight: trustHeight, Latest: trustHeight})
	return nil
}

func (Keeper) storeSet(st state.Store, vs *types.ValidatorSet) types.Hash {
	h := vs.Hash()
	st.Set(setKey(h), core.Encode(vs.Validators))
	return h
}

func (Keeper) set(st state.Store, h types.Hash) (*types.ValidatorSet, error) {
	v, ok := st.Get(setKey(h))
	if !ok {
		return nil, fmt.Errorf("%w: set %s missing", ErrCorrupt, h.Hex())
	}
	var addrs []types.Address
	if err := core.Decode(v, &addrs); err != nil {
		return nil, fmt.Errorf("%w: set %s: %v", ErrCorrupt, h.Hex(), err)
	}
	return types.NewValidatorSet(addrs)
}

// SetAt returns the set the client knows to be in force at main height h
// (> the trust height): the change with the greatest effective height ≤ h.
func (k Keeper) SetAt(st state.Store, h uint64) (*types.ValidatorSet, error) {
	var raw []byte
	st.Iterate(prefixSchedule, append(scheduleKey(h), 0), true, func(_, v []byte) bool {
		raw = v
		return false
	})
	if raw == nil {
		return nil, fmt.Errorf("height %d: %w", h, ErrBeforeTrust)
	}
	var s scheduled
	if err := core.Decode(raw, &s); err != nil {
		return nil, fmt.Errorf("%w: schedule: %v", ErrCorrupt, err)
	}
	return k.set(st, s.ValidatorsHash)
}

// Header returns the trusted header at height h.
func (Keeper) Header(st state.Store, h uint64) (*Trusted, error) {
	v, ok := st.Get(headerKey(h))
	if !ok {
		return nil, fmt.Errorf("main height %d: %w", h, ErrNoHeader)
	}
	var t Trusted
	if err := core.Decode(v, &t); err != nil {
		return nil, fmt.Errorf("%w: header %d: %v", ErrCorrupt, h, err)
	}
	return &t, nil
}

// Update runs MsgUpdate (see the package doc). A certified header that
// conflicts with a trusted one succeeds: it freezes the client and is kept
// as evidence.
func (k Keeper) Update(ctx *core.Context, m *MsgUpdate) error {
	st, hdr := ctx.Store, &m.Header
	c, err := k.Client(st)
	if err != nil {
		return err
	}
	if c.Frozen {
		return ErrFrozen
	}
	if hdr.ChainID != c.ChainID {
		return fmt.Errorf("%w: %q, client of %q", ErrWrongChain, hdr.ChainID, c.ChainID)
	}
	if hdr.Height <= c.TrustHeight {
		return fmt.Errorf("%w: %d ≤ %d", ErrBeforeTrust, hdr.Height, c.TrustHeight)
	}
	vs, err := k.SetAt(st, hdr.Height)
	if err != nil {
		return err
	}
	if hdr.ValidatorsHash != vs.Hash() {
		return fmt.Errorf("%w: height %d names %s, known %s", ErrUnknownSet, hdr.Height, hdr.ValidatorsHash.Hex(), vs.Hash().Hex())
	}
	if err := m.Cert.Verify(c.ChainID, vs); err != nil {
		return fmt.Errorf("main height %d: %w", hdr.Height, err)
	}
	hash := hdr.Hash()
	prev, err := k.Header(st, hdr.Height)
	switch {
	case err == nil && prev.Hash != hash:
		return k.freeze(ctx, c, prev, m)
	case err == nil && len(m.Changes) == 0:
		return fmt.Errorf("main height %d: %w", hdr.Height, ErrKnownHeader)
	case err == nil:
		// A trusted header re-relayed with change proofs it lacked.
	default:
		st.Set(headerKey(hdr.Height), core.Encode(&Trusted{Header: *hdr, Hash: hash}))
		if hdr.Height > c.Latest {
			c.Latest = hdr.Height
			k.setClient(st, c)
		}
		ctx.EmitEvent(UpdatedEvent{Height: hdr.Height, Hash: hash, ValidatorsHash: hdr.ValidatorsHash})
	}
	for i := range m.Changes {
		if err := k.schedule(ctx, c, hdr, &m.Changes[i]); err != nil {
			return fmt.Errorf("change %d: %w", i, err)
		}
	}
	return nil
}

func (k Keeper) freeze(ctx *core.Context, c *Client, prev *Trusted, m *MsgUpdate) error {
	hash := m.Header.Hash()
	ctx.Store.Set(slices.Concat(prefixEvidence, store.BE64(m.Header.Height), hash[:]),
		core.Encode(&Evidence{Trusted: prev.Hash, Header: m.Header, Cert: m.Cert}))
	c.Frozen = true
	k.setClient(ctx.Store, c)
	ctx.EmitEvent(FrozenEvent{Height: m.Header.Height, Trusted: prev.Hash, Conflicting: hash})
	return nil
}

// schedule learns the set change proven by p in the certified header hdr.
func (k Keeper) schedule(ctx *core.Context, c *Client, hdr *types.Header, p *ChangeProof) error {
	if err := p.Receipt.Verify(hdr); err != nil {
		return fmt.Errorf("%w: %w", ErrBadChange, err)
	}
	ev, err := p.Receipt.Event(p.EventIndex)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadChange, err)
	}
	vs, at, err := parseChange(ev)
	if err != nil {
		return err
	}
	if at != hdr.Height+valset.Delay {
		return fmt.Errorf("%w: effective at %d, scheduled at %d (delay %d)", ErrBadChange, at, hdr.Height, valset.Delay)
	}
	if at <= c.Latest {
		// A trusted header at or past the change already named its set.
		return fmt.Errorf("%w: effective %d, client at %d", ErrChangeTooLate, at, c.Latest)
	}
	pos := p.Receipt.Index<<32 | p.EventIndex
	if v, ok := ctx.Store.Get(scheduleKey(at)); ok {
		var s scheduled
		if err := core.Decode(v, &s); err != nil {
			return fmt.Errorf("%w: schedule: %v", ErrCorrupt, err)
		}
		if s.Source == hdr.Height && s.Pos >= pos {
			return nil // an event at or after this one in the block already decided
		}
	}
	h := k.storeSet(ctx.Store, vs)
	ctx.Store.Set(scheduleKey(at), core.Encode(&scheduled{ValidatorsHash: h, Source: hdr.Height, Pos: pos}))
	ctx.EmitEvent(ScheduledEvent{EffectiveHeight: at, ValidatorsHash: h})
	return nil
}

// parseChange reads a gov.validators_set event strictly: comma-separated
// addresses and a canonical decimal height.
func parseChange(ev types.Event) (*types.ValidatorSet, uint64, error) {
	if ev.Type != gov.EventValidatorsSet {
		return nil, 0, fmt.Errorf("%w: event %q", ErrBadChange, ev.Type)
	}
	raw := ev.Get("validators")
	parts := strings.Split(raw, ",")
	if raw == "" || len(parts) > gov.MaxValidators {
		return nil, 0, fmt.Errorf("%w: %d validators", ErrBadChange, len(parts))
	}
	addrs := make([]types.Address, len(parts))
	for i, s := range parts {
		a, err := types.ParseAddress(s)
		if err != nil || a == (types.Address{}) {
			return nil, 0, fmt.Errorf("%w: validator %d: %q", ErrBadChange, i, s)
		}
		addrs[i] = a
	}
	vs, err := types.NewValidatorSet(addrs)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrBadChange, err)
	}
	hs := ev.Get("effective_height")
	at, err := strconv.ParseUint(hs, 10, 64)
	if err != nil || strconv.FormatUint(at, 10) != hs {
		return nil, 0, fmt.Errorf("%w: effective height %q", ErrBadChange, hs)
	}
	return vs, at, nil
}

// Unfreeze lets the client of main chain chainID accept updates again
// (gov's UnfreezeLightClient action, after it has dealt with the
// evidence). The evidence stays. Naming the chain makes a proposal meant
// for another chain's client fail rather than unfreeze this one.
func (k Keeper) Unfreeze(ctx *core.Context, chainID string) error {
	c, err := k.Client(ctx.Store)
	if err != nil {
		return err
	}
	if c.ChainID != chainID {
		return fmt.Errorf("unfreeze %q, the client follows %q: %w", chainID, c.ChainID, ErrWrongChain)
	}
	if !c.Frozen {
		return ErrNotFrozen
	}
	c.Frozen = false
	k.setClient(ctx.Store, c)
	ctx.EmitEvent(UnfrozenEvent{Latest: c.Latest})
	return nil
}

// Evidence lists the conflicting headers stored against main height h.
func (Keeper) Evidence(st state.Store, h uint64) ([]Evidence, error) {
	p := slices.Concat(prefixEvidence, store.BE64(h))
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

// VerifyReceipt checks p against the trusted main header at height and
// returns event eventIndex of the receipt and the lock's ID. A frozen
// client proves nothing.
func (k Keeper) VerifyReceipt(st state.Store, height uint64, p *proof.ReceiptProof, eventIndex uint64) (types.Event, types.Hash, error) {
	c, err := k.Client(st)
	if err != nil {
		return types.Event{}, types.Hash{}, err
	}
	if c.Frozen {
		return types.Event{}, types.Hash{}, ErrFrozen
	}
	t, err := k.Header(st, height)
	if err != nil {
		return types.Event{}, types.Hash{}, err
	}
	if err := p.Verify(&t.Header); err != nil {
		return types.Event{}, types.Hash{}, err
	}
	ev, err := p.Event(eventIndex)
	if err != nil {
		return types.Event{}, types.Hash{}, err
	}
	return ev, proof.LockID(c.ChainID, height, p.Index, eventIndex), nil
}
