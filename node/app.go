package node

import (
	"fmt"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// App is the application a node runs: the router of contract modules and
// what the mempool needs to know about transaction types.
type App struct {
	Router *core.Router
	Bank   bank.Keeper
}

// NewApp assembles the sidechain application for chainID.
func NewApp(chainID string) (*App, error) {
	b := bank.Module{}
	r, err := core.NewRouter(chainID, []core.Ante{b.Ante}, b)
	if err != nil {
		return nil, err
	}
	return &App{Router: r, Bank: b.Keeper}, nil
}

// Cost is the mempool's view of what a transaction spends besides its fee.
// Messages of other modules are admitted with cost 0: they are checked in
// full when executed, and a failure there still costs the fee.
func (a *App) Cost(tx *types.Tx) (uint64, error) {
	if tx.Type >= core.TypeBank && tx.Type < core.TypeBank+0x100 {
		return bank.Cost(tx)
	}
	if _, ok := a.Router.Route(tx.Type); !ok {
		return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
	}
	return 0, nil
}

// TypeName names a transaction type for people.
func (a *App) TypeName(t types.TxType) string {
	if rt, ok := a.Router.Route(t); ok {
		return rt.Name
	}
	return fmt.Sprintf("unknown(%#x)", uint16(t))
}
