package risk

import (
	"encoding/json"

	"github.com/accordnet/accord/contracts/core"
)

// Module is the risk module as a contract module.
type Module struct{ Keeper }

// NewModule returns the module over k.
func NewModule(k Keeper) Module { return Module{k} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{{Type: TypeUnfreeze, Name: "risk.unfreeze", Handler: core.HandleMsg(m.Unfreeze), Msg: MsgUnfreeze{}}}
}

// Genesis is the module's genesis section: threshold overrides by key.
type Genesis = core.ParamsGenesis

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	return paramTable.InitGenesis(raw, func() Params { return m.Params(ctx.Store) },
		func(p Params) error { return m.SetParams(ctx.Store, p) })
}
