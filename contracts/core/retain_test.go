package core_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/state"
)

// retaining is a module that needs blocks from height h on.
type retaining struct {
	fake
	h uint64
}

func (r retaining) RetainHeight(state.Store) uint64 { return r.h }

var _ ledger.Retainer = (*core.Router)(nil)

func TestRouterRetainHeightIsTheLowestModuleNeed(t *testing.T) {
	cases := []struct {
		name    string
		modules []core.Module
		want    uint64
	}{
		{"no retaining module", []core.Module{fake{name: "a"}}, 0},
		{"one module", []core.Module{fake{name: "a"}, retaining{fake{name: "b"}, 40}}, 40},
		{"lowest wins, zero ignored", []core.Module{retaining{fake{name: "a"}, 40}, retaining{fake{name: "b"}, 0}, retaining{fake{name: "c"}, 12}}, 12},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := core.NewRouter("c", nil, tc.modules...)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.RetainHeight(state.NewOverlay(nil)); got != tc.want {
				t.Fatalf("retain height %d, want %d", got, tc.want)
			}
		})
	}
}
