package acceptor

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Module is the acceptor module as a contract module.
type Module struct{ Keeper }

// NewModule returns the module over k.
func NewModule(k Keeper) Module { return Module{k} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypeRegister, Name: "acceptor.register", Handler: core.HandleMsg(m.Register)},
		{Type: TypeUpdate, Name: "acceptor.update", Handler: core.HandleMsg(m.Update)},
		{Type: TypeDepositFloat, Name: "acceptor.deposit_float", Handler: core.HandleMsg(m.handleDepositFloat)},
		{Type: TypeWithdrawFloat, Name: "acceptor.withdraw_float", Handler: core.HandleMsg(m.handleWithdrawFloat)},
		{Type: TypeDepositMargin, Name: "acceptor.deposit_margin", Handler: core.HandleMsg(m.handleDepositMargin)},
		{Type: TypeWithdrawMargin, Name: "acceptor.withdraw_margin", Handler: core.HandleMsg(m.handleWithdrawMargin)},
		{Type: TypePause, Name: "acceptor.pause", Handler: core.HandleMsg(m.handlePause)},
		{Type: TypeResume, Name: "acceptor.resume", Handler: core.HandleMsg(m.handleResume)},
	}
}

func (k Keeper) notFrozen(st state.Store, a types.Address) error {
	if k.IsFrozen(st, a) {
		return fmt.Errorf("%s: %w", a.Hex(), ErrFrozen)
	}
	return nil
}

func (k Keeper) checkCurrencies(st state.Store, cs []string) error {
	if k.currencies == nil {
		return nil
	}
	for _, c := range cs {
		if !k.currencies.IsSupported(st, c) {
			return fmt.Errorf("%w: %s is not quoted by the oracle", ErrBadCurrency, c)
		}
	}
	return nil
}

// registered loads the sender's record after the checks every acceptor
// message shares: registered and not frozen.
func (k Keeper) registered(ctx *core.Context) (*Acceptor, error) {
	if err := k.notFrozen(ctx.Store, ctx.Sender); err != nil {
		return nil, err
	}
	return k.GetAcceptor(ctx.Store, ctx.Sender)
}

// Register registers the sender as an acceptor (MsgRegister).
func (k Keeper) Register(ctx *core.Context, m *MsgRegister) error {
	st, a := ctx.Store, ctx.Sender
	if err := k.notFrozen(st, a); err != nil {
		return err
	}
	if k.IsAcceptor(st, a) {
		return fmt.Errorf("%s: %w", a.Hex(), ErrAlreadyRegistered)
	}
	if err := k.checkCurrencies(st, m.Currencies); err != nil {
		return err
	}
	p := k.Params(st)
	info, err := k.checkKYC(st, p, a, ctx.Block.Time)
	if err != nil {
		return err
	}
	rec := &Acceptor{
		Address: a, Identity: info.Identity, Status: StatusActive,
		RegisteredAt: ctx.Block.Time, RegisteredHeight: ctx.Block.Height,
		Currencies: m.Currencies, Methods: m.Methods, MinOrder: m.MinOrder, MaxOrder: m.MaxOrder,
	}
	rec.Reputation = Score(p, rec.Stats)
	k.setAcceptor(st, rec)
	k.index(st, rec)
	ctx.EmitEvent(RegisteredEvent{Address: rec.Address, Currencies: rec.Currencies, Methods: uint64(len(rec.Methods)),
		MinOrder: rec.MinOrder, MaxOrder: rec.MaxOrder, Reputation: rec.Reputation})
	return nil
}

// Update replaces the sender's currencies, methods and bounds (MsgUpdate).
func (k Keeper) Update(ctx *core.Context, m *MsgUpdate) error {
	rec, err := k.registered(ctx)
	if err != nil {
		return err
	}
	if err := k.checkCurrencies(ctx.Store, m.Currencies); err != nil {
		return err
	}
	if k.kyc != nil {
		if info, ok := k.kyc.KYC(ctx.Store, rec.Address, ctx.Block.Time); ok {
			rec.Identity = info.Identity
		}
	}
	k.unindex(ctx.Store, rec)
	rec.Currencies, rec.Methods, rec.MinOrder, rec.MaxOrder = m.Currencies, m.Methods, m.MinOrder, m.MaxOrder
	k.setAcceptor(ctx.Store, rec)
	k.index(ctx.Store, rec)
	ctx.EmitEvent(UpdatedEvent{Address: rec.Address, Currencies: rec.Currencies, Methods: uint64(len(rec.Methods)),
		MinOrder: rec.MinOrder, MaxOrder: rec.MaxOrder})
	return nil
}

// DepositFloat moves amount from the sender into its free float.
func (k Keeper) DepositFloat(ctx *core.Context, amount uint64) error {
	rec, err := k.registered(ctx)
	if err != nil {
		return err
	}
	fl, err := types.AddAmount(rec.Float, amount)
	if err != nil {
		return fmt.Errorf("float of %s: %w", rec.Address.Hex(), err)
	}
	if err := k.bank.Send(ctx.Store, rec.Address, FloatAddress, amount); err != nil {
		return err
	}
	rec.Float = fl
	k.setAcceptor(ctx.Store, rec)
	ctx.EmitEvent(FloatDepositedEvent{Address: rec.Address, Amount: amount, Float: rec.Float})
	return nil
}

