package risk

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrNotCompliance = errors.New("only a compliance officer may do this")
	ErrNotFrozen     = errors.New("account is not frozen")
	ErrFrozen        = errors.New("account is frozen")
	ErrZeroAccount   = errors.New("account must be set")
	ErrZeroReason    = errors.New("reason hash must be set")
	ErrBadParam      = errors.New("invalid risk parameter")
	ErrCorrupt       = errors.New("corrupt risk state")
)
