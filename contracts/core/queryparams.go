package core

import (
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
