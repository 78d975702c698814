package risk_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/risk"
)

// TestGenesis: the section overrides parameters by key; an unknown key or
// an invalid value fails genesis.
func TestGenesis(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want error
	}{
		{`{"params": {"velocity_max_per_hour": 7}}`, nil},
		{``, nil},
		{`{"params": {"no_such_key": 1}}`, risk.ErrBadParam},
		{`{"params": {"velocity_freeze": 2}}`, risk.ErrBadParam},
	} {
		e := newEnv()
		err := risk.NewModule(e.R).InitGenesis(e.Ctx([20]byte{}), json.RawMessage(tc.raw))
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.raw, err, tc.want)
		}
		if tc.want == nil && tc.raw != "" {
			if p := e.R.Params(e.St); p.VelocityMax != 7 {
				t.Fatalf("params %+v", p)
			}
		}
	}
}
