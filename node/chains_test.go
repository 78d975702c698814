package node

import (
	"slices"
	"strings"
	"testing"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

func TestParseChainRef(t *testing.T) {
	a, b := types.Address{0xa}, types.Address{0xb}
	for _, tc := range []struct {
		in   string
		want *ChainRef
	}{
		{"side-1=" + a.Hex() + "," + b.Hex(), &ChainRef{ChainID: "side-1", Validators: []types.Address{a, b}}},
		{"main=" + a.Hex(), &ChainRef{ChainID: "main", Validators: []types.Address{a}}},
		{"side-1", nil},
		{"=" + a.Hex(), nil},
		{"side-1=", nil},
		{"side-1=0x12", nil},
		{"side-1=" + a.Hex() + ",", nil},
	} {
		got, err := ParseChainRef(tc.in)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%q accepted: %+v", tc.in, got)
			}
			continue
		}
		if err != nil || got.ChainID != tc.want.ChainID || !slices.Equal(got.Validators, tc.want.Validators) {
			t.Errorf("%q: %+v %v", tc.in, got, err)
		}
	}
}

// TestProfileGenesis: each profile's genesis carries what the other chain
// needs of it, is refused with a reference it has no use for, and the node
// assembles the module list the genesis names.
func TestProfileGenesis(t *testing.T) {
	self := types.Address{0x5e}
	sideVals := []types.Address{{0x51}, {0x52}}
	mainVals := []types.Address{{0x31}}
	sideA := ChainRef{ChainID: "side-a", Validators: sideVals}
	sideB := ChainRef{ChainID: "side-b", Validators: []types.Address{{0x61}}}
	main := ChainRef{ChainID: "main", Validators: mainVals}
	for _, tc := range []struct {
		name    string
		o       InitOptions
		modules []string // want; nil: refused
		refused string
	}{
		{"main registers two side chains", InitOptions{ChainID: "main", Profile: app.Main, SideChains: []ChainRef{sideA, sideB}},
			[]string{"bank", "gov", "checkpoint", "bridge"}, ""},
		{"side trusts main", InitOptions{ChainID: "side-a", Profile: app.Side, MainChain: &main},
			[]string{"bank", "gov", "kyc", "oracle", "risk", "acceptor", "order", "pay", "channel", "arbitration", "lightclient", "bridge"}, ""},
		{"no profile is the side chain", InitOptions{ChainID: "old"},
			[]string{"bank", "gov", "kyc", "oracle", "risk", "acceptor", "order", "pay", "channel", "arbitration", "lightclient", "bridge"}, ""},
		{"side chain on a side profile", InitOptions{ChainID: "side-a", Profile: app.Side, SideChains: []ChainRef{sideB}}, nil, "registered on main"},
		{"main chain on main", InitOptions{ChainID: "main", Profile: app.Main, MainChain: &main}, nil, "light client"},
		{"a side chain twice", InitOptions{ChainID: "main", Profile: app.Main, SideChains: []ChainRef{sideA, sideA}}, nil, "repeated"},
		{"main registering itself", InitOptions{ChainID: "side-a", Profile: app.Main, SideChains: []ChainRef{sideA}}, nil, "own ID"},
		{"unknown profile", InitOptions{ChainID: "x", Profile: "moon"}, nil, "unknown profile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := BuildGenesis(tc.o, self)
			if err == nil {
				err = CheckGenesis(raw)
			}
			if tc.modules == nil {
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("want refusal %q, got %v", tc.refused, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g, err := ledger.ParseGenesis(raw)
			if err != nil {
				t.Fatal(err)
			}
			if g.Profile != string(tc.o.Profile) {
				t.Fatalf("genesis profile %q, want %q", g.Profile, tc.o.Profile)
			}
			a, err := genesisApp(g)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range a.Modules() {
				names = append(names, m.Name())
			}
			if !slices.Equal(names, tc.modules) {
				t.Fatalf("modules %v, want %v", names, tc.modules)
			}
			st := state.NewOverlay(nil)
			if err := a.Router.InitGenesis(core.Block{ChainID: g.ChainID, Time: g.TimeMillis()}, st, g.AppState); err != nil {
				t.Fatal(err)
			}
			for _, sc := range tc.o.SideChains {
				c, err := a.Checkpoint.Chain(st, sc.ChainID)
				if err != nil {
					t.Fatalf("%s not registered: %v", sc.ChainID, err)
				}
				vs, err := a.Checkpoint.ValidatorSet(st, c.ValidatorsHash)
				if err != nil || !slices.Equal(vs.Validators, sc.Validators) || c.FirstHeight != 1 {
					t.Fatalf("%s: chain %+v set %+v %v", sc.ChainID, c, vs, err)
				}
			}
			if m := tc.o.MainChain; m != nil {
				c, err := a.LightClient.Client(st)
				if err != nil || c.ChainID != m.ChainID || c.TrustHeight != 0 {
					t.Fatalf("light client %+v %v", c, err)
				}
				vs, err := a.LightClient.SetAt(st, 1)
				if err != nil || !slices.Equal(vs.Validators, m.Validators) {
					t.Fatalf("main set at 1: %+v %v", vs, err)
				}
			} else if _, err := a.LightClient.Client(st); tc.o.Profile != app.Main && err == nil {
				t.Fatal("light client initialized without a main chain")
			}
			if _, ok := g.AppState[lightclient.ModuleName]; ok != (tc.o.MainChain != nil) {
				t.Fatalf("lightclient section present %v", ok)
			}
			if _, ok := g.AppState[checkpoint.ModuleName]; ok != (len(tc.o.SideChains) > 0) {
				t.Fatalf("checkpoint section present %v", ok)
			}
		})
	}
}
