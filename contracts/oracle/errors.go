package oracle

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrUnknownCurrency = errors.New("unknown currency")
	ErrNoRate          = errors.New("no rate posted")
	ErrStaleRate       = errors.New("rate is stale")
	ErrZeroRate        = errors.New("rate must be positive")
	ErrBadRate         = errors.New("malformed rate")
	ErrNotOracle       = errors.New("sender is not an oracle")
	ErrNoPosts         = errors.New("no rates in message")
	ErrTooManyPosts    = errors.New("too many rates in one message")
	ErrDuplicate       = errors.New("currency posted twice in one message")
	ErrZeroAmount      = errors.New("amount is zero or converts to zero")
	ErrOverflow        = errors.New("conversion overflows")
	ErrBadGenesis      = errors.New("invalid oracle genesis")
)
