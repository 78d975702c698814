package order

import (
	"errors"
	"fmt"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

func wrap(id types.Hash, err error) error { return fmt.Errorf("order %s: %w", id.Hex(), err) }

func wrongState(o *Order, want State) error {
	return wrap(o.ID, fmt.Errorf("%s, needs %s: %w", o.State, want, ErrWrongState))
}

// transition moves o to state to, panicking on an edge that is not in the
// state machine: every caller checked the current state first, so this
// guards the code, not the input.
func transition(o *Order, to State) {
	if !CanTransition(o.State, to) {
		panic(fmt.Sprintf("order %s: illegal transition %s -> %s", o.ID.Hex(), o.State, to))
	}
	o.State = to
}

// observe tells the observer (risk monitoring) that o was locked or
// reached a final state.
func (k Keeper) observe(ctx *core.Context, o *Order) error {
	if k.observer == nil {
		return nil
	}
	if o.State == StateLocked {
		return k.observer.OrderLocked(ctx, o)
	}
	return k.observer.OrderClosed(ctx, o)
}

// Create converts the merchant's fiat amount at the oracle rate, creates
// the order, draws an acceptor among the eligible ones and locks the
// amount from its float in escrow, all in this transaction. If no acceptor
// is eligible the order is stored as REJECTED (the transaction succeeds and
// the merchant may retry with the same reference). Refusals (frozen, no
// KYC, no fresh rate, too small, duplicate reference) fail the transaction.
func (k Keeper) Create(ctx *core.Context, m *MsgCreate) (*Order, error) {
	st, now, merchant := ctx.Store, ctx.Block.Time, ctx.Sender
	id := OrderID(merchant, m.MerchantRef)
	if k.frozen(st, merchant) {
		return nil, wrap(id, fmt.Errorf("merchant %s: %w", merchant.Hex(), ErrFrozen))
	}
	p := k.Params(st)
	if k.kyc == nil {
		return nil, wrap(id, fmt.Errorf("merchant %s: %w", merchant.Hex(), ErrNoKYC))
	}
	info, ok := k.kyc.KYC(st, merchant, now)
	if !ok || uint64(info.Level) < p.MerchantKYCLevel {
		return nil, wrap(id, fmt.Errorf("merchant %s: %w", merchant.Hex(), ErrNoKYC))
	}
	identity := info.Identity
	prev, err := k.GetOrder(st, id)
	switch {
	case err == nil && prev.State != StateRejected:
		return nil, wrap(id, fmt.Errorf("reference %q (%s): %w", m.MerchantRef, prev.State, ErrDuplicateRef))
	case err == nil:
		st.Delete(partyKey(prefixMerchant, merchant, prev.Seq)) // a retry replaces the rejected attempt
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	amount, err := k.rates.ToMicroUSDT(st, now, m.Currency, m.FiatAmount)
	if err != nil {
		return nil, wrap(id, fmt.Errorf("%w: %w", ErrRate, err))
	}
	if amount < p.MinOrder {
		return nil, wrap(id, fmt.Errorf("%s USDT < %s: %w", types.FormatUSDT(amount), types.FormatUSDT(p.MinOrder), ErrAmountTooSmall))
	}
	if amount > info.OrderLimit { // kyc: a valid attestation has a limit >= 1; 0 means no orders
		return nil, wrap(id, fmt.Errorf("%s USDT > %s at level %d: %w", types.FormatUSDT(amount), types.FormatUSDT(info.OrderLimit), info.Level, ErrKYCLimit))
	}
	o := &Order{
		ID: id, Seq: k.nextSeq(st), Merchant: merchant, Currency: m.Currency, FiatAmount: m.FiatAmount,
		Amount: amount, MerchantRef: m.MerchantRef, State: StateCreated,
		CommissionBps: p.CommissionBps, FeeBps: p.FeeBps, CreatedAt: now, CreatedHeight: ctx.Block.Height,
	}
	st.Set(partyKey(prefixMerchant, merchant, o.Seq), id[:])
	ctx.EmitEvent(CreatedEvent{ID: o.ID, State: o.State.String(), Merchant: merchant, MerchantRef: o.MerchantRef,
		Currency: o.Currency, FiatAmount: o.FiatAmount, Amount: amount})

	cands, err := k.acceptors.Eligible(st, m.Currency, amount, now, acceptor.Exclude{Address: merchant, Identity: identity})
	if err != nil {
		return nil, wrap(id, err)
	}
	i, err := Draw(ctx.Block.Seed, id, cands)
	if err != nil {
		return nil, wrap(id, err)
	}
	if i < 0 {
		transition(o, StateRejected)
		o.ClosedAt = now
		k.setOrder(st, o)
		ctx.EmitEvent(RejectedEvent{ID: o.ID, State: o.State.String(), Merchant: merchant, Reason: "no eligible acceptor"})
		return o, nil
	}
	win := cands[i]
	method, err := k.acceptors.Method(st, win.Address, m.Currency)
	if err != nil {
		return nil, wrap(id, err)
	}
	if err := k.acceptors.Lock(st, win.Address, amount, now, EscrowAddress); err != nil {
		return nil, wrap(id, err)
	}
	transition(o, StateLocked)
	o.Acceptor, o.Method, o.Deadline = win.Address, method, now+p.PaymentWindow
	k.setOrder(st, o)
	k.enqueue(st, o)
	st.Set(partyKey(prefixAcceptor, win.Address, o.Seq), id[:])
	ctx.EmitEvent(LockedEvent{ID: o.ID, State: o.State.String(), Merchant: merchant, Acceptor: win.Address, Amount: amount,
		Method: method, PayDeadline: o.Deadline})
	if err := k.observe(ctx, o); err != nil {
		return nil, wrap(o.ID, err)
	}
	// The observer's rules may have frozen the merchant and so paused
	// this very order (timers.go, after order.locked).
	return k.GetOrder(st, id)
}

// load fetches an order for a message: it must exist, be in state want,
// and (if the state has a timer) its deadline must not have passed.
func (k Keeper) load(ctx *core.Context, id types.Hash, want State) (*Order, error) {
	o, err := k.GetOrder(ctx.Store, id)
	if err != nil {
		return nil, err
	}
	if o.State != want {
		return nil, wrongState(o, want)
	}
	if o.Deadline != 0 && ctx.Block.Time >= o.Deadline {
		return nil, wrap(id, fmt.Errorf("%s deadline %d passed at block time %d: %w", o.State, o.Deadline, ctx.Block.Time, ErrWindowClosed))
	}
	return o, nil
}

// MarkPaid records the merchant's fiat payment: LOCKED → PAID, starting
// the release window.
func (k Keeper) MarkPaid(ctx *core.Context, m *MsgMarkPaid) error {
	o, err := k.load(ctx, m.ID, StateLocked)
	if err != nil {
		return err
	}
	if ctx.Sender != o.Merchant {
		return wrap(o.ID, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotMerchant))
	}
	if k.frozen(ctx.Store, ctx.Sender) {
		return wrap(o.ID, fmt.Errorf("merchant %s: %w", ctx.Sender.Hex(), ErrFrozen))
	}
	now := ctx.Block.Time
	k.dequeue(ctx.Store, o)
	transition(o, StatePaid)
	o.PaidAt, o.PaymentRef, o.Deadline = now, m.PaymentRef, now+k.Params(ctx.Store).ReleaseWindow
	k.setOrder(ctx.Store, o)
	k.enqueue(ctx.Store, o)
	ctx.EmitEvent(PaidEvent{ID: o.ID, State: o.State.String(), Merchant: o.Merchant, Acceptor: o.Acceptor,
		PaymentRef: o.PaymentRef, ReleaseDeadline: o.Deadline})
	return k.pauseIfFrozen(ctx, o) // a frozen acceptor's release window waits for its unfreeze
}

// split divides an order's escrow on release.
func split(o *Order, commission bool) (toMerchant, comm, fee uint64, err error) {
	if fee, err = types.MulDiv(o.Amount, o.FeeBps, 10_000); err != nil {
		return
	}
	if commission {
		if comm, err = types.MulDiv(o.Amount, o.CommissionBps, 10_000); err != nil {
			return
		}
	}
	rest, err := types.SubAmount(o.Amount, fee)
	if err != nil {
		return
	}
	toMerchant, err = types.SubAmount(rest, comm)
	return
}

// payout moves an order's escrow: toMerchant to the merchant, fee to the
// treasury, comm back to the acceptor's float; the acceptor's locked float
// shrinks by the whole amount.
func (k Keeper) payout(ctx *core.Context, o *Order, toMerchant, comm, fee uint64) error {
	st := ctx.Store
	if toMerchant > 0 {
		if err := k.bank.Send(st, EscrowAddress, o.Merchant, toMerchant); err != nil {
			return err
		}
	}
	if fee > 0 {
		if err := k.bank.Send(st, EscrowAddress, k.bank.GetParams(st).Treasury, fee); err != nil {
			return err
		}
	}
	if err := k.acceptors.Unlock(st, o.Acceptor, comm, EscrowAddress); err != nil {
		return err
	}
	return k.acceptors.Settle(st, o.Acceptor, o.Amount-comm)
}

// Confirm is the acceptor's confirmation that the fiat arrived: PAID →
// COMPLETED, releasing the escrow to the merchant minus the acceptor's
// commission (back to its float) and the platform fee (to the treasury).
func (k Keeper) Confirm(ctx *core.Context, id types.Hash) error {
	o, err := k.load(ctx, id, StatePaid)
	if err != nil {
		return err
	}
	if ctx.Sender != o.Acceptor {
		return wrap(o.ID, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotAcceptor))
	}
	toMerchant, comm, fee, err := split(o, true)
	if err != nil {
		return wrap(o.ID, err)
	}
	if err := k.payout(ctx, o, toMerchant, comm, fee); err != nil {
		return wrap(o.ID, err)
	}
	now := ctx.Block.Time
	release := now - o.PaidAt
	k.dequeue(ctx.Store, o)
	transition(o, StateCompleted)
	o.ClosedAt = now
	k.setOrder(ctx.Store, o)
	if err := k.acceptors.RecordCompletion(ctx, o.Acceptor, o.Merchant, release); err != nil {
		return wrap(o.ID, err)
	}
	if err := k.observe(ctx, o); err != nil {
		return wrap(o.ID, err)
	}
	ctx.EmitEvent(CompletedEvent{ID: o.ID, State: o.State.String(), Merchant: o.Merchant, Acceptor: o.Acceptor, Amount: o.Amount,
		ToMerchant: toMerchant, Commission: comm, Fee: fee, ReleaseMs: release})
	return nil
}

