package order

import (
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/ledger/state"
)

// RatesFrom adapts the oracle module's keeper to RateKeeper.
type RatesFrom struct{ Keeper oracle.Keeper }

// ToMicroUSDT implements RateKeeper with oracle.Keeper.FiatToMicroUSDT.
func (r RatesFrom) ToMicroUSDT(st state.Store, now uint64, currency string, minor uint64) (uint64, error) {
	micro, _, err := r.Keeper.FiatToMicroUSDT(st, currency, minor, now)
	return micro, err
}

// ParamSpecs declares the module's parameters to gov (gov.Module.Specs).
func ParamSpecs() []gov.ParamSpec {
	out := make([]gov.ParamSpec, 0, len(paramTable.Fields))
	for _, b := range paramTable.Bounds() {
		out = append(out, gov.Uint64Spec(ModuleName, b.Key, b.Min, b.Max))
	}
	return out
}

var (
	_ RateKeeper = RatesFrom{}
	_ BankKeeper = bank.Keeper{}
	_ ParamStore = gov.Keeper{}
)
