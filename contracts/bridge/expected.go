package bridge

import (
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// BankKeeper is what the bridge needs from bank. bank.Keeper implements it.
type BankKeeper interface {
	Mint(st state.Store, to types.Address, amount uint64) error
	Burn(st state.Store, from types.Address, amount uint64) error
	Send(st state.Store, from, to types.Address, amount uint64) error
	Balance(st state.Store, a types.Address) uint64
}

// RoleKeeper tells who holds a gov role. gov.Keeper implements it.
type RoleKeeper interface {
	HasRole(st state.Store, a types.Address, r gov.Role) bool
}

// CheckpointKeeper is what a release needs of the anchored checkpoints.
// checkpoint.Keeper implements it.
type CheckpointKeeper interface {
	Halted(st state.Store, id string) bool
	Covering(st state.Store, id string, h uint64) (*checkpoint.Anchored, error)
	Chain(st state.Store, id string) (*checkpoint.Chain, error)
}

// ParamStore is gov's parameter store.
type ParamStore = core.ParamStore

var (
	_ RoleKeeper       = gov.Keeper{}
	_ CheckpointKeeper = checkpoint.Keeper{}
)
