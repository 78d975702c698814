package acceptor

import "errors"

// Sentinel errors; callers test with errors.Is. Handlers wrap them with the
// acceptor's address and the numbers involved.
var (
	ErrNotRegistered      = errors.New("not a registered acceptor")
	ErrAlreadyRegistered  = errors.New("already registered as an acceptor")
	ErrNoKYC              = errors.New("no valid KYC attestation at the required level")
	ErrKYCLimit           = errors.New("amount above the KYC level's order limit")
	ErrFrozen             = errors.New("account is frozen")
	ErrPaused             = errors.New("acceptor is paused")
	ErrNotPaused          = errors.New("acceptor is not paused")
	ErrAlreadyActive      = errors.New("acceptor is already active")
	ErrBadCurrency        = errors.New("malformed or unsupported currency")
	ErrCurrencyOrder      = errors.New("currencies must be strictly ascending (sorted, no duplicates)")
	ErrTooManyCurrencies  = errors.New("too many currencies")
	ErrNoCurrencies       = errors.New("at least one currency is required")
	ErrBadMethod          = errors.New("malformed payment method")
	ErrTooManyMethods     = errors.New("too many payment methods")
	ErrMissingMethod      = errors.New("every currency needs a payment method")
	ErrBadOrderBounds     = errors.New("per-order maximum is below the minimum")
	ErrZeroAmount         = errors.New("amount must be positive")
	ErrInsufficientFloat  = errors.New("insufficient free float")
	ErrInsufficientMargin = errors.New("insufficient margin")
	ErrMarginTooLow       = errors.New("margin below the required share of trailing-24h volume")
	ErrOpenDisputes       = errors.New("margin is held while disputes are open")
	ErrOrderBounds        = errors.New("amount outside the acceptor's per-order bounds")
	ErrOrderLimit         = errors.New("amount above the acceptor's per-order limit")
	ErrDailyLimit         = errors.New("trailing-24h volume would exceed the acceptor's daily limit")
	ErrNotSupported       = errors.New("acceptor does not support the currency")
	ErrBadParam           = errors.New("invalid acceptor parameter")
	ErrCorrupt            = errors.New("corrupt acceptor state")
)
