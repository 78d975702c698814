package order

import (
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// BankKeeper is what the order module needs from bank: moving escrow and
// finding the treasury. bank.Keeper implements it.
type BankKeeper interface {
	Send(st state.Store, from, to types.Address, amount uint64) error
	Balance(st state.Store, a types.Address) uint64
	GetParams(st state.Store) bank.Params
}

// RateKeeper converts fiat to USDT at the oracle's current rate: the median
// of fresh posts. It fails (with an error the order module wraps in ErrRate)
// if the currency is unknown or no fresh rate exists at block time now.
// The wiring adapts contracts/oracle to it.
type RateKeeper interface {
	ToMicroUSDT(st state.Store, now uint64, currency string, minor uint64) (uint64, error)
}

// AcceptorKeeper is what the order module needs from the acceptor module.
// acceptor.Keeper implements it.
type AcceptorKeeper interface {
	Eligible(st state.Store, currency string, amount, now uint64, ex acceptor.Exclude) ([]acceptor.Candidate, error)
	Method(st state.Store, a types.Address, currency string) (types.Hash, error)
	Lock(st state.Store, a types.Address, amount, now uint64, escrow types.Address) error
	Unlock(st state.Store, a types.Address, amount uint64, escrow types.Address) error
	Settle(st state.Store, a types.Address, amount uint64) error
	Slash(ctx *core.Context, a, to types.Address, amount uint64) (uint64, error)
	RecordCompletion(ctx *core.Context, a, merchant types.Address, releaseMs uint64) error
	RecordExpiry(ctx *core.Context, a types.Address) error
	RecordDisputeOpened(ctx *core.Context, a types.Address) error
	RecordDisputeClosed(ctx *core.Context, a types.Address, won bool) error
}

var _ AcceptorKeeper = acceptor.Keeper{}

// KYCKeeper, Freezer and ParamStore are the acceptor module's interfaces:
// the same gov, kyc and risk adapters serve both modules.
type (
	KYCKeeper  = acceptor.KYCKeeper
	KYCInfo    = acceptor.KYCInfo
	Freezer    = acceptor.Freezer
	ParamStore = acceptor.ParamStore
)

// DisputeHook is told when an order becomes DISPUTED (by a party or by
// the release timer), in the same transaction or block start: the
// arbitration module opens its case there and later calls ResolveRelease,
// ResolveRefund or ResolveSplit. It must not fail for lack of arbitrators
// (the timer path cannot be refused); an error is a broken invariant.
type DisputeHook interface {
	OrderDisputed(ctx *core.Context, o *Order) error
}

// Observer sees every order locked and every order reaching a final state
// after it held escrow (the risk module's rules), in the same transaction
// or block start. An error fails that transaction; the timer path treats
// it as a broken invariant, so an observer must only refuse on corrupt
// state.
type Observer interface {
	OrderLocked(ctx *core.Context, o *Order) error
	OrderClosed(ctx *core.Context, o *Order) error
}
