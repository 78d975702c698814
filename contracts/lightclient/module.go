package lightclient

import (
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Module is the light client as a contract module.
type Module struct{ Keeper }

// NewModule returns the module.
func NewModule() Module { return Module{} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{{Type: TypeUpdate, Name: "lightclient.update", Handler: m.handleUpdate}}
}

func (m Module) handleUpdate(ctx *core.Context, payload []byte) error {
	msg, err := DecodeUpdate(payload)
	if err != nil {
		return err
	}
	return m.Update(ctx, msg)
}

// Genesis is the module's section of the genesis document:
//
//	"lightclient": {"chain_id": "accord-main", "trust_height": 0, "validators": ["0x…", …]}
//
// An empty section leaves the client uninitialized (a chain without a
// bridge to main).
type Genesis struct {
	ChainID     string   `json:"chain_id"`
	TrustHeight uint64   `json:"trust_height"`
	Validators  []string `json:"validators"`
}

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("%w: %w", ErrBadGenesis, err)
	}
	vals := make([]types.Address, len(g.Validators))
	for i, s := range g.Validators {
		a, err := types.ParseAddress(s)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadGenesis, err)
		}
		vals[i] = a
	}
	return m.Init(ctx.Store, g.ChainID, g.TrustHeight, vals)
}
