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
		{Type: TypeLock, Name: "pay.lock", Handler: m.handleLock},
		{Type: TypeAttest, Name: "pay.attest", Handler: m.handleAttest},
		{Type: TypeRefund, Name: "pay.refund", Handler: m.handleRefund},
		{Type: TypeDispute, Name: "pay.dispute", Handler: m.handleDispute},
	}
}

// Genesis is the module's genesis section: parameter overrides by key.
type Genesis = core.ParamsGenesis

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	return paramTable.InitGenesis(raw, func() Params { return m.Params(ctx.Store) },
		func(p Params) error { return m.SetParams(ctx.Store, p) })
}

func (m Module) handleLock(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgLock](payload)
	if err != nil {
		return err
	}
	_, err = m.Lock(ctx, msg)
	return err
}

func (m Module) handleAttest(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgAttest](payload)
	if err != nil {
		return err
	}
	return m.Attest(ctx, &msg.Attestation)
}

func (m Module) handleRefund(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgRefund](payload)
	if err != nil {
		return err
	}
	return m.Refund(ctx, msg.ID)
}

func (m Module) handleDispute(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgDispute](payload)
	if err != nil {
		return err
	}
	return m.Dispute(ctx, msg)
}
