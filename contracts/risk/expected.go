package risk

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Roles tells whether an account holds a gov role (gov.Keeper).
type Roles interface {
	HasRole(st state.Store, a types.Address, r gov.Role) bool
}

// ParamStore is gov's parameter store.
type ParamStore = core.ParamStore

var (
	_ Roles      = gov.Keeper{}
	_ ParamStore = gov.Keeper{}
)
