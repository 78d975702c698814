package pay

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// EscrowAddress is the module account holding every open payment's amount.
// Bank must refuse plain transfers into it.
var EscrowAddress = bank.ModuleAddress("pay")

// State of a payment.
type State uint8

// Payment states:
//
//	LOCKED ─attest delivered─▶ RELEASED
//	   │ ─attest failed / refund after deadline─▶ REFUNDED
//	   └─dispute─▶ DISPUTED ─Resolve─▶ RESOLVED
const (
	StateLocked   State = 1
	StateReleased State = 2
	StateRefunded State = 3
	StateDisputed State = 4
	StateResolved State = 5
)

var stateNames = [...]string{StateLocked: "LOCKED", StateReleased: "RELEASED", StateRefunded: "REFUNDED",
	StateDisputed: "DISPUTED", StateResolved: "RESOLVED"}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return s >= StateLocked && s <= StateResolved }

func (s State) String() string {
	if s.Valid() {
		return stateNames[s]
	}
	return fmt.Sprintf("STATE(%d)", uint8(s))
}

// Open reports whether the payment still holds its escrow.
func (s State) Open() bool { return s == StateLocked || s == StateDisputed }

// Payment is one conditional payment's record.
type Payment struct {
	ID        types.Hash
	Seq       uint64 // the payer's payment number, from 1
	Payer     types.Address
	Payee     types.Address
	Attester  types.Address
	Amount    uint64
	Deadline  uint64 // block time, ms: attestations before it, refund from it
	State     State
	CreatedAt uint64
	ClosedAt  uint64
	Outcome   Outcome // the attested outcome, if one decided it
	ToPayee   uint64  // paid out at closing
	ToPayer   uint64
}

// Keeper reads and writes payment state.
type Keeper struct {
	bank    BankKeeper
	freezer Freezer
	params  ParamStore
	hook    DisputeHook
}

// Deps are the keepers the pay module uses; Freezer and Hook may be nil.
type Deps struct {
	Bank    BankKeeper
	Freezer Freezer
	Params  ParamStore
	Hook    DisputeHook
}

// NewKeeper returns a keeper over deps.
func NewKeeper(d Deps) Keeper {
	return Keeper{bank: d.Bank, freezer: d.Freezer, params: d.Params, hook: d.Hook}
}

// WithHook returns k telling h about disputes (the arbitration module is
// built after pay, so the wiring sets it last).
func (k Keeper) WithHook(h DisputeHook) Keeper { k.hook = h; return k }

// Store layout.
var (
	prefixPayment = []byte("pay/p/") // + id -> RLP Payment
	prefixCount   = []byte("pay/n/") // + payer -> be64 payments ever locked
	prefixOpen    = []byte("pay/o/") // + payer -> be64 open payments
	prefixPayer   = []byte("pay/r/") // + payer + be64 seq -> id
	prefixPayee   = []byte("pay/e/") // + payee + id -> {}
)

func be64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func paymentKey(id types.Hash) []byte { return slices.Concat(prefixPayment, id[:]) }

// PaymentID is the ID of payer's seq-th payment:
// Keccak-256("accord/pay/v1" ‖ payer ‖ be64(seq)).
func PaymentID(payer types.Address, seq uint64) types.Hash {
	return types.Keccak([]byte("accord/pay/v1"), payer[:], be64(seq))
}

// GetPayment returns a payment, or an error wrapping ErrNotFound.
func (Keeper) GetPayment(st state.Store, id types.Hash) (*Payment, error) {
	v, ok := st.Get(paymentKey(id))
	if !ok {
		return nil, fmt.Errorf("payment %s: %w", id.Hex(), ErrNotFound)
	}
	var p Payment
	if err := core.Decode(v, &p); err != nil {
		return nil, fmt.Errorf("payment %s: %w: %v", id.Hex(), ErrCorrupt, err)
	}
	return &p, nil
}

func (Keeper) setPayment(st state.Store, p *Payment) { st.Set(paymentKey(p.ID), core.Encode(p)) }

func getU64(st state.Store, key []byte) uint64 {
	if v, ok := st.Get(key); ok && len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func setU64(st state.Store, key []byte, v uint64) {
	if v == 0 {
		st.Delete(key)
		return
	}
	st.Set(key, be64(v))
}

// PaymentCount is how many payments payer ever locked.
func (Keeper) PaymentCount(st state.Store, payer types.Address) uint64 {
	return getU64(st, slices.Concat(prefixCount, payer[:]))
}

// OpenCount is how many of payer's payments hold escrow.
func (Keeper) OpenCount(st state.Store, payer types.Address) uint64 {
	return getU64(st, slices.Concat(prefixOpen, payer[:]))
}

// NextID is the ID payer's next MsgLock will get.
func (k Keeper) NextID(st state.Store, payer types.Address) types.Hash {
	return PaymentID(payer, k.PaymentCount(st, payer)+1)
}

// ByPayer lists payer's payments in locking order after sequence number
// after, at most limit (≤ 0: no limit).
func (k Keeper) ByPayer(st state.Store, payer types.Address, after uint64, limit int) ([]*Payment, error) {
	if after == ^uint64(0) {
		return nil, nil
	}
	p := slices.Concat(prefixPayer, payer[:])
	var ids []types.Hash
	st.Iterate(slices.Concat(p, be64(after+1)), state.PrefixEnd(p), false, func(_, v []byte) bool {
		ids = append(ids, types.Hash(v))
		return limit <= 0 || len(ids) < limit
	})
	return k.load(st, ids)
}

// ByPayee lists the payments to payee in ID order, at most limit.
func (k Keeper) ByPayee(st state.Store, payee types.Address, limit int) ([]*Payment, error) {
	p := slices.Concat(prefixPayee, payee[:])
	var ids []types.Hash
	st.Iterate(p, state.PrefixEnd(p), false, func(key, _ []byte) bool {
		ids = append(ids, types.Hash(key[len(p):]))
		return limit <= 0 || len(ids) < limit
	})
	return k.load(st, ids)
}

func (k Keeper) load(st state.Store, ids []types.Hash) ([]*Payment, error) {
	out := make([]*Payment, 0, len(ids))
	for _, id := range ids {
		p, err := k.GetPayment(st, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (k Keeper) frozen(st state.Store, a types.Address) bool {
	return k.freezer != nil && k.freezer.IsFrozen(st, a)
}
