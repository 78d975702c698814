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
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bridge"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Profile names a chain's module list.
type Profile string

// The profiles. Side is the C2C sidechain (today's network); Main is the settlement chain holding bridged USDT
// and the sidechains' checkpoints.
const (
	Side Profile = "side"
	Main Profile = "main"
)

// ParseProfile reads a profile name; empty is Side (a genesis written
// before there were two chains names none).
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(s); p {
	case "":
		return Side, nil
	case Side, Main:
		return p, nil
	}
	return "", fmt.Errorf("unknown profile %q (want %q or %q)", s, Side, Main)
}

// Profiles lists the profiles.
func Profiles() []Profile { return []Profile{Side, Main} }

// profiles are the module lists, in registration order, which is also
// the order of genesis and of BeginBlock timers. Gov comes right after
// bank because every later module's genesis reads roles or parameters
// from it; acceptor before order because order locks acceptors' float;
// arbitration after order and pay, whose disputes it resolves (its
// deadlines run after their timers in a block); the bridge after the
// checkpoints it releases burns against; on Side, the light client of
// main before the side half of the bridge that mints against it.
var profiles = map[Profile][]func(*Keepers) core.Module{
	Side: {bankModule, govModule, kycModule, oracleModule, riskModule, acceptorModule, orderModule,
		payModule, channelModule, arbitrationModule, lightClientModule, sideBridgeModule},
	Main: {bankModule, govModule, checkpointModule, bridgeModule},
}

func bankModule(k *Keepers) core.Module { return bank.Module{Keeper: k.Bank} }
func govModule(k *Keepers) core.Module {
	return gov.Module{Keeper: k.Gov, Disputes: k.disputes, Bridge: k.bridgeGov, Checkpoints: k.checkpointGov,
		LightClient: k.lightClientGov}
}
func kycModule(k *Keepers) core.Module      { return kyc.Module{Keeper: k.KYC} }
func oracleModule(k *Keepers) core.Module   { return oracle.Module{Keeper: k.Oracle} }
func acceptorModule(k *Keepers) core.Module { return acceptor.NewModule(k.Acceptor) }
func orderModule(k *Keepers) core.Module    { return order.NewModule(k.Order) }
func riskModule(k *Keepers) core.Module     { return risk.NewModule(k.Risk) }
func payModule(k *Keepers) core.Module      { return pay.NewModule(k.Pay) }
func channelModule(k *Keepers) core.Module  { return channel.NewModule(k.Channel) }
func arbitrationModule(k *Keepers) core.Module {
	return arbitration.NewModule(k.Arbitration)
}
func checkpointModule(k *Keepers) core.Module { return checkpoint.Module{Keeper: k.Checkpoint} }
func bridgeModule(k *Keepers) core.Module     { return bridge.NewModule(k.Bridge) }
func lightClientModule(k *Keepers) core.Module {
	return lightclient.Module{Keeper: k.LightClient}
}
func sideBridgeModule(k *Keepers) core.Module { return sidebridge.NewModule(k.SideBridge) }

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
	// Risk is the rules engine: order's Observer, arbitration's
	// RiskRecorder and (with a test's WithFreezer) every module's Freezer.
	Risk        risk.Keeper
	Pay         pay.Keeper
	Channel     channel.Keeper
	Arbitration arbitration.Keeper
	Checkpoint  checkpoint.Keeper
	Bridge      bridge.Keeper
	// LightClient is Side's client of main; SideBridge mints main's locks
	// it proves and burns towards main.
	LightClient lightclient.Keeper
	SideBridge  sidebridge.Keeper

	// disputes is gov's DisputeResolver: the arbitration keeper when the
	// profile has the arbitration module (nil otherwise, so a
	// ResolveDispute proposal fails at execution).
	disputes gov.DisputeResolver
	// bridgeGov, checkpointGov and lightClientGov carry out gov's bridge,
	// checkpoint and light-client actions when the profile has the module
	// (nil otherwise: such a proposal fails at execution). The bridge is
	// main's: the side half has no pause of its own.
	bridgeGov      gov.BridgeGov
	checkpointGov  gov.CheckpointGov
	lightClientGov gov.LightClientGov
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

