package pay

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/types"
)

func wrap(id types.Hash, err error) error { return fmt.Errorf("payment %s: %w", id.Hex(), err) }

// Lock moves the amount from the payer into escrow.
func (k Keeper) Lock(ctx *core.Context, m *MsgLock) (*Payment, error) {
	st, now, payer := ctx.Store, ctx.Block.Time, ctx.Sender
	if payer == m.Payee || payer == m.Attester {
		return nil, fmt.Errorf("%w: payer %s", ErrBadParties, payer.Hex())
	}
	if m.Payee == EscrowAddress || m.Attester == EscrowAddress {
		return nil, fmt.Errorf("%w: escrow account", ErrBadParties)
	}
	if k.frozen(st, payer) {
		return nil, fmt.Errorf("payer %s: %w", payer.Hex(), ErrFrozen)
	}
	p := k.Params(st)
	if m.Amount < p.MinAmount {
		return nil, fmt.Errorf("%s USDT < %s: %w", types.FormatUSDT(m.Amount), types.FormatUSDT(p.MinAmount), ErrAmountTooSmall)
	}
	limit, err := types.AddAmount(now, p.MaxDeadline)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadDeadline, err)
	}
	if m.Deadline <= now || m.Deadline > limit {
		return nil, fmt.Errorf("%w: %d not in (%d, %d]", ErrBadDeadline, m.Deadline, now, limit)
	}
	open := k.OpenCount(st, payer)
	if open >= p.MaxOpen {
		return nil, fmt.Errorf("%d of %d: %w", open, p.MaxOpen, ErrTooManyOpen)
	}
	seq := k.PaymentCount(st, payer) + 1
	pm := &Payment{ID: PaymentID(payer, seq), Seq: seq, Payer: payer, Payee: m.Payee, Attester: m.Attester,
		Amount: m.Amount, Deadline: m.Deadline, State: StateLocked, CreatedAt: now}
	if err := k.bank.Send(st, payer, EscrowAddress, m.Amount); err != nil {
		return nil, wrap(pm.ID, err)
	}
	store.SetU64(st, slices.Concat(prefixCount, payer[:]), seq)
	store.SetU64(st, slices.Concat(prefixOpen, payer[:]), open+1)
	st.Set(slices.Concat(prefixPayer, payer[:], store.BE64(seq)), pm.ID[:])
	st.Set(slices.Concat(prefixPayee, pm.Payee[:], pm.ID[:]), []byte{})
	k.setPayment(st, pm)
	ctx.EmitEvent(LockedEvent{ID: pm.ID, State: pm.State.String(), Payer: payer, Payee: pm.Payee, Attester: pm.Attester, Amount: pm.Amount, Deadline: pm.Deadline})
	return pm, nil
}

// close pays the escrow out (toPayee + toPayer = amount, checked by the
// callers) and moves the payment to its final state, exactly once: every
// caller checked that the payment is open.
func (k Keeper) close(ctx *core.Context, p *Payment, to State, toPayee, toPayer uint64) error {
	st := ctx.Store
	if !p.State.Open() {
		return wrap(p.ID, fmt.Errorf("closing a %s payment: %w", p.State, ErrCorrupt))
	}
	if toPayee > 0 {
		if err := k.bank.Send(st, EscrowAddress, p.Payee, toPayee); err != nil {
			return wrap(p.ID, err)
		}
	}
	if toPayer > 0 {
		if err := k.bank.Send(st, EscrowAddress, p.Payer, toPayer); err != nil {
			return wrap(p.ID, err)
		}
	}
	openKey := slices.Concat(prefixOpen, p.Payer[:])
	n := store.GetU64(st, openKey)
	if n == 0 {
		return wrap(p.ID, fmt.Errorf("open count of %s is 0: %w", p.Payer.Hex(), ErrCorrupt))
	}
	store.SetU64(st, openKey, n-1)
	p.State, p.ClosedAt, p.ToPayee, p.ToPayer = to, ctx.Block.Time, toPayee, toPayer
	k.setPayment(st, p)
	return nil
}

