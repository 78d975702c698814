package risk_test

import (
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

const (
	usdt = types.MicroPerUSDT
	hour = 3600 * 1000
)

var officer = c2ctest.Addr("compliance")

// env is c2ctest's environment with the risk keeper as the acceptor's and
// order's Freezer and as order's Observer, and the order keeper as risk's
// freeze hook, as the app assembly will wire.
type env struct {
	*c2ctest.Env
	R risk.Keeper
}

func newEnv() *env {
	e := c2ctest.NewEnv()
	rk := risk.NewKeeper(risk.Deps{Roles: e.Gov, Params: e.Gov})
	kyc := acceptor.KYCFrom{Keeper: e.KYC}
	e.Acceptor = acceptor.NewKeeper(acceptor.Deps{Bank: e.Bank, Params: e.Gov, KYC: kyc, Freezer: rk, Currencies: acceptor.OracleCurrencies{}})
	e.Order = order.NewKeeper(order.Deps{Bank: e.Bank, Acceptors: e.Acceptor, Rates: order.RatesFrom{Keeper: e.Oracle},
		KYC: kyc, Freezer: rk, Params: e.Gov, Observer: rk})
	rk.SetFreezeHooks(e.Order)
	r, err := core.NewRouter(c2ctest.ChainID, []core.Ante{rk.Ante}, c2ctest.Replace(e.Keepers.Modules(), risk.NewModule(rk))...)
	if err != nil {
		panic(err)
	}
	e.Router = r
	if err := e.Gov.GrantRole(e.St, officer, gov.RoleCompliance); err != nil {
		panic(err)
	}
	e.Ramp()
	return &env{Env: e, R: rk}
}

func (e *env) invariants() string {
	if msg := e.Env.Invariants(); msg != "" {
		return msg
	}
	if msg, broken := e.R.FreezeInvariant(e.St); broken {
		return msg
	}
	return ""
}

var refs int

// create makes an order of amount USD from mer and returns its ID and
// events.
func (e *env) create(t *testing.T, mer types.Address, amountUSD uint64) (types.Hash, []types.Event, error) {
	t.Helper()
	refs++
	ref := fmt.Sprint("ref-", refs)
	evs, err := e.Exec(mer, &order.MsgCreate{Currency: "USD", FiatAmount: amountUSD * 100, MerchantRef: ref})
	return order.OrderID(mer, ref), evs, err
}
