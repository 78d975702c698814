package arbitration_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

const (
	usdt = types.MicroPerUSDT
	hour = 3600 * 1000
)

// riskMarks stands in for the risk module: marks live in the store so
// they roll back with a failed transaction.
type riskMarks struct{}

var prefixMark = []byte("test/risk/")

func (riskMarks) RecordDisputeLoss(ctx *core.Context, loser types.Address, id types.Hash) error {
	ctx.Store.Set(slices.Concat(prefixMark, loser[:], id[:]), []byte{1})
	return nil
}

func marked(st state.Store, a types.Address, id types.Hash) bool {
	return st.Has(slices.Concat(prefixMark, a[:], id[:]))
}

// env is c2ctest's environment with pay and arbitration registered and
// the dispute hooks wired, as the app assembly will.
type env struct {
	*c2ctest.Env
	K    arbitration.Keeper
	Pay  pay.Keeper
	Arbs []types.Address
}

func newEnv(nArb int) *env {
	e := c2ctest.NewEnv()
	payK := pay.NewKeeper(pay.Deps{Bank: e.Bank, Freezer: e.Freezer, Params: e.Gov})
	k := arbitration.NewKeeper(arbitration.Deps{Orders: e.Order, Payments: payK, Roles: e.Gov,
		KYC: acceptor.KYCFrom{Keeper: e.KYC}, Freezer: e.Freezer, Risk: riskMarks{}, Params: e.Gov})
	e.Order = e.Order.WithHook(k)
	payK = payK.WithHook(k)
	mods := e.Keepers.Modules()
	mods[0] = bank.Module{Keeper: e.Bank, Blocked: []types.Address{order.EscrowAddress, acceptor.FloatAddress,
		acceptor.MarginAddress, pay.EscrowAddress}}
	r, err := core.NewRouter(c2ctest.ChainID, nil, append(mods, pay.NewModule(payK), arbitration.NewModule(k))...)
	if err != nil {
		panic(err)
	}
	e.Router = r
	v := &env{Env: e, K: k, Pay: payK}
	for i := 0; i < nArb; i++ {
		a := c2ctest.Addr(fmt.Sprint("arb", i))
		e.KYCFor(a)
		if err := e.Gov.GrantRole(e.St, a, gov.RoleArbitrator); err != nil {
			panic(err)
		}
		v.Arbs = append(v.Arbs, a)
	}
	return v
}

func (e *env) invariants() string {
	if msg := e.Env.Invariants(); msg != "" {
		return msg
	}
	for _, inv := range []func(state.Store) (string, bool){e.K.DisputeInvariant, e.Pay.EscrowInvariant} {
		if msg, broken := inv(e.St); broken {
			return msg
		}
	}
	return ""
}

func findEvent(evs []types.Event, typ string) (types.Event, bool) {
	for _, e := range evs {
		if e.Type == typ {
			return e, true
		}
	}
	return types.Event{}, false
}

func stateHash(st *state.Overlay) types.Hash { return state.NextAppHash(types.Hash{}, st.WriteSet()) }

func ok(t *testing.T) func([]types.Event, error) {
	return func(_ []types.Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}
