package pay

import (
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// BankKeeper is what the pay module needs from bank. bank.Keeper
// implements it.
type BankKeeper interface {
	Send(st state.Store, from, to types.Address, amount uint64) error
	Balance(st state.Store, a types.Address) uint64
}

// Freezer reports accounts frozen by the risk module; nil means nothing is
// frozen. It is the interface acceptor and order accept.
type Freezer interface {
	IsFrozen(st state.Store, addr types.Address) bool
}

// DisputeHook is told when a payment becomes DISPUTED, in the same
// transaction: the arbitration module opens its case there and later calls
// Keeper.Resolve. An error fails the dispute. Nil: nobody is told (the
// payment waits for a Resolve call).
type DisputeHook interface {
	PaymentDisputed(ctx *core.Context, p *Payment) error
}

// ParamStore is gov's parameter store.
type ParamStore = core.ParamStore

var (
	_ BankKeeper = bank.Keeper{}
	_ ParamStore = gov.Keeper{}
)
