package arbitration_test

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/contracts/risk"
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

// env is c2ctest's environment with channel, pay, risk and arbitration
// registered and wired as the app assembly will: risk is the rules engine
// (order's Observer, arbitration's RiskRecorder) and, together with
// c2ctest's freezer (which tests toggle by hand), every module's Freezer;
// the dispute hooks of order and pay open disputes; gov's ResolveDispute
// proposals go to the arbitration keeper; the order keeper is
// risk's freeze hook (a test toggling c2ctest's freezer tells it itself).
type env struct {
	*c2ctest.Env
	K    arbitration.Keeper
	Pay  pay.Keeper
	Chan channel.Keeper
	Risk risk.Keeper
	Arbs []types.Address
	// Frozen is every module's Freezer: c2ctest's or risk's freeze.
	Frozen freezers
}

// freezers is frozen when any of its members says so.
type freezers []interface {
	IsFrozen(st state.Store, a types.Address) bool
}

func (fs freezers) IsFrozen(st state.Store, a types.Address) bool {
	for _, f := range fs {
		if f.IsFrozen(st, a) {
			return true
		}
	}
	return false
}

var officer = c2ctest.Addr("compliance")

func newEnv(nArb int) *env {
	e := c2ctest.NewEnv()
	rk := risk.NewKeeper(risk.Deps{Roles: e.Gov, Params: e.Gov})
	fr := freezers{e.Freezer, rk}
	kyc := acceptor.KYCFrom{Keeper: e.KYC}
	e.Acceptor = acceptor.NewKeeper(acceptor.Deps{Bank: e.Bank, Params: e.Gov, KYC: kyc, Freezer: fr, Currencies: acceptor.OracleCurrencies{}})
	orders := order.NewKeeper(order.Deps{Bank: e.Bank, Acceptors: e.Acceptor, Rates: order.RatesFrom{Keeper: e.Oracle},
		KYC: kyc, Freezer: fr, Params: e.Gov, Observer: rk})
	payK := pay.NewKeeper(pay.Deps{Bank: e.Bank, Freezer: fr, Params: e.Gov})
	chanK := channel.NewKeeper(channel.Deps{Bank: e.Bank, Freezer: fr, Params: e.Gov})
	k := arbitration.NewKeeper(arbitration.Deps{Orders: orders, Payments: payK, Roles: e.Gov,
		KYC: kyc, Freezer: fr, Risk: riskRecorder{rk}, Params: e.Gov})
	e.Order = orders.WithHook(k)
	rk.SetFreezeHooks(e.Order)
	payK = payK.WithHook(k)
	mods := e.Keepers.Modules()
	mods[0] = bank.Module{Keeper: e.Bank, Blocked: []types.Address{order.EscrowAddress, acceptor.FloatAddress,
		acceptor.MarginAddress, pay.EscrowAddress, channel.EscrowAddress}}
	mods[1] = gov.Module{Keeper: e.Gov, Specs: c2ctest.ParamSpecs(), Disputes: k} // ResolveDispute proposals
	r, err := core.NewRouter(c2ctest.ChainID, []core.Ante{rk.Ante}, c2ctest.Replace(mods, channel.NewModule(chanK), pay.NewModule(payK),
		risk.NewModule(rk), arbitration.NewModule(k))...)
	if err != nil {
		panic(err)
	}
	e.Router = r
	if err := e.Gov.GrantRole(e.St, officer, gov.RoleCompliance); err != nil {
		panic(err)
	}
	v := &env{Env: e, K: k, Pay: payK, Chan: chanK, Risk: rk, Frozen: fr}
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

// riskRecorder is the risk keeper as arbitration's RiskRecorder, also
// leaving the test's own mark (marked) beside risk's record.
type riskRecorder struct{ risk.Keeper }

func (r riskRecorder) RecordDisputeLoss(ctx *core.Context, loser types.Address, id types.Hash) error {
	if err := (riskMarks{}).RecordDisputeLoss(ctx, loser, id); err != nil {
		return err
	}
	return r.Keeper.RecordDisputeLoss(ctx, loser, id)
}

func (e *env) invariants() string {
	if msg := e.Env.Invariants(); msg != "" {
		return msg
	}
	for _, inv := range []func(state.Store) (string, bool){e.K.DisputeInvariant, e.Pay.EscrowInvariant,
		e.Chan.EscrowInvariant, e.Risk.FreezeInvariant} {
		if msg, broken := inv(e.St); broken {
			return msg
		}
	}
	return ""
}

var ok = testkit.OK
