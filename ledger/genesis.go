package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/accordnet/accord/types"
)

// Genesis is the document every validator of a chain starts from.
type Genesis struct {
	ChainID string `json:"chain_id"`
	// Profile names the chain's module list (package app: "side" or
	// "main"); empty is the sidechain, the only chain before there were
	// two. The ledger only carries it: the node assembles the application.
	Profile     string                     `json:"profile,omitempty"`
	GenesisTime time.Time                  `json:"genesis_time"`
	Validators  []string                   `json:"validators"`
	AppState    map[string]json.RawMessage `json:"app_state"`
}

// LoadGenesis reads and checks a genesis file.
func LoadGenesis(path string) (*Genesis, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read genesis: %w", err)
	}
	g, err := ParseGenesis(raw)
	return g, raw, err
}

// ParseGenesis decodes and validates a genesis document.
func ParseGenesis(raw []byte) (*Genesis, error) {
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("parse genesis: %w", err)
	}
	if g.ChainID == "" {
		return nil, errors.New("genesis: chain_id is empty")
	}
	if _, err := g.ValidatorSet(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	return &g, nil
}

// ValidatorSet returns the genesis validators.
func (g *Genesis) ValidatorSet() (*types.ValidatorSet, error) {
	addrs, err := types.ParseAddresses(g.Validators)
	if err != nil {
		return nil, fmt.Errorf("validator: %w", err)
	}
	return types.NewValidatorSet(addrs)
}

// TimeMillis is the genesis time as block time.
func (g *Genesis) TimeMillis() uint64 { return uint64(g.GenesisTime.UnixMilli()) }
