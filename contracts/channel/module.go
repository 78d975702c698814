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
		{Type: TypeOpen, Name: "channel.open", Handler: m.handleOpen},
		{Type: TypeTopUp, Name: "channel.topup", Handler: m.handleTopUp},
		{Type: TypeExtend, Name: "channel.extend", Handler: m.handleExtend},
		{Type: TypeRedeem, Name: "channel.redeem", Handler: m.handleRedeem},
		{Type: TypeClose, Name: "channel.close", Handler: m.handleClose},
		{Type: TypeSettle, Name: "channel.settle", Handler: m.handleSettle},
	}
}

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
	_, err = m.Open(ctx, msg)
	return err
}

func (m Module) handleTopUp(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgTopUp](payload)
	if err != nil {
		return err
	}
	return m.TopUp(ctx, msg)
}

func (m Module) handleExtend(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgExtend](payload)
	if err != nil {
		return err
	}
	return m.Extend(ctx, msg)
}

func (m Module) handleRedeem(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgRedeem](payload)
	if err != nil {
		return err
	}
	_, err = m.Redeem(ctx, &msg.Voucher)
	return err
}

func (m Module) handleClose(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgClose](payload)
	if err != nil {
		return err
	}
	return m.Close(ctx, msg.ID)
}

func (m Module) handleSettle(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgSettle](payload)
	if err != nil {
		return err
	}
	return m.Settle(ctx, msg.ID)
}
