package channel

import "errors"

// Sentinel errors; callers test with errors.Is. Handlers wrap them with the
// channel ID and the values involved.
var (
	ErrNotFound      = errors.New("no such channel")
	ErrWrongState    = errors.New("wrong channel state for this action")
	ErrNotPayer      = errors.New("only the channel's payer may do this")
	ErrNotPayee      = errors.New("only the channel's payee may do this")
	ErrNotParty      = errors.New("only the channel's payer or payee may do this")
	ErrSelfChannel   = errors.New("payer and payee must differ")
	ErrZeroPayee     = errors.New("payee must be set")
	ErrZeroAmount    = errors.New("amount must be positive")
	ErrDepositTooLow = errors.New("deposit below the minimum")
	ErrBadExpiry     = errors.New("expiry outside the allowed range")
	ErrExpired       = errors.New("the channel has expired")
	ErrWindowClosed  = errors.New("the redemption window has passed")
	ErrTooEarly      = errors.New("the redemption window is still open")
	ErrTooManyOpen   = errors.New("payer has too many open channels")
	ErrBadVoucher    = errors.New("malformed voucher")
	ErrBadSignature  = errors.New("voucher not signed by the channel's payer")
	ErrStaleVoucher  = errors.New("voucher does not advance the redeemed amount and nonce")
	ErrOverDeposit   = errors.New("voucher amount exceeds the channel's deposit")
	ErrOverflow      = errors.New("amount overflow")
	ErrFrozen        = errors.New("account is frozen")
	ErrZeroID        = errors.New("channel ID must be set")
	ErrBadParam      = errors.New("invalid channel parameter")
	ErrCorrupt       = errors.New("corrupt channel state")
	ErrWrongChain    = errors.New("voucher for another chain")
	ErrWrongChannel  = errors.New("voucher for another channel")
	ErrVoucherTooBig = errors.New("voucher encoding too large")
	ErrNotTracked    = errors.New("channel not tracked by this receiver")
)
