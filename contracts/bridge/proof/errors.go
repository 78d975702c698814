package proof

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrMalformed  = errors.New("malformed proof")
	ErrZeroRoot   = errors.New("zero or empty-tree root")
	ErrBadPath    = errors.New("Merkle path does not verify")
	ErrWrongChain = errors.New("proof is for another chain")
	ErrOutOfRange = errors.New("height outside the checkpoint's range")
	ErrNoEvent    = errors.New("no such event in the receipt")
	ErrFailedTx   = errors.New("receipt of a failed transaction")
)