// WithdrawFloat moves amount of free float back to the sender. Float
// locked in open orders is not free.
func (k Keeper) WithdrawFloat(ctx *core.Context, amount uint64) error {
	rec, err := k.registered(ctx)
	if err != nil {
		return err
	}
	if rec.Float < amount {
		return fmt.Errorf("%s: float %s < %s USDT: %w", rec.Address.Hex(), types.FormatUSDT(rec.Float), types.FormatUSDT(amount), ErrInsufficientFloat)
	}
	if err := k.bank.Send(ctx.Store, FloatAddress, rec.Address, amount); err != nil {
		return err
	}
	rec.Float -= amount
	k.setAcceptor(ctx.Store, rec)
	ctx.EmitEvent(FloatWithdrawnEvent{Address: rec.Address, Amount: amount, Float: rec.Float})
	return nil
}

// DepositMargin moves amount from the sender into its margin.
func (k Keeper) DepositMargin(ctx *core.Context, amount uint64) error {
	rec, err := k.registered(ctx)
	if err != nil {
		return err
	}
	mg, err := types.AddAmount(rec.Margin, amount)
	if err != nil {
		return fmt.Errorf("margin of %s: %w", rec.Address.Hex(), err)
	}
	if err := k.bank.Send(ctx.Store, rec.Address, MarginAddress, amount); err != nil {
		return err
	}
	rec.Margin = mg
	k.setAcceptor(ctx.Store, rec)
	ctx.EmitEvent(MarginDepositedEvent{Address: rec.Address, Amount: amount, Margin: rec.Margin})
	return nil
}

// WithdrawMargin moves amount of margin back to the sender if no dispute of
// it is open and the rest still covers margin_bps of its trailing-24h
// volume.
func (k Keeper) WithdrawMargin(ctx *core.Context, amount uint64) error {
	rec, err := k.registered(ctx)
	if err != nil {
		return err
	}
	who := rec.Address.Hex()
	if rec.Stats.OpenDisputes > 0 {
		return fmt.Errorf("%s: %d open: %w", who, rec.Stats.OpenDisputes, ErrOpenDisputes)
	}
	if rec.Margin < amount {
		return fmt.Errorf("%s: margin %s < %s USDT: %w", who, types.FormatUSDT(rec.Margin), types.FormatUSDT(amount), ErrInsufficientMargin)
	}
	need := RequiredMargin(rec.Volume24h(ctx.Block.Time), k.Params(ctx.Store).MarginBps)
	if rest := rec.Margin - amount; rest < need {
		return fmt.Errorf("%s: %s USDT would remain, trailing-24h volume needs %s: %w", who, types.FormatUSDT(rest), types.FormatUSDT(need), ErrMarginTooLow)
	}
	if err := k.bank.Send(ctx.Store, MarginAddress, rec.Address, amount); err != nil {
		return err
	}
	rec.Margin -= amount
	k.setAcceptor(ctx.Store, rec)
	ctx.EmitEvent(MarginWithdrawnEvent{Address: rec.Address, Amount: amount, Margin: rec.Margin})
	return nil
}

// Pause stops new assignments to the sender.
func (k Keeper) Pause(ctx *core.Context) error {
	rec, err := k.registered(ctx)
	if err != nil {
		return err
	}
	if rec.Status == StatusPaused {
		return fmt.Errorf("%s: %w", rec.Address.Hex(), ErrPaused)
	}
	k.unindex(ctx.Store, rec)
	rec.Status = StatusPaused
	k.setAcceptor(ctx.Store, rec)
	ctx.EmitEvent(PausedEvent{Address: rec.Address})
	return nil
}

// Resume makes the paused sender eligible again.
func (k Keeper) Resume(ctx *core.Context) error {
	rec, err := k.registered(ctx)
	if err != nil {
		return err
	}
	if rec.Status != StatusPaused {
		return fmt.Errorf("%s: %w", rec.Address.Hex(), ErrNotPaused)
	}
	rec.Status = StatusActive
	k.setAcceptor(ctx.Store, rec)
	k.index(ctx.Store, rec)
	ctx.EmitEvent(ResumedEvent{Address: rec.Address})
	return nil
}

func (m Module) handleDepositFloat(ctx *core.Context, msg *MsgDepositFloat) error {
	return m.DepositFloat(ctx, msg.Amount)
}

func (m Module) handleWithdrawFloat(ctx *core.Context, msg *MsgWithdrawFloat) error {
	return m.WithdrawFloat(ctx, msg.Amount)
}

func (m Module) handleDepositMargin(ctx *core.Context, msg *MsgDepositMargin) error {
	return m.DepositMargin(ctx, msg.Amount)
}

func (m Module) handleWithdrawMargin(ctx *core.Context, msg *MsgWithdrawMargin) error {
	return m.WithdrawMargin(ctx, msg.Amount)
}

func (m Module) handlePause(ctx *core.Context, _ *MsgPause) error {
	return m.Pause(ctx)
}

func (m Module) handleResume(ctx *core.Context, _ *MsgResume) error {
	return m.Resume(ctx)
}
