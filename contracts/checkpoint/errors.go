package checkpoint

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrUnknownChain    = errors.New("side chain not registered")
	ErrChainExists     = errors.New("side chain already registered")
	ErrHalted          = errors.New("side chain halted after conflicting checkpoints")
	ErrNotHalted       = errors.New("side chain is not halted")
	ErrNotContiguous   = errors.New("checkpoint not contiguous with the last anchored one")
	ErrAlreadyAnchored = errors.New("checkpoint already anchored")
	ErrStaleSet        = errors.New("checkpoint not signed by the registered validator set")
	ErrBelowThreshold  = errors.New("signatures of at most 2/3 of the validator set")
	ErrUnsortedSigners = errors.New("signers not strictly sorted by validator index")
	ErrNotMember       = errors.New("signer is not in the validator set")
	ErrBadSignature    = errors.New("signature does not recover to the validator")
	ErrZeroRoot        = errors.New("checkpoint root or hash is zero")
	ErrBadRange        = errors.New("malformed checkpoint range")
	ErrBadChainID      = errors.New("malformed side chain ID")
	ErrBadValidators   = errors.New("invalid validator set")
	ErrNotFound        = errors.New("no such checkpoint")
	ErrCorrupt         = errors.New("corrupt checkpoint state")
)
