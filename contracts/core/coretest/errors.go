package coretest

import "errors"

// Sentinel errors.
var (
	ErrZero    = errors.New("zero ping")
	ErrTooMuch = errors.New("ping above max_add")
)
