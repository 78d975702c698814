package channel_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/channel"
)

// TestGenesis: the section overrides parameters by key; an unknown key or
// an out-of-range value fails genesis.
func TestGenesis(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want error
	}{
		{`{"params": {"challenge_period_ms": 600000, "max_open_per_payer": 5}}`, nil},
		{``, nil},
		{`{"params": {"no_such_key": 1}}`, channel.ErrBadParam},
		{`{"params": {"challenge_period_ms": 1}}`, channel.ErrBadParam},
	} {
		e := newEnv()
		err := channel.NewModule(e.K).InitGenesis(e.Ctx([20]byte{}), json.RawMessage(tc.raw))
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.raw, err, tc.want)
		}
		if tc.want == nil && tc.raw != "" {
			if p := e.K.Params(e.St); p.Challenge != 600000 || p.MaxOpen != 5 || p.MinDeposit != channel.DefaultParams().MinDeposit {
				t.Fatalf("params %+v", p)
			}
		}
	}
}
