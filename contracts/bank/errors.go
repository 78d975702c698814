package bank

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrZeroAmount        = errors.New("amount must be positive")
	ErrZeroRecipient     = errors.New("recipient is the zero address: nobody holds its key, so the funds would be burned")
	ErrBadNonce          = errors.New("bad nonce")
	ErrFeeTooLow         = errors.New("fee below minimum")
	ErrCannotPayFee      = errors.New("balance cannot pay the fee")
	ErrOverflow          = errors.New("balance overflow")
	ErrBlockedRecipient  = errors.New("recipient is a module account that only its module may credit")
)
