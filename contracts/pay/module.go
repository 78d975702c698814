package pay

import (
	"encoding/json"

	"github.com/accordnet/accord/contracts/core"
)

// Module is the pay module as a contract module.
type Module struct{ Keeper }

// NewModule returns the module over k.
func NewModule(k Keeper) Module { return Module{k} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypeLock, Name: "pay.lock", Handler: core.HandleMsg(m.handleLock)},
		{Type: TypeAttest, Name: "pay.attest", Handler: core.HandleMsg(m.handleAttest)},
		{Type: TypeRefund, Name: "pay.refund", Handler: core.HandleMsg(m.handleRefund)},
		{Type: TypeDispute, Name: "pay.dispute", Handler: core.HandleMsg(m.Dispute)},
	}
}

// Genesis is the module's genesis section: parameter overrides by key.
type Genesis = core.ParamsGenesis

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	return paramTable.InitGenesis(raw, func() Params { return m.Params(ctx.Store) },
		func(p Params) error { return m.SetParams(ctx.Store, p) })
}

func (m Module) handleLock(ctx *core.Context, msg *MsgLock) error {
	_, err := m.Lock(ctx, msg)
	return err
}

func (m Module) handleAttest(ctx *core.Context, msg *MsgAttest) error {
	return m.Attest(ctx, &msg.Attestation)
}

func (m Module) handleRefund(ctx *core.Context, msg *MsgRefund) error {
	return m.Refund(ctx, msg.ID)
}
