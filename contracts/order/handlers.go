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
		{Type: TypeCreate, Name: "order.create", Handler: core.HandleMsg(m.handleCreate)},
		{Type: TypeMarkPaid, Name: "order.mark_paid", Handler: core.HandleMsg(m.MarkPaid)},
		{Type: TypeConfirm, Name: "order.confirm", Handler: core.HandleMsg(m.handleConfirm)},
		{Type: TypeCancel, Name: "order.cancel", Handler: core.HandleMsg(m.handleCancel)},
		{Type: TypeExtend, Name: "order.extend", Handler: core.HandleMsg(m.handleExtend)},
		{Type: TypeDispute, Name: "order.dispute", Handler: core.HandleMsg(m.Dispute)},
	}
}

// BeginBlock implements core.BeginBlocker: the order timers.
func (m Module) BeginBlock(ctx *core.Context) error { return m.Keeper.BeginBlock(ctx) }

var _ core.BeginBlocker = Module{}

func (m Module) handleCreate(ctx *core.Context, msg *MsgCreate) error {
	_, err := m.Create(ctx, msg)
	return err
}

func (m Module) handleConfirm(ctx *core.Context, msg *MsgConfirm) error {
	return m.Confirm(ctx, msg.ID)
}

func (m Module) handleCancel(ctx *core.Context, msg *MsgCancel) error {
	return m.Cancel(ctx, msg.ID)
}

func (m Module) handleExtend(ctx *core.Context, msg *MsgExtend) error {
	return m.Extend(ctx, msg.ID)
}
