package arbitration

import (
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Orders is what arbitration needs from the order module. order.Keeper
// implements it.
type Orders interface {
	GetOrder(st state.Store, id types.Hash) (*order.Order, error)
	ResolveRelease(ctx *core.Context, id types.Hash) error
	ResolveRefund(ctx *core.Context, id types.Hash) error
	ResolveSplit(ctx *core.Context, id types.Hash, toMerchant, toAcceptor uint64, acceptorLost bool) error
}

// Payments is what arbitration needs from the pay module. pay.Keeper
// implements it.
type Payments interface {
	GetPayment(st state.Store, id types.Hash) (*pay.Payment, error)
	Resolve(ctx *core.Context, id types.Hash, toPayee, toPayer uint64) error
}

// Roles lists the holders of a gov role (gov.Keeper).
type Roles interface {
	Members(st state.Store, r gov.Role) []types.Address
}

// KYCKeeper reports an account's KYC identity; the acceptor module's
// interface, served by the same adapter (acceptor.KYCFrom).
type KYCKeeper = acceptor.KYCKeeper

// Freezer reports accounts frozen by the risk module; a frozen arbitrator
// is not drawn. Nil means nothing is frozen.
type Freezer interface {
	IsFrozen(st state.Store, addr types.Address) bool
}

// RiskRecorder takes the mark a merchant gets for losing a dispute (the
// risk module). Nil: no marks are kept.
type RiskRecorder interface {
	RecordDisputeLoss(ctx *core.Context, loser types.Address, dispute types.Hash) error
}

// ParamStore is gov's parameter store.
type ParamStore = core.ParamStore

var (
	_ Orders     = order.Keeper{}
	_ Payments   = pay.Keeper{}
	_ Roles      = gov.Keeper{}
	_ ParamStore = gov.Keeper{}
)
