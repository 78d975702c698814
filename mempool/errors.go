package mempool

import "errors"

// Admission errors. Each is returned wrapped with the specifics, e.g.
// "nonce too low: nonce 3 already used (account nonce is 5)". Decoding,
// chain ID and signature failures wrap the types package's sentinels
// (types.ErrMalformedTx, types.ErrWrongChainID, types.ErrBadSignature).
var (
	ErrTooLarge          = errors.New("transaction too large")
	ErrFeeTooLow         = errors.New("fee too low")
	ErrBadPayload        = errors.New("invalid payload")
	ErrAlreadyKnown      = errors.New("transaction already in mempool")
	ErrNonceTooLow       = errors.New("nonce too low")
	ErrNonceTooHigh      = errors.New("nonce too high")
	ErrNonceTaken        = errors.New("nonce already pending")
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrSenderFull        = errors.New("too many pending transactions from sender")
	ErrPoolFull          = errors.New("mempool full")
	ErrStateUnavailable  = errors.New("account state unavailable")
)