// Cancel is the merchant withdrawing a locked, unpaid order: LOCKED →
// CANCELLED, escrow back to the acceptor's float. A merchant may cancel at
// most max_cancels_per_day orders per UTC day of block time.
func (k Keeper) Cancel(ctx *core.Context, id types.Hash) error {
	o, err := k.load(ctx, id, StateLocked)
	if err != nil {
		return err
	}
	if ctx.Sender != o.Merchant {
		return wrap(o.ID, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotMerchant))
	}
	st, now := ctx.Store, ctx.Block.Time
	n := k.CancelsToday(st, o.Merchant, now)
	if limit := k.Params(st).MaxCancelsPerDay; n >= limit {
		return wrap(o.ID, fmt.Errorf("%d of %d today: %w", n, limit, ErrCancelLimit))
	}
	if err := k.acceptors.Unlock(st, o.Acceptor, o.Amount, EscrowAddress); err != nil {
		return wrap(o.ID, err)
	}
	k.setCancels(st, o.Merchant, now, n+1)
	k.dequeue(st, o)
	transition(o, StateCancelled)
	o.ClosedAt = now
	k.setOrder(st, o)
	if err := k.observe(ctx, o); err != nil {
		return wrap(o.ID, err)
	}
	ctx.EmitEvent(CancelledEvent{ID: o.ID, State: o.State.String(), Merchant: o.Merchant, Acceptor: o.Acceptor,
		Amount: o.Amount, CancelsToday: n + 1})
	return nil
}

