package kyc

import (
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Gov is what kyc needs from the gov keeper: roles and the parameter store.
// gov.Keeper implements it.
type Gov interface {
	HasRole(st state.Store, a types.Address, r gov.Role) bool
	Param(st state.Store, module, key string) ([]byte, bool)
	ParamUint64(st state.Store, module, key string, def uint64) uint64
	SetParam(st state.Store, module, key string, value []byte) error
}

var _ Gov = gov.Keeper{}
