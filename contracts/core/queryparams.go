package core

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/types"
)

// HashParam decodes JSON-RPC params that are exactly one 0x-hex hash (an
// ID), for query handlers; a wrong shape wraps ErrInvalidQuery.
func HashParam(method string, params json.RawMessage) (types.Hash, error) {
	var args []string
	if err := json.Unmarshal(params, &args); err != nil || len(args) != 1 {
		return types.Hash{}, fmt.Errorf("%w: %s takes one ID", ErrInvalidQuery, method)
	}
	h, err := types.ParseHash(args[0])
	if err != nil {
		return types.Hash{}, fmt.Errorf("%w: %s: %v", ErrInvalidQuery, method, err)
	}
	return h, nil
}

// AddressParam decodes JSON-RPC params that are exactly one 0x-hex
// address; a wrong shape wraps ErrInvalidQuery.
func AddressParam(method string, params json.RawMessage) (types.Address, error) {
	var args []string
	if err := json.Unmarshal(params, &args); err != nil || len(args) != 1 {
		return types.Address{}, fmt.Errorf("%w: %s takes one address", ErrInvalidQuery, method)
	}
	a, err := types.ParseAddress(args[0])
	if err != nil {
		return types.Address{}, fmt.Errorf("%w: %s: %v", ErrInvalidQuery, method, err)
	}
	return a, nil
}

// DecodeParams decodes JSON-RPC params (an array, possibly empty or null)
// into dst in order: at least required of them, at most len(dst). A wrong
// shape wraps ErrInvalidQuery.
func DecodeParams(method string, params json.RawMessage, required int, dst ...any) error {
	var arr []json.RawMessage
	if s := string(bytes.TrimSpace(params)); s != "" && s != "null" {
		if err := json.Unmarshal(params, &arr); err != nil {
			return fmt.Errorf("%w: %s: params must be an array", ErrInvalidQuery, method)
		}
	}
	if len(arr) < required || len(arr) > len(dst) {
		return fmt.Errorf("%w: %s: want %d to %d params, got %d", ErrInvalidQuery, method, required, len(dst), len(arr))
	}
	for i, a := range arr {
		if err := json.Unmarshal(a, dst[i]); err != nil {
			return fmt.Errorf("%w: %s: param %d: %v", ErrInvalidQuery, method, i, err)
		}
	}
	return nil
}

// Limits of the list queries.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// ListLimit is a list query's page size: 0 means DefaultListLimit; more
// than MaxListLimit, or negative, wraps ErrInvalidQuery.
func ListLimit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultListLimit, nil
	case n < 0 || n > MaxListLimit:
		return 0, fmt.Errorf("%w: limit %d: want 1 to %d", ErrInvalidQuery, n, MaxListLimit)
	}
	return n, nil
}

// Invalid marks err as ErrInvalidQuery, keeping its message.
func Invalid(err error) error { return queryError{ErrInvalidQuery, err} }

// NotFound marks err as ErrNotFound, keeping its message.
func NotFound(err error) error { return queryError{ErrNotFound, err} }

// queryError is err classified as kind for the API's codes; its message
// is err's alone.
type queryError struct{ kind, err error }

func (e queryError) Error() string   { return e.err.Error() }
func (e queryError) Unwrap() []error { return []error{e.kind, e.err} }