// Extend lets the acceptor add extend_by_ms to the payment window, once,
// and only when less than extend_threshold_ms of it remains.
func (k Keeper) Extend(ctx *core.Context, id types.Hash) error {
	o, err := k.load(ctx, id, StateLocked)
	if err != nil {
		return err
	}
	if ctx.Sender != o.Acceptor {
		return wrap(o.ID, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotAcceptor))
	}
	if k.frozen(ctx.Store, ctx.Sender) {
		return wrap(o.ID, fmt.Errorf("acceptor %s: %w", ctx.Sender.Hex(), ErrFrozen))
	}
	if o.Extended {
		return wrap(o.ID, ErrAlreadyExtended)
	}
	p := k.Params(ctx.Store)
	if left := o.TimeLeft(ctx.Block.Time); left >= p.ExtendThreshold {
		return wrap(o.ID, fmt.Errorf("%d ms left, extension allowed below %d: %w", left, p.ExtendThreshold, ErrTooEarlyToExtend))
	}
	o.Extended = true
	if o.Paused { // the merchant is frozen: the extension waits in the remainder
		o.Remaining += p.ExtendBy
		k.setOrder(ctx.Store, o)
		ctx.EmitEvent(ExtendedEvent{ID: o.ID, State: o.State.String(), Acceptor: o.Acceptor, RemainingMs: o.Remaining})
		return nil
	}
	ctx.Store.Delete(queueKey(o.Deadline, o.ID))
	o.Deadline += p.ExtendBy
	k.setOrder(ctx.Store, o)
	ctx.Store.Set(queueKey(o.Deadline, o.ID), []byte{})
	ctx.EmitEvent(ExtendedEvent{ID: o.ID, State: o.State.String(), Acceptor: o.Acceptor, PayDeadline: o.Deadline})
	return nil
}

