package order

import (
	"encoding/json"

	"github.com/accordnet/accord/contracts/core"
)

// Genesis is the module's section of the genesis document: parameter
// overrides by key (see the package doc); unset keys keep their current
// value or the default.
type Genesis = core.ParamsGenesis

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	return paramTable.InitGenesis(raw, func() Params { return m.Params(ctx.Store) },
		func(p Params) error { return m.SetParams(ctx.Store, p) })
}
