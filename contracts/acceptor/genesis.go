package acceptor

import (
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
)

// Genesis is the module's section of the genesis document: parameter
// overrides by key (see the package doc); unset keys keep their current
// value or the default.
type Genesis = core.ParamsGenesis

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	p := m.Params(ctx.Store)
	set, err := paramTable.ApplyGenesis(raw, &p)
	if err != nil || !set {
		return err
	}
	if err := m.SetParams(ctx.Store, p); err != nil {
		return fmt.Errorf("%s genesis: %w", ModuleName, err)
	}
	return nil
}