// Dispute is a party contesting a paid order: PAID → DISPUTED. The escrow
// stays locked until arbitration calls ResolveRelease or ResolveRefund.
// Unlike other actions it is accepted after the release deadline, because
// the timeout it would race leads to the same state.
func (k Keeper) Dispute(ctx *core.Context, m *MsgDispute) error {
	o, err := k.GetOrder(ctx.Store, m.ID)
	if err != nil {
		return err
	}
	if o.State != StatePaid {
		return wrongState(o, StatePaid)
	}
	var by string
	switch ctx.Sender {
	case o.Merchant:
		by = "merchant"
	case o.Acceptor:
		by = "acceptor"
	default:
		return wrap(o.ID, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotParty))
	}
	return k.dispute(ctx, o, by, m.Evidence)
}

func (k Keeper) dispute(ctx *core.Context, o *Order, by string, evidence types.Hash) error {
	if err := k.acceptors.RecordDisputeOpened(ctx, o.Acceptor); err != nil {
		return wrap(o.ID, err)
	}
	k.dequeue(ctx.Store, o)
	transition(o, StateDisputed)
	k.setOrder(ctx.Store, o)
	if k.hook != nil {
		if err := k.hook.OrderDisputed(ctx, o); err != nil {
			return wrap(o.ID, err)
		}
	}
	ctx.EmitEvent(DisputedEvent{ID: o.ID, State: o.State.String(), Merchant: o.Merchant, Acceptor: o.Acceptor, By: by, Evidence: evidence})
	return nil
}

