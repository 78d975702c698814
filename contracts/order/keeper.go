package order

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// EscrowAddress is the module account holding every open order's escrow.
var EscrowAddress = bank.ModuleAddress("order")

// State of an order (docs/design.md, "The C2C flow").
type State uint8

// Order states. CREATED exists only inside the creating transaction: the
// same transaction assigns and locks (LOCKED) or finds nobody (REJECTED).
const (
	StateCreated         State = 1
	StateLocked          State = 2
	StatePaid            State = 3
	StateCompleted       State = 4
	StateRejected        State = 5
	StateExpired         State = 6
	StateCancelled       State = 7
	StateDisputed        State = 8
	StateResolvedRelease State = 9
	StateResolvedRefund  State = 10
	// StateResolvedSplit is an arbitrated decision dividing the escrow
	// between merchant and acceptor (Keeper.ResolveSplit).
	StateResolvedSplit State = 11
)

var stateNames = [...]string{
	StateCreated:         "CREATED",
	StateLocked:          "LOCKED",
	StatePaid:            "PAID",
	StateCompleted:       "COMPLETED",
	StateRejected:        "REJECTED",
	StateExpired:         "EXPIRED",
	StateCancelled:       "CANCELLED",
	StateDisputed:        "DISPUTED",
	StateResolvedRelease: "RESOLVED_RELEASE",
	StateResolvedRefund:  "RESOLVED_REFUND",
	StateResolvedSplit:   "RESOLVED_SPLIT",
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return s >= StateCreated && s <= StateResolvedSplit }

func (s State) String() string {
	if s.Valid() {
		return stateNames[s]
	}
	return fmt.Sprintf("STATE(%d)", uint8(s))
}

