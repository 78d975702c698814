package checkpoint

import (
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Module is the checkpoint module as a contract module.
type Module struct{ Keeper }

// NewModule returns the module.
func NewModule() Module { return Module{} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{{Type: TypeSubmit, Name: "checkpoint.submit", Handler: m.handleSubmit}}
}

func (m Module) handleSubmit(ctx *core.Context, payload []byte) error {
	msg, err := DecodeSubmit(payload)
	if err != nil {
		return err
	}
	return m.Submit(ctx, msg)
}

// Genesis is the module's section of the genesis document:
//
//	"checkpoint": {"chains": [{"chain_id": "accord-side-1", "validators": ["0x…", …], "first_height": 1}]}
type Genesis struct {
	Chains []GenesisChain `json:"chains,omitempty"`
}

// GenesisChain registers one side chain.
type GenesisChain struct {
	ChainID     string   `json:"chain_id"`
	Validators  []string `json:"validators"`
	FirstHeight uint64   `json:"first_height,omitempty"` // default 1
}

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("checkpoint genesis: %w", err)
		}
	}
	for _, gc := range g.Chains {
		vals := make([]types.Address, len(gc.Validators))
		for i, s := range gc.Validators {
			a, err := types.ParseAddress(s)
			if err != nil {
				return fmt.Errorf("checkpoint genesis %q: %w", gc.ChainID, err)
			}
			vals[i] = a
		}
		first := gc.FirstHeight
		if first == 0 {
			first = 1
		}
		if err := m.Register(ctx, gc.ChainID, vals, first); err != nil {
			return fmt.Errorf("checkpoint genesis: %w", err)
		}
	}
	return nil
}
