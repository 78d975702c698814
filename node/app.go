package node

import (
	"fmt"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

// App is the application a node runs: the router of contract modules, the
// keepers the API reads through, and what the mempool needs to know about
// transaction types.
//
// Modules are registered in this order, which is also the order of their
// genesis and of their BeginBlock timers: bank, gov, kyc, oracle,
// acceptor, order. Gov comes right after bank because the genesis of every
// later module reads roles or parameters from it; acceptor before order
// because order locks acceptors' float.
type App struct {
	Router   *core.Router
	Bank     bank.Keeper
	Gov      gov.Keeper
	KYC      kyc.Keeper
	Oracle   oracle.Keeper
	Acceptor acceptor.Keeper
	Order    order.Keeper
}

// ParamSpecs are the parameters of every module gov checks proposals and
// the genesis "params" section against.
func ParamSpecs() []gov.ParamSpec {
	var s []gov.ParamSpec
	for _, f := range []func() []gov.ParamSpec{kyc.ParamSpecs, oracle.ParamSpecs, acceptor.ParamSpecs, order.ParamSpecs} {
		s = append(s, f()...)
	}
	return s
}

// NewApp assembles the sidechain application for chainID. Every
// transaction first passes bank's ante (nonce, fee). No module freezes
// accounts yet (the risk module is future work), so acceptor and order get
// no Freezer.
func NewApp(chainID string) (*App, error) {
	a := &App{}
	kycView := acceptor.KYCFrom{Keeper: a.KYC}
	a.Acceptor = acceptor.NewKeeper(acceptor.Deps{Bank: a.Bank, Params: a.Gov, KYC: kycView,
		Currencies: acceptor.OracleCurrencies{}})
	a.Order = order.NewKeeper(order.Deps{Bank: a.Bank, Acceptors: a.Acceptor, Rates: order.RatesFrom{Keeper: a.Oracle},
		KYC: kycView, Params: a.Gov})
	modules := []core.Module{
		bank.Module{Keeper: a.Bank, Blocked: []types.Address{order.EscrowAddress, acceptor.FloatAddress, acceptor.MarginAddress}},
		gov.Module{Keeper: a.Gov, Specs: ParamSpecs()},
		kyc.Module{Keeper: a.KYC},
		oracle.Module{Keeper: a.Oracle},
		acceptor.NewModule(a.Acceptor),
		order.NewModule(a.Order),
	}
	r, err := core.NewRouter(chainID, []core.Ante{a.Bank.Ante}, modules...)
	if err != nil {
		return nil, err
	}
	a.Router = r
	return a, nil
}

// Cost is the mempool's view of what a transaction spends besides its fee:
// a transfer's amount, an acceptor's float or margin deposit, 0 for every
// other message. Each module's cost function also decodes and validates
// the payload, so a malformed message is refused at admission.
func (a *App) Cost(tx *types.Tx) (uint64, error) {
	var cost func(*types.Tx) (uint64, error)
	switch tx.Type &^ 0xff {
	case core.TypeBank:
		cost = bank.Cost
	case core.TypeGov:
		cost = gov.Cost
	case core.TypeKYC:
		cost = kyc.Cost
	case core.TypeOracle:
		cost = oracle.Cost
	case core.TypeAcceptor:
		cost = acceptor.Cost
	case core.TypeOrder:
		cost = order.Cost
	}
	if _, ok := a.Router.Route(tx.Type); !ok || cost == nil {
		return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
	}
	return cost(tx)
}

// TypeName names a transaction type for people.
func (a *App) TypeName(t types.TxType) string {
	if rt, ok := a.Router.Route(t); ok {
		return rt.Name
	}
	return fmt.Sprintf("unknown(%#x)", uint16(t))
}

// C2C returns the keepers the API's C2C queries read through.
func (a *App) C2C() api.C2C {
	return api.C2C{Bank: a.Bank, Gov: a.Gov, KYC: a.KYC, Oracle: a.Oracle, Acceptor: a.Acceptor, Order: a.Order}
}