// WithFreezer adds a frozen-account set (a test stand-in) to the risk
// module's: acceptor, order, pay, channel and arbitration treat an account
// as frozen when either says so.
func WithFreezer(f acceptor.Freezer) Option {
	return func(o *options) { o.freezer = f }
}

// WithoutAnte skips the ante checks (bank's nonce and fee, risk's frozen
// sender): for envs that execute messages directly.
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
	k.Risk = risk.NewKeeper(risk.Deps{Roles: k.Gov, Params: k.Gov})
	var freezer acceptor.Freezer = k.Risk
	if o.freezer != nil {
		freezer = anyFrozen{o.freezer, k.Risk}
	}
	kycView := acceptor.KYCFrom{Keeper: k.KYC}
	k.Acceptor = acceptor.NewKeeper(acceptor.Deps{Bank: k.Bank, Params: k.Gov, KYC: kycView, Freezer: freezer,
		Currencies: acceptor.OracleCurrencies{}})
	orders := order.NewKeeper(order.Deps{Bank: k.Bank, Acceptors: k.Acceptor, Rates: rates, KYC: kycView,
		Freezer: freezer, Params: k.Gov, Observer: k.Risk})
	payments := pay.NewKeeper(pay.Deps{Bank: k.Bank, Freezer: freezer, Params: k.Gov})
	k.Channel = channel.NewKeeper(channel.Deps{Bank: k.Bank, Freezer: freezer, Params: k.Gov})
	k.Arbitration = arbitration.NewKeeper(arbitration.Deps{Orders: orders, Payments: payments, Roles: k.Gov,
		KYC: kycView, Freezer: freezer, Risk: k.Risk, Params: k.Gov})
	// Disputes of orders and payments open through arbitration; a freeze
	// or unfreeze pauses or resumes the frozen party's order timers.
	k.Order = orders.WithHook(k.Arbitration)
	k.Pay = payments.WithHook(k.Arbitration)
	k.Risk.SetFreezeHooks(k.Order)
	k.Bridge = bridge.NewKeeper(bridge.Deps{Bank: k.Bank, Roles: k.Gov, Checkpoints: k.Checkpoint, Params: k.Gov})
	k.SideBridge = sidebridge.NewKeeper(k.Bank, k.LightClient)

	fs := append(append([]func(*Keepers) core.Module(nil), list...), o.extra...)
	has := map[string]bool{}
	for _, f := range fs {
		has[f(k).Name()] = true
	}
	if has[arbitration.ModuleName] {
		k.disputes = k.Arbitration
	}
	if has[checkpoint.ModuleName] {
		k.checkpointGov = k.Checkpoint
	}
	if has[lightclient.ModuleName] {
		k.lightClientGov = k.LightClient
	}
	if p == Main && has[bridge.ModuleName] {
		k.bridgeGov = k.Bridge
	}
	var modules []core.Module
	for _, f := range fs {
		modules = append(modules, f(k))
	}
	var ante []core.Ante
	if !o.noAnte {
		ante = []core.Ante{k.Bank.Ante}
		if has[risk.ModuleName] {
			// After bank's, so a refused transfer from a frozen account
			// is one whose nonce and fee were good.
			ante = append(ante, k.Risk.Ante)
		}
	}
	r, err := core.NewRouter(chainID, ante, modules...)
	if err != nil {
		return nil, fmt.Errorf("assemble %s: %w", p, err)
	}
	a.Router = r
	return a, nil
}

// anyFrozen is frozen when any of its members says so.
type anyFrozen []acceptor.Freezer

func (fs anyFrozen) IsFrozen(st state.Store, a types.Address) bool {
	for _, f := range fs {
		if f.IsFrozen(st, a) {
			return true
		}
	}
	return false
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
