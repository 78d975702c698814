package arbitration

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Phase of a dispute.
type Phase uint8

// Phases: PANEL ─deadline─▶ COMMITTEE ─deadline─▶ ESCALATED; any of the
// three ─decision─▶ RESOLVED (ESCALATED only by governance).
const (
	PhasePanel     Phase = 1
	PhaseCommittee Phase = 2
	PhaseEscalated Phase = 3
	PhaseResolved  Phase = 4
)

var phaseNames = [...]string{PhasePanel: "PANEL", PhaseCommittee: "COMMITTEE", PhaseEscalated: "ESCALATED", PhaseResolved: "RESOLVED"}

// Valid reports whether p is a known phase.
func (p Phase) Valid() bool { return p >= PhasePanel && p <= PhaseResolved }

func (p Phase) String() string {
	if p.Valid() {
		return phaseNames[p]
	}
	return fmt.Sprintf("PHASE(%d)", uint8(p))
}

// Voting reports whether arbitrators may vote in p.
func (p Phase) Voting() bool { return p == PhasePanel || p == PhaseCommittee }

// Vote is one arbitrator's recorded vote.
type Vote struct {
	Arbitrator types.Address `json:"arbitrator"`
	Round      uint64        `json:"round"` // 1: panel, 2: committee
	Winner     Side          `json:"winner"`
	Reason     Reason        `json:"reason"`
	ToA        uint64        `json:"to_a"`
	ToB        uint64        `json:"to_b"`
	At         uint64        `json:"at_ms"`       // block time
	ResponseMs uint64        `json:"response_ms"` // At minus the start of its round
}

// Evidence is one attached document hash.
type Evidence struct {
	Party types.Address `json:"party"`
	Hash  types.Hash    `json:"hash"`
	At    uint64        `json:"at_ms"`
}

// Decision is how a dispute ended.
type Decision struct {
	Winner Side   `json:"winner"`
	Reason Reason `json:"reason"`
	ToA    uint64 `json:"to_a"`
	ToB    uint64 `json:"to_b"`
	By     string `json:"by"` // "panel", "committee" or "gov"
}

// Dispute is one dispute's record.
type Dispute struct {
	ID             types.Hash
	Kind           Kind
	Subject        types.Hash    // order or payment ID
	PartyA         types.Address // merchant / payee
	PartyB         types.Address // acceptor / payer
	Escrow         uint64
	Phase          Phase
	OpenedAt       uint64
	EvidenceUntil  uint64
	Round          uint64
	RoundStart     uint64
	Deadline       uint64 // current round's deadline; 0 when not voting
	Panel          []types.Address
	Threshold      uint64
	Votes          []Vote
	Evidence       []Evidence
	Decision       Decision
	ResolvedAt     uint64
	EscalatedAt    uint64
	EscalateReason string
}

// Stats are one arbitrator's record, for accuracy and response time.
type Stats struct {
	Votes      uint64 // votes cast
	Decided    uint64 // of those, in disputes since resolved
	Agreed     uint64 // of those, agreeing with the final decision
	ResponseMs uint64 // total time from round start to vote
}

// AccuracyBps is Agreed / Decided in basis points (10 000 with no data).
func (s Stats) AccuracyBps() uint64 {
	if s.Decided == 0 {
		return 10_000
	}
	return s.Agreed * 10_000 / s.Decided
}

// MeanResponseMs is the mean time to vote (0 with no votes).
func (s Stats) MeanResponseMs() uint64 {
	if s.Votes == 0 {
		return 0
	}
	return s.ResponseMs / s.Votes
}

// Keeper reads and writes arbitration state.
type Keeper struct {
	orders   Orders
	payments Payments
	roles    Roles
	kyc      KYCKeeper
	freezer  Freezer
	risk     RiskRecorder
	params   ParamStore
}

// Deps are the keepers arbitration uses. Orders or Payments may be nil
// (their disputes are then refused); KYC, Freezer and Risk may be nil.
type Deps struct {
	Orders   Orders
	Payments Payments
	Roles    Roles
	KYC      KYCKeeper
	Freezer  Freezer
	Risk     RiskRecorder
	Params   ParamStore
}

// NewKeeper returns a keeper over deps.
func NewKeeper(d Deps) Keeper {
	return Keeper{orders: d.Orders, payments: d.Payments, roles: d.Roles, kyc: d.KYC, freezer: d.Freezer, risk: d.Risk, params: d.Params}
}

// Store layout.
var (
	prefixDispute   = []byte("arb/d/") // + id -> RLP Dispute
	prefixQueue     = []byte("arb/q/") // + be64 deadline + id -> {}
	prefixOpen      = []byte("arb/o/") // + id -> {} (not resolved)
	prefixEscalated = []byte("arb/x/") // + id -> {} (escalated, not resolved)
	prefixStats     = []byte("arb/s/") // + arbitrator -> RLP Stats
)

// DisputeID is the dispute of a subject:
// Keccak-256("accord/arbitration/v1" ‖ kind ‖ subject). One subject has at
// most one dispute, ever.
func DisputeID(kind Kind, subject types.Hash) types.Hash {
	return types.Keccak([]byte("accord/arbitration/v1"), []byte{byte(kind)}, subject[:])
}

func disputeKey(id types.Hash) []byte { return slices.Concat(prefixDispute, id[:]) }

