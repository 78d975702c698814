package order

import "errors"

// Sentinel errors; callers test with errors.Is. Handlers wrap them with the
// order ID and the values involved ("order 0x…: PAID: wrong state").
var (
	ErrNotFound         = errors.New("no such order")
	ErrDuplicateRef     = errors.New("merchant order reference already used")
	ErrWrongState       = errors.New("wrong state for this action")
	ErrNotMerchant      = errors.New("only the order's merchant may do this")
	ErrNotAcceptor      = errors.New("only the order's acceptor may do this")
	ErrNotParty         = errors.New("only the order's merchant or acceptor may do this")
	ErrWindowClosed     = errors.New("the window for this action has passed")
	ErrAlreadyExtended  = errors.New("the payment window was already extended")
	ErrTooEarlyToExtend = errors.New("the payment window can only be extended near its end")
	ErrCancelLimit      = errors.New("daily cancellation limit reached")
	ErrNoKYC            = errors.New("merchant has no valid KYC attestation at the required level")
	ErrKYCLimit         = errors.New("amount above the merchant's KYC level limit")
	ErrFrozen           = errors.New("account is frozen")
	ErrRate             = errors.New("no usable fiat rate")
	ErrAmountTooSmall   = errors.New("order amount below the minimum")
	ErrBadCurrency      = errors.New("malformed currency")
	ErrZeroFiat         = errors.New("fiat amount must be positive")
	ErrBadRef           = errors.New("malformed merchant order reference")
	ErrZeroPaymentRef   = errors.New("payment reference hash must be set")
	ErrZeroID           = errors.New("order ID must be set")
	ErrBadParam         = errors.New("invalid order parameter")
	ErrCorrupt          = errors.New("corrupt order state")
	ErrBadSplit         = errors.New("payouts do not sum to the escrow")
)
