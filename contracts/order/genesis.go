package order

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/accordnet/accord/contracts/core"
)

// Genesis is the module's section of the genesis document: parameter
// overrides by key (see the package doc); unset keys keep their current
// value or the default.
type Genesis struct {
	Params map[string]uint64 `json:"params,omitempty"`
}

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("order genesis: %w", err)
		}
	}
	if len(g.Params) == 0 {
		return nil
	}
	var unknown []string
	for key := range g.Params {
		if !knownParam(key) {
			unknown = append(unknown, key)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("order genesis: %w: unknown keys %v", ErrBadParam, unknown)
	}
	p := m.Params(ctx.Store)
	for _, f := range fields {
		if v, ok := g.Params[f.key]; ok {
			*f.get(&p) = v
		}
	}
	if err := m.SetParams(ctx.Store, p); err != nil {
		return fmt.Errorf("order genesis: %w", err)
	}
	return nil
}

func knownParam(key string) bool {
	for _, f := range fields {
		if f.key == key {
			return true
		}
	}
	return false
}
