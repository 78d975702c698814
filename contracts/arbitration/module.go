package arbitration

import (
	"encoding/json"

	"github.com/accordnet/accord/contracts/core"
)

// Module is the arbitration module as a contract module.
type Module struct{ Keeper }

// NewModule returns the module over k.
func NewModule(k Keeper) Module { return Module{k} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypeOpen, Name: "arbitration.open", Handler: core.HandleMsg(m.handleOpen)},
		{Type: TypeEvidence, Name: "arbitration.evidence", Handler: core.HandleMsg(m.AddEvidence)},
		{Type: TypeVote, Name: "arbitration.vote", Handler: core.HandleMsg(m.CastVote)},
	}
}

// BeginBlock implements core.BeginBlocker: the panel and committee deadlines.
func (m Module) BeginBlock(ctx *core.Context) error { return m.Keeper.BeginBlock(ctx) }

var _ core.BeginBlocker = Module{}

// Genesis is the module's genesis section: parameter overrides by key.
type Genesis = core.ParamsGenesis

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	return paramTable.InitGenesis(raw, func() Params { return m.Params(ctx.Store) },
		func(p Params) error { return m.SetParams(ctx.Store, p) })
}

func (m Module) handleOpen(ctx *core.Context, msg *MsgOpen) error {
	_, err := m.OpenFor(ctx, msg)
	return err
}
