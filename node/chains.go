package node

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/types"
)

// ChainRef names another chain of the system by its chain ID and its
// genesis validator set: on main, a side chain whose checkpoints it
// accepts (registered in checkpoint's genesis); on a side chain, the main
// chain its light client trusts from genesis.
type ChainRef struct {
	ChainID    string
	Validators []types.Address
}

// ParseChainRef parses ID=ADDR,ADDR,... (the flags --side-chain and
// --main-chain).
func ParseChainRef(s string) (ChainRef, error) {
	id, list, ok := strings.Cut(s, "=")
	if !ok || id == "" || list == "" {
		return ChainRef{}, fmt.Errorf("chain %q: want CHAIN_ID=ADDR,ADDR,...", s)
	}
	r := ChainRef{ChainID: id}
	for _, a := range strings.Split(list, ",") {
		addr, err := types.ParseAddress(strings.TrimSpace(a))
		if err != nil {
			return ChainRef{}, fmt.Errorf("chain %q: %w", id, err)
		}
		r.Validators = append(r.Validators, addr)
	}
	return r, nil
}

func hexes(as []types.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Hex()
	}
	return out
}

// chainSections adds what profile p's genesis needs of the other chains:
// main registers each side chain with checkpoint (keyed by its chain ID,
// first checkpoint from height 1); a side chain's light client trusts
// main's genesis validators from height 0. A reference the profile has no
// use for is refused rather than dropped.
func chainSections(o InitOptions, p app.Profile, state map[string]json.RawMessage) error {
	switch {
	case p == app.Main && o.MainChain != nil:
		return fmt.Errorf("profile %s: a main chain reference is for a side chain's light client", p)
	case p == app.Side && len(o.SideChains) > 0:
		return fmt.Errorf("profile %s: side chains are registered on main", p)
	}
	if len(o.SideChains) > 0 {
		var g checkpoint.Genesis
		seen := map[string]bool{}
		for _, sc := range o.SideChains {
			if sc.ChainID == o.ChainID || seen[sc.ChainID] {
				return fmt.Errorf("side chain %q repeated or this chain's own ID", sc.ChainID)
			}
			seen[sc.ChainID] = true
			g.Chains = append(g.Chains, checkpoint.GenesisChain{ChainID: sc.ChainID, Validators: hexes(sc.Validators), FirstHeight: 1})
		}
		raw, err := json.Marshal(g)
		if err != nil {
			return err
		}
		state[checkpoint.ModuleName] = raw
	}
	if m := o.MainChain; m != nil {
		if m.ChainID == o.ChainID {
			return fmt.Errorf("main chain %q is this chain's own ID", m.ChainID)
		}
		raw, err := json.Marshal(lightclient.Genesis{ChainID: m.ChainID, TrustHeight: 0, Validators: hexes(m.Validators)})
		if err != nil {
			return err
		}
		state[lightclient.ModuleName] = raw
	}
	return nil
}
