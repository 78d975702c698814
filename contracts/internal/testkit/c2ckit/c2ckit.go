// Package c2ckit extends c2ctest's environment for the tests of modules
// built on top of the C2C ones (channel, pay): registering the module as
// the app assembly will and checking its escrow. It is apart from testkit
// because c2ctest imports the app, which the modules testkit serves
// (checkpoint, lightclient, bridge) are part of.
package c2ckit

import (
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Register rebuilds e's router with mods in place of c2ctest's modules of
// the same names (appended if none) and bank refusing plain transfers into
// escrows as well as the C2C module accounts.
func Register(e *c2ctest.Env, escrows []types.Address, mods ...core.Module) {
	base := e.Keepers.Modules()
	base[0] = bank.Module{Keeper: e.Bank, Blocked: append([]types.Address{order.EscrowAddress, acceptor.FloatAddress,
		acceptor.MarginAddress}, escrows...)}
	r, err := core.NewRouter(c2ctest.ChainID, nil, c2ctest.Replace(base, mods...)...)
	if err != nil {
		panic(err)
	}
	e.Router = r
}

// Escrow is what an escrowing module's keeper answers about its escrow.
type Escrow interface {
	EscrowInvariant(st state.Store) (string, bool)
	Escrowed(st state.Store) (uint64, error)
}

// Invariants checks c2ctest's invariants, the module's escrow invariant and
// that the escrow account holds exactly what the keeper says is escrowed;
// mismatch is the message for the last. It returns "" when all hold.
func Invariants(e *c2ctest.Env, k Escrow, escrow types.Address, mismatch string) string {
	if msg := e.Invariants(); msg != "" {
		return msg
	}
	if msg, broken := k.EscrowInvariant(e.St); broken {
		return msg
	}
	esc, err := k.Escrowed(e.St)
	if err != nil {
		return err.Error()
	}
	if b := e.Bank.Balance(e.St, escrow); b != esc {
		return mismatch
	}
	return ""
}
