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
		{Type: TypeOpen, Name: "arbitration.open", Handler: m.handleOpen},
		{Type: TypeEvidence, Name: "arbitration.evidence", Handler: m.handleEvidence},
		{Type: TypeVote, Name: "arbitration.vote", Handler: m.handleVote},
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

func (m Module) handleOpen(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgOpen](payload)
	if err != nil {
		return err
	}
	_, err = m.OpenFor(ctx, msg)
	return err
}

func (m Module) handleEvidence(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgEvidence](payload)
	if err != nil {
		return err
	}
	return m.AddEvidence(ctx, msg)
}

func (m Module) handleVote(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgVote](payload)
	if err != nil {
		return err
	}
	return m.CastVote(ctx, msg)
}
