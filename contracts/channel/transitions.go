package channel

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/types"
)

func wrap(id types.Hash, err error) error { return fmt.Errorf("channel %s: %w", id.Hex(), err) }

// checkExpiry bounds an expiry to (now, now + max_expiry_ms] and makes sure
// expiry + challenge cannot wrap.
func checkExpiry(expiry, now, challenge uint64, p Params) error {
	limit, err := types.AddAmount(now, p.MaxExpiry)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadExpiry, err)
	}
	if expiry <= now || expiry > limit {
		return fmt.Errorf("%w: %d not in (%d, %d]", ErrBadExpiry, expiry, now, limit)
	}
	if _, err := types.AddAmount(expiry, challenge); err != nil {
		return fmt.Errorf("%w: %w", ErrBadExpiry, err)
	}
	return nil
}

// Open moves the deposit from the payer into escrow and opens a channel to
// the payee. The channel's challenge period is the current parameter.
func (k Keeper) Open(ctx *core.Context, m *MsgOpen) (*Channel, error) {
	st, now, payer := ctx.Store, ctx.Block.Time, ctx.Sender
	if payer == m.Payee {
		return nil, ErrSelfChannel
	}
	if m.Payee == EscrowAddress {
		return nil, fmt.Errorf("payee is the escrow account: %w", ErrSelfChannel)
	}
	if k.frozen(st, payer) {
		return nil, fmt.Errorf("payer %s: %w", payer.Hex(), ErrFrozen)
	}
	p := k.Params(st)
	if m.Deposit < p.MinDeposit {
		return nil, fmt.Errorf("%s USDT < %s: %w", types.FormatUSDT(m.Deposit), types.FormatUSDT(p.MinDeposit), ErrDepositTooLow)
	}
	if err := checkExpiry(m.Expiry, now, p.Challenge, p); err != nil {
		return nil, err
	}
	open := k.OpenCount(st, payer)
	if open >= p.MaxOpen {
		return nil, fmt.Errorf("%d of %d: %w", open, p.MaxOpen, ErrTooManyOpen)
	}
	seq := k.ChannelCount(st, payer) + 1
	c := &Channel{ID: ChannelID(payer, seq), Seq: seq, Payer: payer, Payee: m.Payee, Deposit: m.Deposit,
		Expiry: m.Expiry, Challenge: p.Challenge, State: StateOpen, OpenedAt: now}
	if err := k.bank.Send(st, payer, EscrowAddress, m.Deposit); err != nil {
		return nil, wrap(c.ID, err)
	}
	store.SetU64(st, slices.Concat(prefixCount, payer[:]), seq)
	store.SetU64(st, slices.Concat(prefixOpen, payer[:]), open+1)
	st.Set(slices.Concat(prefixPayer, payer[:], store.BE64(seq)), c.ID[:])
	st.Set(slices.Concat(prefixPayee, c.Payee[:], c.ID[:]), []byte{})
	k.setChannel(st, c)
	ctx.EmitEvent(OpenedEvent{ID: c.ID, State: c.State.String(), Payer: payer, Payee: c.Payee, Deposit: c.Deposit, Expiry: c.Expiry, ChallengeMs: c.Challenge})
	return c, nil
}

// payerAction loads an OPEN, unexpired channel for an action of its
// payer that commits more (top-up, extend): refused to a frozen payer.
func (k Keeper) payerAction(ctx *core.Context, id types.Hash) (*Channel, error) {
	c, err := k.GetChannel(ctx.Store, id)
	if err != nil {
		return nil, err
	}
	if ctx.Sender != c.Payer {
		return nil, wrap(id, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotPayer))
	}
	if c.State != StateOpen {
		return nil, wrap(id, fmt.Errorf("%s, needs OPEN: %w", c.State, ErrWrongState))
	}
	if ctx.Block.Time >= c.Expiry {
		return nil, wrap(id, fmt.Errorf("expiry %d at block time %d: %w", c.Expiry, ctx.Block.Time, ErrExpired))
	}
	if k.frozen(ctx.Store, c.Payer) {
		return nil, wrap(id, fmt.Errorf("payer %s: %w", c.Payer.Hex(), ErrFrozen))
	}
	return c, nil
}

// TopUp adds to an open channel's deposit.
func (k Keeper) TopUp(ctx *core.Context, m *MsgTopUp) error {
	c, err := k.payerAction(ctx, m.ID)
	if err != nil {
		return err
	}
	dep, err := types.AddAmount(c.Deposit, m.Amount)
	if err != nil {
		return wrap(c.ID, fmt.Errorf("%w: %w", ErrOverflow, err))
	}
	if err := k.bank.Send(ctx.Store, c.Payer, EscrowAddress, m.Amount); err != nil {
		return wrap(c.ID, err)
	}
	c.Deposit = dep
	k.setChannel(ctx.Store, c)
	ctx.EmitEvent(ToppedUpEvent{ID: c.ID, State: c.State.String(), Payer: c.Payer, Amount: m.Amount, Deposit: c.Deposit})
	return nil
}

