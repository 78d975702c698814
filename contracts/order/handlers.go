package order

import (
	"github.com/accordnet/accord/contracts/core"
)

// Module is the order module as a contract module.
type Module struct{ Keeper }

// NewModule returns the module over k.
func NewModule(k Keeper) Module { return Module{k} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypeCreate, Name: "order.create", Handler: m.handleCreate},
		{Type: TypeMarkPaid, Name: "order.mark_paid", Handler: m.handleMarkPaid},
		{Type: TypeConfirm, Name: "order.confirm", Handler: m.handleConfirm},
		{Type: TypeCancel, Name: "order.cancel", Handler: m.handleCancel},
		{Type: TypeExtend, Name: "order.extend", Handler: m.handleExtend},
		{Type: TypeDispute, Name: "order.dispute", Handler: m.handleDispute},
	}
}

// BeginBlock implements core.BeginBlocker: the order timers.
func (m Module) BeginBlock(ctx *core.Context) error { return m.Keeper.BeginBlock(ctx) }

var _ core.BeginBlocker = Module{}

func (m Module) handleCreate(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgCreate](payload)
	if err != nil {
		return err
	}
	_, err = m.Create(ctx, msg)
	return err
}

func (m Module) handleMarkPaid(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgMarkPaid](payload)
	if err != nil {
		return err
	}
	return m.MarkPaid(ctx, msg)
}

func (m Module) handleConfirm(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgConfirm](payload)
	if err != nil {
		return err
	}
	return m.Confirm(ctx, msg.ID)
}

func (m Module) handleCancel(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgCancel](payload)
	if err != nil {
		return err
	}
	return m.Cancel(ctx, msg.ID)
}

func (m Module) handleExtend(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgExtend](payload)
	if err != nil {
		return err
	}
	return m.Extend(ctx, msg.ID)
}

func (m Module) handleDispute(ctx *core.Context, payload []byte) error {
	msg, err := core.DecodeValid[MsgDispute](payload)
	if err != nil {
		return err
	}
	return m.Dispute(ctx, msg)
}
