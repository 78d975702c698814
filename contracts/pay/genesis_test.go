package pay_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/pay"
)

// TestGenesis: the section overrides parameters by key; an unknown key or
// an invalid value fails genesis.
func TestGenesis(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want error
	}{
		{`{"params": {"max_deadline_ms": 86400000}}`, nil},
		{``, nil},
		{`{"params": {"no_such_key": 1}}`, pay.ErrBadParam},
		{`{"params": {"max_deadline_ms": 1}}`, pay.ErrBadParam},
	} {
		e := newEnv()
		err := pay.NewModule(e.K).InitGenesis(e.Ctx([20]byte{}), json.RawMessage(tc.raw))
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.raw, err, tc.want)
		}
		if tc.want == nil && tc.raw != "" {
			if p := e.K.Params(e.St); p.MaxDeadline != 86400000 {
				t.Fatalf("params %+v", p)
			}
		}
	}
}
