package pay

import "errors"

// Sentinel errors; callers test with errors.Is. Handlers wrap them with the
// payment ID and the values involved.
var (
	ErrNotFound        = errors.New("no such payment")
	ErrWrongState      = errors.New("wrong payment state for this action")
	ErrNotPayer        = errors.New("only the payment's payer may do this")
	ErrNotParty        = errors.New("only the payment's payer or payee may do this")
	ErrBadParties      = errors.New("payer, payee and attester must be three different accounts")
	ErrZeroAddress     = errors.New("payee and attester must be set")
	ErrZeroAmount      = errors.New("amount must be positive")
	ErrAmountTooSmall  = errors.New("amount below the minimum")
	ErrBadDeadline     = errors.New("deadline outside the allowed range")
	ErrDeadlinePassed  = errors.New("the payment's deadline has passed")
	ErrTooEarly        = errors.New("the payment's deadline has not passed")
	ErrTooManyOpen     = errors.New("payer has too many open payments")
	ErrBadOutcome      = errors.New("unknown outcome")
	ErrBadAttestation  = errors.New("malformed attestation")
	ErrWrongAttester   = errors.New("attestation not signed by the payment's attester")
	ErrBadPayouts      = errors.New("payouts do not sum to the escrow")
	ErrFrozen          = errors.New("account is frozen")
	ErrZeroID          = errors.New("payment ID must be set")
	ErrBadParam        = errors.New("invalid pay parameter")
	ErrCorrupt         = errors.New("corrupt payment state")
	ErrAttestationSize = errors.New("attestation encoding too large")
)
