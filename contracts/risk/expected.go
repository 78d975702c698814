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

// FreezeHook hears of every freeze and unfreeze in the transaction (or
// block start) that makes it, after the change is recorded: the order
// module pauses and resumes the account's open orders' timers there
// (order.Keeper implements it). An error fails that transaction; a hook
// must only refuse on corrupt state, since a freeze can come from a rule
// on the timer path.
type FreezeHook interface {
	AccountFrozen(ctx *core.Context, a types.Address) error
	AccountUnfrozen(ctx *core.Context, a types.Address) error
}

// ParamStore is gov's parameter store.
type ParamStore = core.ParamStore

var (
	_ Roles      = gov.Keeper{}
	_ ParamStore = gov.Keeper{}
)
