package lightclient

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrFrozen         = errors.New("light client frozen after conflicting headers")
	ErrNotFrozen      = errors.New("light client is not frozen")
	ErrWrongChain     = errors.New("header of another chain")
	ErrCertMismatch   = errors.New("certificate is not for this header")
	ErrUnknownSet     = errors.New("header's validator set is not the one known for its height")
	ErrBeforeTrust    = errors.New("height at or below the trusted genesis height")
	ErrKnownHeader    = errors.New("header already stored")
	ErrNoHeader       = errors.New("no trusted header at this height")
	ErrBadChange      = errors.New("invalid validator-set change proof")
	ErrChangeTooLate  = errors.New("validator-set change for a height already trusted")
	ErrNotInitialized = errors.New("light client not initialized")
	ErrBadGenesis     = errors.New("invalid light client genesis")
	ErrCorrupt        = errors.New("corrupt light client state")
)