// ResolveRelease closes a dispute in the merchant's favour (arbitration
// calls it): DISPUTED → RESOLVED_RELEASE. The merchant receives the escrow
// minus the platform fee (the losing acceptor forfeits its commission) plus
// dispute_slash_bps of the amount slashed from the acceptor's margin.
func (k Keeper) ResolveRelease(ctx *core.Context, id types.Hash) error {
	o, err := k.GetOrder(ctx.Store, id)
	if err != nil {
		return err
	}
	if o.State != StateDisputed {
		return wrongState(o, StateDisputed)
	}
	toMerchant, _, fee, err := split(o, false)
	if err != nil {
		return wrap(o.ID, err)
	}
	if err := k.payout(ctx, o, toMerchant, 0, fee); err != nil {
		return wrap(o.ID, err)
	}
	slash, err := types.MulDiv(o.Amount, k.Params(ctx.Store).DisputeSlashBps, 10_000)
	if err != nil {
		return wrap(o.ID, err)
	}
	slashed, err := k.acceptors.Slash(ctx, o.Acceptor, o.Merchant, slash)
	if err != nil {
		return wrap(o.ID, err)
	}
	if err := k.acceptors.RecordDisputeClosed(ctx, o.Acceptor, false); err != nil {
		return wrap(o.ID, err)
	}
	transition(o, StateResolvedRelease)
	o.ClosedAt = ctx.Block.Time
	k.setOrder(ctx.Store, o)
	if err := k.observe(ctx, o); err != nil {
		return wrap(o.ID, err)
	}
	ctx.EmitEvent(ResolvedReleaseEvent{ID: o.ID, State: o.State.String(), Merchant: o.Merchant, Acceptor: o.Acceptor,
		ToMerchant: toMerchant, Fee: fee, Slashed: slashed})
	return nil
}

// ResolveRefund closes a dispute in the acceptor's favour (arbitration
// calls it): DISPUTED → RESOLVED_REFUND, escrow back to its float.
func (k Keeper) ResolveRefund(ctx *core.Context, id types.Hash) error {
	o, err := k.GetOrder(ctx.Store, id)
	if err != nil {
		return err
	}
	if o.State != StateDisputed {
		return wrongState(o, StateDisputed)
	}
	if err := k.acceptors.Unlock(ctx.Store, o.Acceptor, o.Amount, EscrowAddress); err != nil {
		return wrap(o.ID, err)
	}
	if err := k.acceptors.RecordDisputeClosed(ctx, o.Acceptor, true); err != nil {
		return wrap(o.ID, err)
	}
	transition(o, StateResolvedRefund)
	o.ClosedAt = ctx.Block.Time
	k.setOrder(ctx.Store, o)
	if err := k.observe(ctx, o); err != nil {
		return wrap(o.ID, err)
	}
	ctx.EmitEvent(ResolvedRefundEvent{ID: o.ID, State: o.State.String(), Merchant: o.Merchant, Acceptor: o.Acceptor, Amount: o.Amount})
	return nil
}

