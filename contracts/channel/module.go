package channel

import (
	"encoding/json"

	"github.com/accordnet/accord/contracts/core"
)

// Module is the channel module as a contract module.
type Module struct{ Keeper }

// NewModule returns the module over k.
func NewModule(k Keeper) Module { return Module{k} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypeOpen, Name: "channel.open", Handler: core.HandleMsg(m.handleOpen)},
		{Type: TypeTopUp, Name: "channel.topup", Handler: core.HandleMsg(m.TopUp)},
		{Type: TypeExtend, Name: "channel.extend", Handler: core.HandleMsg(m.Extend)},
		{Type: TypeRedeem, Name: "channel.redeem", Handler: core.HandleMsg(m.handleRedeem)},
		{Type: TypeClose, Name: "channel.close", Handler: core.HandleMsg(m.handleClose)},
		{Type: TypeSettle, Name: "channel.settle", Handler: core.HandleMsg(m.handleSettle)},
	}
}

// Genesis is the module's genesis section: parameter overrides by key.
type Genesis = core.ParamsGenesis

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	return paramTable.InitGenesis(raw, func() Params { return m.Params(ctx.Store) },
		func(p Params) error { return m.SetParams(ctx.Store, p) })
}

func (m Module) handleOpen(ctx *core.Context, msg *MsgOpen) error {
	_, err := m.Open(ctx, msg)
	return err
}

func (m Module) handleRedeem(ctx *core.Context, msg *MsgRedeem) error {
	_, err := m.Redeem(ctx, &msg.Voucher)
	return err
}

func (m Module) handleClose(ctx *core.Context, msg *MsgClose) error {
	return m.Close(ctx, msg.ID)
}

func (m Module) handleSettle(ctx *core.Context, msg *MsgSettle) error {
	return m.Settle(ctx, msg.ID)
}
