package acceptor

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// An acceptor is stored as two values. The hot part — status, limits,
// funds, reputation, credited completions and volume buckets — is what
// every order's eligibility check reads for every candidate and what
// locking writes, so it has a fixed binary layout that decodes without
// reflection or allocation (beyond the bucket slice). The profile —
// identity, currencies, payment methods and the other reputation counters
// — is RLP and is read only when it is needed.
//
// Hot layout (big-endian): version (1) = 1, status (1), registered_at,
// registered_height, min_order, max_order, float, locked, margin,
// reputation, credited (8 each), bucket count n (1, ≤ 24), then n × (hour,
// volume) (8 + 8).
const (
	hotVersion = 1
	hotFixed   = 2 + 9*8 + 1
	maxBuckets = 24
)

var prefixProfile = []byte("acceptor/x/") // + addr -> RLP profile

// hot is the fixed-layout part of an acceptor record.
type hot struct {
	Status                         Status
	RegisteredAt, RegisteredHeight uint64
	MinOrder, MaxOrder             uint64
	Float, Locked, Margin          uint64
	Reputation, Credited           uint64
	Volume                         []VolumeBucket
}

// profile is the RLP part of an acceptor record.
type profile struct {
	Identity   types.Hash
	Currencies []string
	Methods    []PaymentMethod
	Stats      Stats // Credited lives in hot and is zero here
}

func (h *hot) encode() []byte {
	n := min(len(h.Volume), maxBuckets)
	b := make([]byte, 0, hotFixed+16*n)
	b = append(b, hotVersion, byte(h.Status))
	for _, v := range [...]uint64{h.RegisteredAt, h.RegisteredHeight, h.MinOrder, h.MaxOrder, h.Float, h.Locked, h.Margin, h.Reputation, h.Credited} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	b = append(b, byte(n))
	for _, v := range h.Volume[len(h.Volume)-n:] {
		b = binary.BigEndian.AppendUint64(b, v.Hour)
		b = binary.BigEndian.AppendUint64(b, v.Volume)
	}
	return b
}

func decodeHot(b []byte) (hot, error) {
	var h hot
	if len(b) < hotFixed || b[0] != hotVersion {
		return h, fmt.Errorf("%w: hot record of %d bytes", ErrCorrupt, len(b))
	}
	n := int(b[hotFixed-1])
	if n > maxBuckets || len(b) != hotFixed+16*n {
		return h, fmt.Errorf("%w: hot record of %d bytes with %d buckets", ErrCorrupt, len(b), n)
	}
	h.Status = Status(b[1])
	u := func(i int) uint64 { return binary.BigEndian.Uint64(b[2+8*i:]) }
	h.RegisteredAt, h.RegisteredHeight, h.MinOrder, h.MaxOrder = u(0), u(1), u(2), u(3)
	h.Float, h.Locked, h.Margin, h.Reputation, h.Credited = u(4), u(5), u(6), u(7), u(8)
	if n > 0 {
		h.Volume = make([]VolumeBucket, n)
		for i := range h.Volume {
			off := hotFixed + 16*i
			h.Volume[i] = VolumeBucket{Hour: binary.BigEndian.Uint64(b[off:]), Volume: binary.BigEndian.Uint64(b[off+8:])}
		}
	}
	return h, nil
}

func profileKey(a types.Address) []byte { return slices.Concat(prefixProfile, a[:]) }

// view fills an Acceptor from its two parts.
func view(a types.Address, h hot, p profile) *Acceptor {
	rec := &Acceptor{Address: a, Identity: p.Identity, Status: h.Status, RegisteredAt: h.RegisteredAt,
		RegisteredHeight: h.RegisteredHeight, Currencies: p.Currencies, Methods: p.Methods,
		MinOrder: h.MinOrder, MaxOrder: h.MaxOrder, Float: h.Float, Locked: h.Locked, Margin: h.Margin,
		Volume: h.Volume, Stats: p.Stats, Reputation: h.Reputation}
	rec.Stats.Credited = h.Credited
	return rec
}

func split(rec *Acceptor) (hot, profile) {
	h := hot{Status: rec.Status, RegisteredAt: rec.RegisteredAt, RegisteredHeight: rec.RegisteredHeight,
		MinOrder: rec.MinOrder, MaxOrder: rec.MaxOrder, Float: rec.Float, Locked: rec.Locked, Margin: rec.Margin,
		Reputation: rec.Reputation, Credited: rec.Stats.Credited, Volume: rec.Volume}
	p := profile{Identity: rec.Identity, Currencies: rec.Currencies, Methods: rec.Methods, Stats: rec.Stats}
	p.Stats.Credited = 0
	return h, p
}

// hotView is an Acceptor with only the hot fields set (no identity,
// currencies, methods or stats other than Credited).
func hotView(a types.Address, h hot) *Acceptor { return view(a, h, profile{}) }

func (Keeper) getHot(st state.Store, a types.Address) (hot, error) {
	v, ok := st.Get(recordKey(a))
	if !ok {
		return hot{}, fmt.Errorf("%s: %w", a.Hex(), ErrNotRegistered)
	}
	h, err := decodeHot(v)
	if err != nil {
		return hot{}, fmt.Errorf("%s: %w", a.Hex(), err)
	}
	return h, nil
}

func (Keeper) setHot(st state.Store, a types.Address, h *hot) { st.Set(recordKey(a), h.encode()) }

func (Keeper) getProfile(st state.Store, a types.Address) (profile, error) {
	var p profile
	v, ok := st.Get(profileKey(a))
	if !ok {
		return p, fmt.Errorf("%s: profile missing: %w", a.Hex(), ErrCorrupt)
	}
	if err := core.Decode(v, &p); err != nil {
		return p, fmt.Errorf("%s: %w: %v", a.Hex(), ErrCorrupt, err)
	}
	return p, nil
}

// GetAcceptor returns a's record, or an error wrapping ErrNotRegistered.
func (k Keeper) GetAcceptor(st state.Store, a types.Address) (*Acceptor, error) {
	h, err := k.getHot(st, a)
	if err != nil {
		return nil, err
	}
	p, err := k.getProfile(st, a)
	if err != nil {
		return nil, err
	}
	return view(a, h, p), nil
}

func (k Keeper) setAcceptor(st state.Store, rec *Acceptor) {
	h, p := split(rec)
	k.setHot(st, rec.Address, &h)
	st.Set(profileKey(rec.Address), core.Encode(&p))
}

// Method returns the details hash of a's first payment method for
// currency: where the merchant of an order assigned to a pays.
func (k Keeper) Method(st state.Store, a types.Address, currency string) (types.Hash, error) {
	p, err := k.getProfile(st, a)
	if err != nil {
		return types.Hash{}, err
	}
	rec := Acceptor{Methods: p.Methods}
	m, ok := rec.MethodFor(currency)
	if !ok {
		return types.Hash{}, fmt.Errorf("%s %s: %w", a.Hex(), currency, ErrNotSupported)
	}
	return m, nil
}