func queueKey(deadline uint64, id types.Hash) []byte {
	return slices.Concat(prefixQueue, store.BE64(deadline), id[:])
}

// GetDispute returns a dispute, or an error wrapping ErrNotFound.
func (Keeper) GetDispute(st state.Store, id types.Hash) (*Dispute, error) {
	return store.Get[Dispute](st, disputeKey(id), "dispute "+id.Hex(), ErrNotFound, ErrCorrupt)
}

// DisputeOf returns the dispute of a subject.
func (k Keeper) DisputeOf(st state.Store, kind Kind, subject types.Hash) (*Dispute, error) {
	return k.GetDispute(st, DisputeID(kind, subject))
}

func (Keeper) setDispute(st state.Store, d *Dispute) { st.Set(disputeKey(d.ID), core.Encode(d)) }

func (k Keeper) list(st state.Store, prefix []byte, limit int) ([]*Dispute, error) {
	var ids []types.Hash
	st.Iterate(prefix, state.PrefixEnd(prefix), false, func(key, _ []byte) bool {
		ids = append(ids, types.Hash(key[len(prefix):]))
		return limit <= 0 || len(ids) < limit
	})
	out := make([]*Dispute, 0, len(ids))
	for _, id := range ids {
		d, err := k.GetDispute(st, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// OpenDisputes lists unresolved disputes in ID order, at most limit (≤ 0: all).
func (k Keeper) OpenDisputes(st state.Store, limit int) ([]*Dispute, error) {
	return k.list(st, prefixOpen, limit)
}

// Escalated lists the disputes waiting for governance, in ID order.
func (k Keeper) Escalated(st state.Store, limit int) ([]*Dispute, error) {
	return k.list(st, prefixEscalated, limit)
}

// ArbitratorStats returns an arbitrator's record (zero if it never voted).
func (Keeper) ArbitratorStats(st state.Store, a types.Address) Stats {
	var s Stats
	if v, ok := st.Get(slices.Concat(prefixStats, a[:])); ok {
		_ = core.Decode(v, &s) // written only by setStats
	}
	return s
}

func (Keeper) setStats(st state.Store, a types.Address, s Stats) {
	st.Set(slices.Concat(prefixStats, a[:]), core.Encode(&s))
}

// Timeout is a pending deadline.
type Timeout struct {
	Deadline uint64
	ID       types.Hash
}

// PendingTimeouts lists up to limit deadlines due at or before until, in
// processing order (deadline, then ID).
func (Keeper) PendingTimeouts(st state.Store, until uint64, limit int) []Timeout {
	var out []Timeout
	end := state.PrefixEnd(prefixQueue)
	if until < ^uint64(0) {
		end = slices.Concat(prefixQueue, store.BE64(until+1))
	}
	st.Iterate(prefixQueue, end, false, func(key, _ []byte) bool {
		if len(key) != len(prefixQueue)+40 {
			return true
		}
		t := Timeout{Deadline: binary.BigEndian.Uint64(key[len(prefixQueue):])}
		copy(t.ID[:], key[len(prefixQueue)+8:])
		out = append(out, t)
		return limit <= 0 || len(out) < limit
	})
	return out
}

// eligible lists, in address order, the arbitrators who may sit on d: holders of
// the arbitrator role, not frozen, neither party, and not sharing a KYC
// identity with either party. skip are excluded too (a panel that missed
// its deadline).
func (k Keeper) eligible(st state.Store, now uint64, d *Dispute, skip []types.Address) []types.Address {
	if k.roles == nil {
		return nil
	}
	all := slices.Clone(k.roles.Members(st, gov.RoleArbitrator))
	slices.SortFunc(all, func(a, b types.Address) int { return bytes.Compare(a[:], b[:]) })
	var ids []types.Hash
	if k.kyc != nil {
		for _, p := range []types.Address{d.PartyA, d.PartyB} {
			if info, ok := k.kyc.KYC(st, p, now); ok && info.Identity != (types.Hash{}) {
				ids = append(ids, info.Identity)
			}
		}
	}
	var out []types.Address
	for _, a := range all {
		if a == d.PartyA || a == d.PartyB || slices.Contains(skip, a) {
			continue
		}
		if k.freezer != nil && k.freezer.IsFrozen(st, a) {
			continue
		}
		if k.kyc != nil && len(ids) > 0 {
			if info, ok := k.kyc.KYC(st, a, now); ok && slices.Contains(ids, info.Identity) {
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// Draw picks n of cands (without replacement) for dispute id: the i-th
// pick is Keccak-256(seed ‖ id ‖ be64(i)) mod the number left, seed being
// the parent block's commit-certificate hash, as order assignment uses.
// The result is in draw order.
func Draw(seed, id types.Hash, cands []types.Address, n int) []types.Address {
	pool := slices.Clone(cands)
	out := make([]types.Address, 0, n)
	for i := 0; i < n && len(pool) > 0; i++ {
		h := types.Keccak(seed[:], id[:], store.BE64(uint64(i)))
		r := new(big.Int).Mod(new(big.Int).SetBytes(h[:]), big.NewInt(int64(len(pool)))).Int64()
		out = append(out, pool[r])
		pool = slices.Delete(pool, int(r), int(r)+1)
	}
	return out
}

func joinAddrs(as []types.Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.Hex()
	}
	return strings.Join(s, ",")
}