// Extend moves an open channel's expiry later (never earlier: the payee
// relies on it).
func (k Keeper) Extend(ctx *core.Context, m *MsgExtend) error {
	c, err := k.payerAction(ctx, m.ID)
	if err != nil {
		return err
	}
	if m.Expiry <= c.Expiry {
		return wrap(c.ID, fmt.Errorf("%w: %d not after %d", ErrBadExpiry, m.Expiry, c.Expiry))
	}
	if err := checkExpiry(m.Expiry, ctx.Block.Time, c.Challenge, k.Params(ctx.Store)); err != nil {
		return wrap(c.ID, err)
	}
	c.Expiry = m.Expiry
	k.setChannel(ctx.Store, c)
	ctx.EmitEvent(ExtendedEvent{ID: c.ID, State: c.State.String(), Payer: c.Payer, Expiry: c.Expiry})
	return nil
}

// Redeem pays the payee what the voucher adds over what was redeemed. The
// voucher must be signed by the payer for this chain and this channel,
// raise both the cumulative amount and the nonce, stay within the deposit,
// and arrive before RedeemUntil. A frozen payee may redeem: it receives
// value, it does not send it.
func (k Keeper) Redeem(ctx *core.Context, v *Voucher) (uint64, error) {
	c, err := k.GetChannel(ctx.Store, v.Channel)
	if err != nil {
		return 0, err
	}
	if ctx.Sender != c.Payee {
		return 0, wrap(c.ID, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotPayee))
	}
	if c.State == StateSettled {
		return 0, wrap(c.ID, fmt.Errorf("%s: %w", c.State, ErrWrongState))
	}
	if until := c.RedeemUntil(); ctx.Block.Time >= until {
		return 0, wrap(c.ID, fmt.Errorf("window ended %d, block time %d: %w", until, ctx.Block.Time, ErrWindowClosed))
	}
	if err := v.Verify(ctx.Block.ChainID, c.Payer); err != nil {
		return 0, wrap(c.ID, err)
	}
	if v.Amount > c.Deposit {
		return 0, wrap(c.ID, fmt.Errorf("%d > %d: %w", v.Amount, c.Deposit, ErrOverDeposit))
	}
	if v.Amount <= c.Redeemed || v.Nonce <= c.Nonce {
		return 0, wrap(c.ID, fmt.Errorf("voucher %d/nonce %d, redeemed %d/nonce %d: %w", v.Amount, v.Nonce, c.Redeemed, c.Nonce, ErrStaleVoucher))
	}
	pay := v.Amount - c.Redeemed
	if err := k.bank.Send(ctx.Store, EscrowAddress, c.Payee, pay); err != nil {
		return 0, wrap(c.ID, err)
	}
	c.Redeemed, c.Nonce = v.Amount, v.Nonce
	k.setChannel(ctx.Store, c)
	ctx.EmitEvent(RedeemedEvent{ID: c.ID, State: c.State.String(), Payee: c.Payee, Amount: pay, Redeemed: c.Redeemed, Nonce: c.Nonce})
	return pay, nil
}

// Close is the payer ending the channel early: the payee keeps redeeming
// for one challenge period (never past expiry plus the challenge period),
// then the payer settles. A frozen payer may close: it moves no value.
func (k Keeper) Close(ctx *core.Context, id types.Hash) error {
	c, err := k.GetChannel(ctx.Store, id)
	if err != nil {
		return err
	}
	if ctx.Sender != c.Payer {
		return wrap(id, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotPayer))
	}
	if c.State != StateOpen {
		return wrap(id, fmt.Errorf("%s, needs OPEN: %w", c.State, ErrWrongState))
	}
	now, until := ctx.Block.Time, c.RedeemUntil()
	if now >= until {
		return wrap(id, fmt.Errorf("window ended %d: settle instead: %w", until, ErrWindowClosed))
	}
	c.State, c.ClosesAt = StateClosing, min(now+c.Challenge, until)
	k.setChannel(ctx.Store, c)
	ctx.EmitEvent(ClosingEvent{ID: c.ID, State: c.State.String(), Payer: c.Payer, ClosesAt: c.ClosesAt})
	return nil
}

// Settle ends the channel and returns the unredeemed deposit to the payer,
// exactly once. The payee may settle at any time (giving up later
// vouchers); the payer only once the redemption window has passed.
func (k Keeper) Settle(ctx *core.Context, id types.Hash) error {
	st, now := ctx.Store, ctx.Block.Time
	c, err := k.GetChannel(st, id)
	if err != nil {
		return err
	}
	var by string
	switch ctx.Sender {
	case c.Payer:
		by = "payer"
	case c.Payee:
		by = "payee"
	default:
		return wrap(id, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotParty))
	}
	if c.State == StateSettled {
		return wrap(id, fmt.Errorf("%s: %w", c.State, ErrWrongState))
	}
	if until := c.RedeemUntil(); by == "payer" && now < until {
		return wrap(id, fmt.Errorf("window open until %d, block time %d: %w", until, now, ErrTooEarly))
	}
	rest := c.Remaining()
	if rest > 0 {
		if err := k.bank.Send(st, EscrowAddress, c.Payer, rest); err != nil {
			return wrap(id, err)
		}
	}
	openKey := slices.Concat(prefixOpen, c.Payer[:])
	n := store.GetU64(st, openKey)
	if n == 0 {
		return wrap(id, fmt.Errorf("open count of %s is 0: %w", c.Payer.Hex(), ErrCorrupt))
	}
	store.SetU64(st, openKey, n-1)
	c.State, c.SettledAt, c.Refunded = StateSettled, now, rest
	k.setChannel(st, c)
	ctx.EmitEvent(SettledEvent{ID: c.ID, State: c.State.String(), Payer: c.Payer, Payee: c.Payee, Redeemed: c.Redeemed, Refunded: rest, By: by})
	return nil
}
