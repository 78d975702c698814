package risk_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

func query(t *testing.T, e *env, method, params string) (any, error) {
	t.Helper()
	for _, q := range risk.NewModule(e.R).Queries() {
		if q.Method == method {
			return q.Handle(core.QueryState{Store: e.St, Height: e.Block.Height, Time: e.Block.Time}, json.RawMessage(params))
		}
	}
	t.Fatalf("no query %s", method)
	return nil, nil
}

// TestFrozenAccountsQuery: the frozen list names each frozen account with
// the rule and event that froze it, and forgets it once unfrozen; an
// account's record reads in snake_case.
func TestFrozenAccountsQuery(t *testing.T) {
	f := newFx(t)
	if v, err := query(t, f.e, risk.FrozenMethod, ""); err != nil || len(v.([]risk.FrozenView)) != 0 {
		t.Fatalf("frozen before any rule hit: %v %v", v, err)
	}
	f.set(risk.ParamVelocityMax, 1)
	f.mustCreate(t, 10)
	f.mustCreate(t, 10)
	v, err := query(t, f.e, risk.FrozenMethod, "[10]")
	fs := v.([]risk.FrozenView)
	if err != nil || len(fs) != 1 || fs[0].Account != f.mer || fs[0].Freeze.Rule != risk.RuleVelocity || fs[0].Freeze.Seq == 0 {
		t.Fatalf("frozen %+v %v", fs, err)
	}
	b, _ := json.Marshal(fs[0])
	if !strings.Contains(string(b), `"rule":"velocity"`) || !strings.Contains(string(b), `"at_ms":`) {
		t.Fatalf("frozen view JSON %s", b)
	}
	acct, err := query(t, f.e, risk.QueryMethod, `["`+f.mer.Hex()+`"]`)
	if b, _ := json.Marshal(acct); err != nil || !strings.Contains(string(b), `"rule":"velocity","value":2,"threshold":1`) {
		t.Fatalf("account view %s %v", b, err)
	}
	if _, err := query(t, f.e, risk.FrozenMethod, `["x"]`); !errors.Is(err, core.ErrInvalidQuery) {
		t.Fatalf("bad limit: %v", err)
	}
	if _, err := f.e.Exec(officer, &risk.MsgUnfreeze{Account: f.mer, Reason: types.Keccak([]byte("case 2"))}); err != nil {
		t.Fatal(err)
	}
	if v, err := query(t, f.e, risk.FrozenMethod, ""); err != nil || len(v.([]risk.FrozenView)) != 0 {
		t.Fatalf("frozen after the unfreeze: %v %v", v, err)
	}
}
