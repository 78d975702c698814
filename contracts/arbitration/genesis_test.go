package arbitration_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/arbitration"
)

// TestGenesis: the section overrides parameters by key; an unknown key or
// an invalid value fails genesis.
func TestGenesis(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want error
	}{
		{`{"params": {"panel_size": 5, "panel_threshold": 3}}`, nil},
		{``, nil},
		{`{"params": {"no_such_key": 1}}`, arbitration.ErrBadParam},
		{`{"params": {"panel_size": 2, "panel_threshold": 3}}`, arbitration.ErrBadParam},
	} {
		e := newEnv(0)
		err := arbitration.NewModule(e.K).InitGenesis(e.Ctx([20]byte{}), json.RawMessage(tc.raw))
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.raw, err, tc.want)
		}
		if tc.want == nil && tc.raw != "" {
			if p := e.K.Params(e.St); p.PanelSize != 5 || p.PanelThreshold != 3 {
				t.Fatalf("params %+v", p)
			}
		}
	}
}
