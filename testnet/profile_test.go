package testnet

import (
	"context"
	"slices"
	"testing"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

func genesisValidators(t *testing.T, c *Cluster) []types.Address {
	t.Helper()
	g, _, err := ledger.LoadGenesis(c.Layout.Home(0).GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
	vs, err := g.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	return vs.Validators
}

// TestProfileChainsNameEachOther: a main testnet and two side testnets,
// each initialized on its own, name each other's real validators — main's
// checkpoint module has each side chain's set under its chain ID, each
// side's light client trusts main's genesis set — and each node says
// which chain it serves.
func TestProfileChainsNameEachOther(t *testing.T) {
	mainC, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, ChainID: "accord-main", Profile: app.Main,
		SideChains: []LinkedChain{{ChainID: "accord-side-1", Validators: 1}, {ChainID: "accord-side-2", Validators: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mainC.Close)
	var sides []*Cluster
	for _, id := range []string{"accord-side-1", "accord-side-2"} {
		c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, ChainID: id, Profile: app.Side,
			MainChain: &LinkedChain{ChainID: "accord-main", Validators: 1}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		sides = append(sides, c)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		c       *Cluster
		chain   string
		profile app.Profile
	}{{mainC, "accord-main", app.Main}, {sides[0], "accord-side-1", app.Side}, {sides[1], "accord-side-2", app.Side}} {
		st, err := tc.c.Client(0).Status(ctx)
		if err != nil || st.ChainID != tc.chain || st.Profile != string(tc.profile) {
			t.Fatalf("status %+v %v, want %s/%s", st, err, tc.chain, tc.profile)
		}
	}
	if sides[0].Dev != mainC.Dev {
		t.Fatalf("dev key differs across profile testnets: %s, %s", sides[0].Dev.Hex(), mainC.Dev.Hex())
	}
	mainSt := mainC.Node(0).Ledger().ReadState()
	for _, s := range sides {
		id := s.Layout.ChainID
		c, err := checkpoint.Keeper{}.Chain(mainSt, id)
		if err != nil {
			t.Fatalf("%s not registered on main: %v", id, err)
		}
		vs, err := checkpoint.Keeper{}.ValidatorSet(mainSt, c.ValidatorsHash)
		if err != nil || !slices.Equal(vs.Validators, genesisValidators(t, s)) {
			t.Fatalf("%s registered with %+v (%v), runs %v", id, vs, err, genesisValidators(t, s))
		}
		sideSt := s.Node(0).Ledger().ReadState()
		lc, err := lightclient.Keeper{}.Client(sideSt)
		if err != nil || lc.ChainID != "accord-main" {
			t.Fatalf("%s light client %+v %v", id, lc, err)
		}
		set, err := lightclient.Keeper{}.SetAt(sideSt, 1)
		if err != nil || !slices.Equal(set.Validators, genesisValidators(t, mainC)) {
			t.Fatalf("%s trusts %+v (%v), main runs %v", id, set, err, genesisValidators(t, mainC))
		}
	}
}
