package acceptor

import (
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// KYCFrom adapts the kyc module's keeper to KYCKeeper. The identity is the
// attestation's RecordHash: a provider that attests several accounts of one
// person or company from the same off-chain record gives them the same
// identity, which is what links them. OrderLimit is kyc's level limit.
type KYCFrom struct{ Keeper kyc.Keeper }

// KYC implements KYCKeeper.
func (a KYCFrom) KYC(st state.Store, addr types.Address, now uint64) (KYCInfo, bool) {
	att, err := a.Keeper.KYCValid(st, addr, now)
	if err != nil {
		return KYCInfo{}, false
	}
	return KYCInfo{Identity: att.RecordHash, Level: att.Level, OrderLimit: a.Keeper.LevelLimit(st, att.Level)}, true
}

// OracleCurrencies is the CurrencySet of the oracle's 23 currencies.
type OracleCurrencies struct{}

// IsSupported implements CurrencySet.
func (OracleCurrencies) IsSupported(_ state.Store, code string) bool {
	_, err := oracle.LookupCurrency(code)
	return err == nil
}

// ParamSpecs declares the module's parameters to gov (gov.Module.Specs),
// so a proposal with an out-of-range value or an unknown key is refused.
func ParamSpecs() []gov.ParamSpec {
	out := make([]gov.ParamSpec, 0, len(paramTable.Fields))
	for _, b := range paramTable.Bounds() {
		out = append(out, gov.Uint64Spec(ModuleName, b.Key, b.Min, b.Max))
	}
	return out
}

var (
	_ KYCKeeper   = KYCFrom{}
	_ CurrencySet = OracleCurrencies{}
	_ ParamStore  = gov.Keeper{}
	_ BankKeeper  = bank.Keeper{}
)
