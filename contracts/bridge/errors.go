package bridge

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrNotSigner       = errors.New("sender is not a bridge signer")
	ErrAlreadyAttested = errors.New("signer already attested this")
	ErrAlreadyMinted   = errors.New("deposit already minted")
	ErrAlreadyReleased = errors.New("burn already released")
	ErrPaused          = errors.New("bridge paused")
	ErrNotPaused       = errors.New("bridge not paused")
	ErrCapExceeded     = errors.New("daily withdrawal cap exceeded")
	ErrWrongState      = errors.New("wrong state for this action")
	ErrNotFound        = errors.New("no such record")
	ErrChainHalted     = errors.New("side chain halted: releases stopped")
	ErrNotCovered      = errors.New("block not covered by an anchored checkpoint")
	ErrWrongEvent      = errors.New("proven event is not a burn")
	ErrEscrowShort     = errors.New("release exceeds what was locked for the side chain")
	ErrZeroAmount      = errors.New("amount must be positive")
	ErrZeroField       = errors.New("required field is zero")
	ErrBadChainID      = errors.New("malformed chain ID")
	ErrBadParam        = errors.New("invalid bridge parameter")
	ErrCorrupt         = errors.New("corrupt bridge state")
)