// ParseState parses a state name ("LOCKED", ...).
func ParseState(name string) (State, error) {
	for s := StateCreated; s <= StateResolvedSplit; s++ {
		if stateNames[s] == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown order state %q", name)
}

// Open reports whether the order holds escrow (LOCKED, PAID or DISPUTED).
func (s State) Open() bool { return s == StateLocked || s == StatePaid || s == StateDisputed }

// Final reports whether no transition leaves s.
func (s State) Final() bool {
	switch s {
	case StateCompleted, StateRejected, StateExpired, StateCancelled, StateResolvedRelease, StateResolvedRefund, StateResolvedSplit:
		return true
	}
	return false
}

// CanTransition is the state machine: it reports whether from → to is an
// edge of the diagram in docs/design.md.
func CanTransition(from, to State) bool {
	switch from {
	case StateCreated:
		return to == StateLocked || to == StateRejected
	case StateLocked:
		return to == StatePaid || to == StateExpired || to == StateCancelled
	case StatePaid:
		return to == StateCompleted || to == StateDisputed
	case StateDisputed:
		return to == StateResolvedRelease || to == StateResolvedRefund || to == StateResolvedSplit
	}
	return false
}

// Order is one order's record.
type Order struct {
	ID            types.Hash
	Seq           uint64 // creation sequence number, chain-wide
	Merchant      types.Address
	Acceptor      types.Address // zero while CREATED and when REJECTED
	Currency      string
	FiatAmount    uint64 // minor units of Currency
	Amount        uint64 // micro-USDT in escrow, converted at creation
	MerchantRef   string
	Method        types.Hash // hash of the acceptor's payment details the merchant pays to
	State         State
	CommissionBps uint64 // fixed at creation
	FeeBps        uint64 // fixed at creation
	CreatedAt     uint64 // block time, ms
	CreatedHeight uint64
	Deadline      uint64 // pending timer: payment deadline (LOCKED), release deadline (PAID); 0 otherwise
	Extended      bool
	PaidAt        uint64
	PaymentRef    types.Hash
	ClosedAt      uint64 // block time the order reached a final state
	// Paused is set while a party is frozen: the timer is out of the
	// queue, Deadline is 0 and Remaining holds the ms that were left when
	// it paused; an unfreeze restarts it with that much (timers.go).
	Paused    bool   `rlp:"optional"`
	Remaining uint64 `rlp:"optional"`
}

// Keeper reads and writes order state.
type Keeper struct {
	bank      BankKeeper
	acceptors AcceptorKeeper
	rates     RateKeeper
	kyc       KYCKeeper
	freezer   Freezer
	params    ParamStore
	hook      DisputeHook
	observer  Observer
}

// Deps are the keepers the order module uses; Freezer, Hook and Observer
// may be nil.
type Deps struct {
	Bank      BankKeeper
	Acceptors AcceptorKeeper
	Rates     RateKeeper
	KYC       KYCKeeper
	Freezer   Freezer
	Params    ParamStore
	Hook      DisputeHook
	Observer  Observer
}

// NewKeeper returns a keeper over deps.
func NewKeeper(d Deps) Keeper {
	return Keeper{bank: d.Bank, acceptors: d.Acceptors, rates: d.Rates, kyc: d.KYC, freezer: d.Freezer, params: d.Params, hook: d.Hook, observer: d.Observer}
}

// WithHook returns k telling h about disputes (the arbitration module is
// built after order, so the wiring sets it last).
func (k Keeper) WithHook(h DisputeHook) Keeper { k.hook = h; return k }

// Store layout.
var (
	prefixOrder    = []byte("order/o/")  // + id -> RLP Order
	keySeq         = []byte("order/seq") // 8-byte last sequence number
	prefixMerchant = []byte("order/m/")  // + merchant + seq -> id
	prefixAcceptor = []byte("order/a/")  // + acceptor + seq -> id
	prefixQueue    = []byte("order/q/")  // + deadline + id -> {} (timeouts)
	prefixCancels  = []byte("order/x/")  // + merchant -> day, count
	prefixTimed    = []byte("order/t/")  // + party + id -> {} (orders with a running or paused timer, per party)
)

func orderKey(id types.Hash) []byte { return slices.Concat(prefixOrder, id[:]) }

func partyKey(prefix []byte, a types.Address, seq uint64) []byte {
	return slices.Concat(prefix, a[:], store.BE64(seq))
}

func queueKey(deadline uint64, id types.Hash) []byte {
	return slices.Concat(prefixQueue, store.BE64(deadline), id[:])
}

// OrderID is the ID of the order merchant creates with reference ref:
// Keccak-256("accord/order/v1" ‖ merchant ‖ ref). It is known before the
// transaction is sent, does not depend on the transaction's position in the
// block (so a proposer cannot change the draw by reordering), and makes a
// reused reference a duplicate.
func OrderID(merchant types.Address, ref string) types.Hash {
	return types.Keccak([]byte("accord/order/v1"), merchant[:], []byte(ref))
}

// GetOrder returns an order, or an error wrapping ErrNotFound.
func (Keeper) GetOrder(st state.Store, id types.Hash) (*Order, error) {
	return store.Get[Order](st, orderKey(id), "order "+id.Hex(), ErrNotFound, ErrCorrupt)
}

// OrderByRef returns the order merchant created with reference ref.
func (k Keeper) OrderByRef(st state.Store, merchant types.Address, ref string) (*Order, error) {
	return k.GetOrder(st, OrderID(merchant, ref))
}

func (Keeper) setOrder(st state.Store, o *Order) { st.Set(orderKey(o.ID), core.Encode(o)) }

func (Keeper) nextSeq(st state.Store) uint64 {
	var n uint64
	if v, ok := st.Get(keySeq); ok && len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	st.Set(keySeq, store.BE64(n))
	return n
}

// Count is the number of orders ever created (including REJECTED attempts).
func (Keeper) Count(st state.Store) uint64 {
	if v, ok := st.Get(keySeq); ok && len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// Party selects which side of orders OrdersBy lists.
type Party uint8

// Parties.
const (
	ByMerchant Party = 1
	ByAcceptor Party = 2
)

// Query filters a listing.
type Query struct {
	State State  // 0: any state
	After uint64 // list orders with Seq above this (paging; 0 from the start)
	Limit int    // at most this many (≤ 0: no limit)
}

// OrdersBy lists a merchant's or an acceptor's orders in creation order.
// It is a query for the API and the CLI; it walks the party's index, so its
// cost grows with the party's history, not with the chain's.
func (k Keeper) OrdersBy(st state.Store, party Party, a types.Address, q Query) ([]*Order, error) {
	prefix := prefixMerchant
	if party == ByAcceptor {
		prefix = prefixAcceptor
	}
	p := slices.Concat(prefix, a[:])
	start := slices.Concat(p, store.BE64(q.After+1))
	if q.After == ^uint64(0) {
		return nil, nil
	}
	var ids []types.Hash
	st.Iterate(start, state.PrefixEnd(p), false, func(_, v []byte) bool {
		ids = append(ids, types.Hash(v))
		// Without a state filter every entry is listed, so a page needs
		// no more ids than its limit (a long history costs a page only).
		return q.State != 0 || q.Limit <= 0 || len(ids) < q.Limit
	})
	var out []*Order
	for _, id := range ids {
		o, err := k.GetOrder(st, id)
		if err != nil {
			return nil, err
		}
		if q.State != 0 && o.State != q.State {
			continue
		}
		out = append(out, o)
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out, nil
}

// Timeout is a pending timer.
type Timeout struct {
	Deadline uint64
	ID       types.Hash
}

// PendingTimeouts lists up to limit timers due at or before until, in
// processing order (deadline, then ID).
func (Keeper) PendingTimeouts(st state.Store, until uint64, limit int) []Timeout {
	var out []Timeout
	end := state.PrefixEnd(prefixQueue)
	if until < ^uint64(0) {
		end = slices.Concat(prefixQueue, store.BE64(until+1))
	}
	st.Iterate(prefixQueue, end, false, func(key, _ []byte) bool {
		if len(key) != len(prefixQueue)+8+32 {
			return true
		}
		t := Timeout{Deadline: binary.BigEndian.Uint64(key[len(prefixQueue):])}
		copy(t.ID[:], key[len(prefixQueue)+8:])
		out = append(out, t)
		return limit <= 0 || len(out) < limit
	})
	return out
}

func timedKey(party types.Address, id types.Hash) []byte {
	return slices.Concat(prefixTimed, party[:], id[:])
}

// enqueue starts o's timer at o.Deadline and indexes it under both
// parties, so a freeze finds it without walking the queue.
func (Keeper) enqueue(st state.Store, o *Order) {
	st.Set(queueKey(o.Deadline, o.ID), []byte{})
	st.Set(timedKey(o.Merchant, o.ID), []byte{})
	st.Set(timedKey(o.Acceptor, o.ID), []byte{})
}

// dequeue stops o's timer, running or paused.
func (Keeper) dequeue(st state.Store, o *Order) {
	if o.Deadline != 0 {
		st.Delete(queueKey(o.Deadline, o.ID))
	}
	if o.Deadline != 0 || o.Paused {
		st.Delete(timedKey(o.Merchant, o.ID))
		st.Delete(timedKey(o.Acceptor, o.ID))
	}
	o.Deadline, o.Paused, o.Remaining = 0, false, 0
}

func (k Keeper) frozen(st state.Store, a types.Address) bool {
	return k.freezer != nil && k.freezer.IsFrozen(st, a)
}

// CancelsToday returns how many orders merchant cancelled on the UTC day
// (of block time) containing now.
func (Keeper) CancelsToday(st state.Store, merchant types.Address, now uint64) uint64 {
	v, ok := st.Get(slices.Concat(prefixCancels, merchant[:]))
	if !ok || len(v) != 16 || binary.BigEndian.Uint64(v[:8]) != now/day {
		return 0
	}
	return binary.BigEndian.Uint64(v[8:])
}

func (Keeper) setCancels(st state.Store, merchant types.Address, now, n uint64) {
	st.Set(slices.Concat(prefixCancels, merchant[:]), slices.Concat(store.BE64(now/day), store.BE64(n)))
}