// Attest applies the attester's signed outcome to a LOCKED payment before
// its deadline: "delivered" releases the escrow to the payee, "failed"
// refunds the payer. Anyone may submit it — the signature is the
// authority, so a carrier's oracle can sign off-chain and leave the
// submission (and its fee) to the party that wants the money to move.
func (k Keeper) Attest(ctx *core.Context, a *Attestation) error {
	p, err := k.GetPayment(ctx.Store, a.Payment)
	if err != nil {
		return err
	}
	if p.State != StateLocked {
		return wrap(p.ID, fmt.Errorf("%s, needs LOCKED: %w", p.State, ErrWrongState))
	}
	if now := ctx.Block.Time; now >= p.Deadline {
		return wrap(p.ID, fmt.Errorf("deadline %d at block time %d: %w", p.Deadline, now, ErrDeadlinePassed))
	}
	if err := a.Verify(ctx.Block.ChainID, p.Attester); err != nil {
		return wrap(p.ID, err)
	}
	p.Outcome = a.Outcome
	if a.Outcome == OutcomeDelivered {
		if err := k.close(ctx, p, StateReleased, p.Amount, 0); err != nil {
			return err
		}
		ctx.EmitEvent(ReleasedEvent{ID: p.ID, State: p.State.String(), Payee: p.Payee, Amount: p.Amount, Submitter: ctx.Sender})
		return nil
	}
	if err := k.close(ctx, p, StateRefunded, 0, p.Amount); err != nil {
		return err
	}
	ctx.EmitEvent(RefundedEvent{ID: p.ID, State: p.State.String(), Payer: p.Payer, Amount: p.Amount, Reason: "failed"})
	return nil
}

// Refund returns a LOCKED payment to its payer once its deadline has passed
// without an attestation.
func (k Keeper) Refund(ctx *core.Context, id types.Hash) error {
	p, err := k.GetPayment(ctx.Store, id)
	if err != nil {
		return err
	}
	if ctx.Sender != p.Payer {
		return wrap(id, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotPayer))
	}
	if p.State != StateLocked {
		return wrap(id, fmt.Errorf("%s, needs LOCKED: %w", p.State, ErrWrongState))
	}
	if now := ctx.Block.Time; now < p.Deadline {
		return wrap(id, fmt.Errorf("deadline %d, block time %d: %w", p.Deadline, now, ErrTooEarly))
	}
	if err := k.close(ctx, p, StateRefunded, 0, p.Amount); err != nil {
		return err
	}
	ctx.EmitEvent(RefundedEvent{ID: p.ID, State: p.State.String(), Payer: p.Payer, Amount: p.Amount, Reason: "expired"})
	return nil
}

// Dispute takes a LOCKED payment to arbitration (also after its deadline:
// a payee whose delivery the attester never confirmed may contest the
// refund). The escrow stays until Resolve.
func (k Keeper) Dispute(ctx *core.Context, m *MsgDispute) error {
	p, err := k.GetPayment(ctx.Store, m.ID)
	if err != nil {
		return err
	}
	var by string
	switch ctx.Sender {
	case p.Payer:
		by = "payer"
	case p.Payee:
		by = "payee"
	default:
		return wrap(p.ID, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotParty))
	}
	if p.State != StateLocked {
		return wrap(p.ID, fmt.Errorf("%s, needs LOCKED: %w", p.State, ErrWrongState))
	}
	p.State = StateDisputed
	k.setPayment(ctx.Store, p)
	if k.hook != nil {
		if err := k.hook.PaymentDisputed(ctx, p); err != nil {
			return wrap(p.ID, err)
		}
	}
	ctx.EmitEvent(DisputedEvent{ID: p.ID, State: p.State.String(), Payer: p.Payer, Payee: p.Payee, By: by, Evidence: m.Evidence})
	return nil
}

// Resolve closes a DISPUTED payment as arbitration decided: toPayee to the
// payee and toPayer to the payer, which must add up to the escrow exactly.
// The arbitration module calls it; no transaction reaches it directly.
func (k Keeper) Resolve(ctx *core.Context, id types.Hash, toPayee, toPayer uint64) error {
	p, err := k.GetPayment(ctx.Store, id)
	if err != nil {
		return err
	}
	if p.State != StateDisputed {
		return wrap(id, fmt.Errorf("%s, needs DISPUTED: %w", p.State, ErrWrongState))
	}
	if sum, err := types.AddAmount(toPayee, toPayer); err != nil || sum != p.Amount {
		return wrap(id, fmt.Errorf("%d + %d, escrow %d: %w", toPayee, toPayer, p.Amount, ErrBadPayouts))
	}
	if err := k.close(ctx, p, StateResolved, toPayee, toPayer); err != nil {
		return err
	}
	ctx.EmitEvent(ResolvedEvent{ID: p.ID, State: p.State.String(), Payer: p.Payer, Payee: p.Payee, ToPayee: toPayee, ToPayer: toPayer})
	return nil
}
