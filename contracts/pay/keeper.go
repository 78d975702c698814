package pay

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/internal/store"
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

func paymentKey(id types.Hash) []byte { return slices.Concat(prefixPayment, id[:]) }

// PaymentID is the ID of payer's seq-th payment:
// Keccak-256("accord/pay/v1" ‖ payer ‖ be64(seq)).
func PaymentID(payer types.Address, seq uint64) types.Hash {
	return types.Keccak([]byte("accord/pay/v1"), payer[:], store.BE64(seq))
}

// GetPayment returns a payment, or an error wrapping ErrNotFound.
func (Keeper) GetPayment(st state.Store, id types.Hash) (*Payment, error) {
	return store.Get[Payment](st, paymentKey(id), "payment "+id.Hex(), ErrNotFound, ErrCorrupt)
}

func (Keeper) setPayment(st state.Store, p *Payment) { store.Put(st, paymentKey(p.ID), p) }

// PaymentCount is how many payments payer ever locked.
func (Keeper) PaymentCount(st state.Store, payer types.Address) uint64 {
	return store.GetU64(st, slices.Concat(prefixCount, payer[:]))
}

// OpenCount is how many of payer's payments hold escrow.
func (Keeper) OpenCount(st state.Store, payer types.Address) uint64 {
	return store.GetU64(st, slices.Concat(prefixOpen, payer[:]))
}

// NextID is the ID payer's next MsgLock will get.
func (k Keeper) NextID(st state.Store, payer types.Address) types.Hash {
	return PaymentID(payer, k.PaymentCount(st, payer)+1)
}

// ByPayer lists payer's payments in locking order after sequence number
// after, at most limit (≤ 0: no limit).
func (k Keeper) ByPayer(st state.Store, payer types.Address, after uint64, limit int) ([]*Payment, error) {
	return k.load(st, store.SeqIDs(st, prefixPayer, payer, after, limit))
}

// ByPayee lists the payments to payee in ID order, at most limit.
func (k Keeper) ByPayee(st state.Store, payee types.Address, limit int) ([]*Payment, error) {
	return k.load(st, store.SuffixIDs(st, prefixPayee, payee, limit))
}

func (k Keeper) load(st state.Store, ids []types.Hash) ([]*Payment, error) {
	return store.Load(ids, func(id types.Hash) (*Payment, error) { return k.GetPayment(st, id) })
}

func (k Keeper) frozen(st state.Store, a types.Address) bool {
	return k.freezer != nil && k.freezer.IsFrozen(st, a)
}
