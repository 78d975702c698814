package channel

import (
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// BankKeeper is what the channel module needs from bank: moving deposits
// into and out of the escrow account. bank.Keeper implements it.
type BankKeeper interface {
	Send(st state.Store, from, to types.Address, amount uint64) error
	Balance(st state.Store, a types.Address) uint64
}

// Freezer reports accounts frozen by the risk module; nil means nothing is
// frozen. It is the same interface acceptor and order accept.
type Freezer interface {
	IsFrozen(st state.Store, addr types.Address) bool
}

// ParamStore is gov's parameter store.
type ParamStore = core.ParamStore

var (
	_ BankKeeper = bank.Keeper{}
	_ ParamStore = gov.Keeper{}
)