// ResolveSplit closes a dispute with an arbitrated division of the escrow
// (arbitration calls it): DISPUTED → RESOLVED_SPLIT. toMerchant and
// toAcceptor must add up to the escrow exactly. The platform fee
// (fee_bps, fixed at creation) comes out of the merchant's part, as on
// RESOLVED_RELEASE; the acceptor's part returns to its float. If
// acceptorLost, dispute_slash_bps of the amount (at most the margin) is
// slashed from the acceptor's margin to the merchant, as on
// RESOLVED_RELEASE.
func (k Keeper) ResolveSplit(ctx *core.Context, id types.Hash, toMerchant, toAcceptor uint64, acceptorLost bool) error {
	o, err := k.GetOrder(ctx.Store, id)
	if err != nil {
		return err
	}
	if o.State != StateDisputed {
		return wrongState(o, StateDisputed)
	}
	if sum, err := types.AddAmount(toMerchant, toAcceptor); err != nil || sum != o.Amount {
		return wrap(o.ID, fmt.Errorf("%d + %d, escrow %d: %w", toMerchant, toAcceptor, o.Amount, ErrBadSplit))
	}
	fee, err := types.MulDiv(toMerchant, o.FeeBps, 10_000)
	if err != nil {
		return wrap(o.ID, err)
	}
	if err := k.payout(ctx, o, toMerchant-fee, toAcceptor, fee); err != nil {
		return wrap(o.ID, err)
	}
	var slashed uint64
	if acceptorLost {
		slash, err := types.MulDiv(o.Amount, k.Params(ctx.Store).DisputeSlashBps, 10_000)
		if err != nil {
			return wrap(o.ID, err)
		}
		if slashed, err = k.acceptors.Slash(ctx, o.Acceptor, o.Merchant, slash); err != nil {
			return wrap(o.ID, err)
		}
	}
	if err := k.acceptors.RecordDisputeClosed(ctx, o.Acceptor, !acceptorLost); err != nil {
		return wrap(o.ID, err)
	}
	transition(o, StateResolvedSplit)
	o.ClosedAt = ctx.Block.Time
	k.setOrder(ctx.Store, o)
	if err := k.observe(ctx, o); err != nil {
		return wrap(o.ID, err)
	}
	ctx.EmitEvent(ResolvedSplitEvent{ID: o.ID, State: o.State.String(), Merchant: o.Merchant, Acceptor: o.Acceptor,
		ToMerchant: toMerchant - fee, ToAcceptor: toAcceptor, Fee: fee, Slashed: slashed})
	return nil
}

// expire is the payment window passing: LOCKED → EXPIRED, escrow back to
// the acceptor's float.
func (k Keeper) expire(ctx *core.Context, o *Order) error {
	if err := k.acceptors.Unlock(ctx.Store, o.Acceptor, o.Amount, EscrowAddress); err != nil {
		return wrap(o.ID, err)
	}
	if err := k.acceptors.RecordExpiry(ctx, o.Acceptor); err != nil {
		return wrap(o.ID, err)
	}
	k.dequeue(ctx.Store, o)
	transition(o, StateExpired)
	o.ClosedAt = ctx.Block.Time
	k.setOrder(ctx.Store, o)
	if err := k.observe(ctx, o); err != nil {
		return wrap(o.ID, err)
	}
	ctx.EmitEvent(ExpiredEvent{ID: o.ID, State: o.State.String(), Merchant: o.Merchant, Acceptor: o.Acceptor, Amount: o.Amount})
	return nil
}

// BeginBlock processes due timers in (deadline, order ID) order, at most
// max_timeouts_per_block of them; the rest stay queued for the next block.
// LOCKED orders past their payment deadline expire; PAID orders past their
// release deadline become DISPUTED (a timeout never releases escrow).
func (k Keeper) BeginBlock(ctx *core.Context) error {
	limit := k.Params(ctx.Store).MaxTimeouts
	due := k.PendingTimeouts(ctx.Store, ctx.Block.Time, int(min(limit, 1<<30)))
	for _, t := range due {
		o, err := k.GetOrder(ctx.Store, t.ID)
		if err != nil {
			return err
		}
		if o.Deadline != t.Deadline {
			return wrap(o.ID, fmt.Errorf("queued for %d, deadline %d: %w", t.Deadline, o.Deadline, ErrCorrupt))
		}
		switch o.State {
		case StateLocked:
			err = k.expire(ctx, o)
		case StatePaid:
			err = k.dispute(ctx, o, "timeout", types.Hash{})
		default:
			err = wrap(o.ID, fmt.Errorf("queued in state %s: %w", o.State, ErrCorrupt))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
