// Package app is the one application assembly: the module lists of the
// two chain profiles, their order, and the keepers wired to each other.
// The node, the test chains (contracts/c2ctest, contracts/gov/govtest) and
// the testnet all build their application here, so there is one module
// list and one order. Adding a module is one line in a profile below; the
// router (contracts/core) walks the modules' descriptors for everything
// else (costs, parameter specs, blocked accounts, invariants, result
// codes, API queries, CLI commands).
package app

import (
	"fmt"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

// Profile names a chain's module list.
type Profile string

// The profiles. Side is the C2C sidechain (today's network); Main is the
// settlement chain (bridge and checkpoint join it when they land).
const (
	Side Profile = "side"
	Main Profile = "main"
)

// profiles are the module lists, in registration order, which is also
// the order of genesis and of BeginBlock timers. Gov comes right after
// bank because every later module's genesis reads roles or parameters
// from it; acceptor before order because order locks acceptors' float.
var profiles = map[Profile][]func(*Keepers) core.Module{
	Side: {bankModule, govModule, kycModule, oracleModule, acceptorModule, orderModule},
	Main: {bankModule, govModule},
}

func bankModule(k *Keepers) core.Module     { return bank.Module{Keeper: k.Bank} }
func govModule(k *Keepers) core.Module      { return gov.Module{Keeper: k.Gov} }
func kycModule(k *Keepers) core.Module      { return kyc.Module{Keeper: k.KYC} }
func oracleModule(k *Keepers) core.Module   { return oracle.Module{Keeper: k.Oracle} }
func acceptorModule(k *Keepers) core.Module { return acceptor.NewModule(k.Acceptor) }
func orderModule(k *Keepers) core.Module    { return order.NewModule(k.Order) }

// KYCModule and OracleModule let a test chain on the Main profile add the
// gov sub-modules it tests (contracts/gov/govtest).
var (
	KYCModule    = kycModule
	OracleModule = oracleModule
)

// Keepers are the wired keepers the API and tests read through.
type Keepers struct {
	Bank     bank.Keeper
	Gov      gov.Keeper
	KYC      kyc.Keeper
	Oracle   oracle.Keeper
	Acceptor acceptor.Keeper
	Order    order.Keeper
}

// App is an assembled application: the router over the profile's modules
// and the keepers.
type App struct {
	Profile Profile
	Router  *core.Router
	Keepers
}

// Option changes the assembly (tests and benchmarks).
type Option func(*options)

type options struct {
	rates   order.RateKeeper
	freezer acceptor.Freezer
	extra   []func(*Keepers) core.Module
	noAnte  bool
}

// WithModules appends modules after the profile's (one line per new
// module under test).
func WithModules(ms ...core.Module) Option {
	return func(o *options) {
		for _, m := range ms {
			o.extra = append(o.extra, func(*Keepers) core.Module { return m })
		}
	}
}

// WithModuleFuncs appends modules built over the wired keepers.
func WithModuleFuncs(fs ...func(*Keepers) core.Module) Option {
	return func(o *options) { o.extra = append(o.extra, fs...) }
}

// WithRates replaces the oracle as order's rate source.
func WithRates(r order.RateKeeper) Option { return func(o *options) { o.rates = r } }

// WithFreezer wires a frozen-account set into acceptor and order (the
// risk module's, or a test stand-in).
func WithFreezer(f acceptor.Freezer) Option {
	return func(o *options) { o.freezer = f }
}

// WithoutAnte skips bank's ante (nonce, fee): for envs that execute
// messages directly.
func WithoutAnte() Option { return func(o *options) { o.noAnte = true } }

// New assembles profile p for chainID.
func New(p Profile, chainID string, opts ...Option) (*App, error) {
	list, ok := profiles[p]
	if !ok {
		return nil, fmt.Errorf("unknown profile %q (want %q or %q)", p, Side, Main)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	a := &App{Profile: p}
	k := &a.Keepers
	rates := o.rates
	if rates == nil {
		rates = order.RatesFrom{Keeper: k.Oracle}
	}
	kycView := acceptor.KYCFrom{Keeper: k.KYC}
	ad := acceptor.Deps{Bank: k.Bank, Params: k.Gov, KYC: kycView, Currencies: acceptor.OracleCurrencies{}}
	od := order.Deps{Bank: k.Bank, Acceptors: k.Acceptor, Rates: rates, KYC: kycView, Params: k.Gov}
	if o.freezer != nil {
		ad.Freezer, od.Freezer = o.freezer, o.freezer
	}
	k.Acceptor = acceptor.NewKeeper(ad)
	od.Acceptors = k.Acceptor
	k.Order = order.NewKeeper(od)
	var modules []core.Module
	for _, f := range append(append([]func(*Keepers) core.Module(nil), list...), o.extra...) {
		modules = append(modules, f(k))
	}
	var ante []core.Ante
	if !o.noAnte {
		ante = []core.Ante{k.Bank.Ante}
	}
	r, err := core.NewRouter(chainID, ante, modules...)
	if err != nil {
		return nil, fmt.Errorf("assemble %s: %w", p, err)
	}
	a.Router = r
	return a, nil
}

// Modules builds profile p's module list over the keepers k (tests that
// rewire a keeper build their router from it; NewRouter wires the rest).
func Modules(p Profile, k *Keepers) []core.Module {
	var out []core.Module
	for _, f := range profiles[p] {
		out = append(out, f(k))
	}
	return out
}

// Cost is the mempool's admission cost (core.Router.Cost).
func (a *App) Cost(tx *types.Tx) (uint64, error) { return a.Router.Cost(tx) }

// TypeName names a transaction type for people.
func (a *App) TypeName(t types.TxType) string { return a.Router.TypeName(t) }

// Modules lists the wired modules in order.
func (a *App) Modules() []core.Module { return a.Router.Modules() }
