// Package c2ctest runs the sidechain application as package app assembles
// it (bank, gov, kyc, oracle, risk, acceptor, order, pay, channel and
// arbitration, with a hand-toggled freezer beside risk's) for tests and
// benchmarks: an Env executes
// messages without signatures against an in-memory state, and Chain
// (chain.go) runs them through the ledger's executor as signed
// transactions, checking every module's invariants after every block.
package c2ctest

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ChainID of test chains.
const ChainID = "accord-c2c-test"

// GenesisTime is the block time (ms) envs start at: 2023-11-14T22:13:20Z.
const GenesisTime = 1_700_000_000_000

// Treasury receives fees in test chains.
var Treasury = bank.ModuleAddress("treasury")

// Well-known role holders of test chains.
var (
	Admin       = Addr("admin")
	KYCProvider = Addr("kyc-provider")
	Oracle      = Addr("oracle")
)

// Keepers are the keepers of the sidechain application as package app
// wires them, and a freezer tests toggle by hand (frozen beside risk's).
type Keepers struct {
	app.Keepers
	Freezer Freezer
	// App is the assembled application (bank's ante included).
	App *app.App
}

// NewKeepers assembles the sidechain application with the Freezer.
func NewKeepers() Keepers { return NewKeepersWith(nil) }

// NewKeepersWith is NewKeepers with another rate source (nil: the oracle).
func NewKeepersWith(rates order.RateKeeper) Keepers { return newKeepers(banktest.ChainID, rates) }

func newKeepers(chainID string, rates order.RateKeeper, opts ...app.Option) Keepers {
	k := Keepers{}
	opts = append([]app.Option{app.WithFreezer(k.Freezer)}, opts...)
	if rates != nil {
		opts = append(opts, app.WithRates(rates))
	}
	a, err := app.New(app.Side, chainID, opts...)
	if err != nil {
		panic(err)
	}
	k.Keepers, k.App = a.Keepers, a
	return k
}

// ParamSpecs are the parameter specs gov checks proposals against.
func ParamSpecs() []gov.ParamSpec { return NewKeepers().App.Router.ParamSpecs() }

// Modules returns the side profile's modules in registration order (bank,
// gov, kyc, oracle, risk, acceptor, order, pay, channel, arbitration) over the keepers as they are now, so
// a test that rewires one (a Freezer, an Observer) gets modules using it.
func (k Keepers) Modules() []core.Module { return app.Modules(app.Side, &k.Keepers) }

// Env is an in-memory chain state with a current block, executing messages
// directly (no signatures, nonces or fees).
type Env struct {
	Keepers
	St     *state.Overlay
	Router *core.Router
	Block  core.Block
	// LastBlockEvents are the begin-block events of the last Advance.
	LastBlockEvents []types.Event
}

// NewEnv returns a state at GenesisTime with a KYC provider and an
// oracle, rates fresh for a day (max_rate_age_ms) for USD (1 per USDT),
// EUR (0.8) and JPY (150), and every other parameter at its default.
func NewEnv() *Env {
	k := newKeepers(ChainID, nil, app.WithoutAnte())
	e := &Env{Keepers: k, St: state.NewOverlay(nil), Router: k.App.Router,
		Block: core.Block{ChainID: ChainID, Height: 1, Time: GenesisTime, Seed: types.Keccak([]byte("seed"), []byte{1})}}
	k.Bank.SetParams(e.St, bank.Params{Treasury: Treasury})
	// One admin, so gov's invariants (checked with every other module's)
	// hold.
	if err := (gov.Module{Keeper: k.Gov}).InitGenesis(e.Ctx(types.Address{}),
		json.RawMessage(`{"admins":["`+Admin.Hex()+`"],"threshold":1}`)); err != nil {
		panic(err)
	}
	for _, g := range []struct {
		a types.Address
		r gov.Role
	}{{KYCProvider, gov.RoleKYCProvider}, {Oracle, gov.RoleOracle}} {
		if err := k.Gov.GrantRole(e.St, g.a, g.r); err != nil {
			panic(err)
		}
	}
	e.SetParam(oracle.ModuleName, oracle.ParamMaxRateAge, 24*3600*1000)
	e.PostRates()
	return e
}

// SetParam sets a uint64 parameter in gov's store.
func (e *Env) SetParam(module, key string, v uint64) {
	if err := e.Gov.SetParam(e.St, module, key, gov.FormatUint64Param(v)); err != nil {
		panic(err)
	}
}

// Rate posts rate (fiat per USDT) for currency at the current block time.
func (e *Env) Rate(currency string, rate oracle.RateE8) {
	e.Oracle.SetPost(e.St, oracle.Post{Oracle: Oracle, Currency: currency, Rate: rate, PostedAt: e.Block.Time})
}

// PostRates posts the default rates at the current block time.
func (e *Env) PostRates() {
	e.Rate("USD", 1*oracle.RateScale)
	e.Rate("EUR", 80_000_000)
	e.Rate("JPY", 150*oracle.RateScale)
}

// Attest records a KYC attestation of a at level, valid until expiresAt,
// whose record hash (the identity linking accounts) is identity.
func (e *Env) Attest(a types.Address, identity types.Hash, level uint8, expiresAt uint64) {
	e.KYC.SetAttestation(e.St, kyc.Attestation{Account: a, Level: level, ExpiresAt: expiresAt, Country: "SG",
		RecordHash: identity, Provider: KYCProvider, AttestedAt: e.Block.Time})
}

// Revoke revokes a's attestation.
func (e *Env) Revoke(a types.Address) {
	att, ok := e.KYC.KYC(e.St, a)
	if !ok {
		return
	}
	att.Revoked, att.RevokedBy, att.RevokedAt, att.Reason = true, KYCProvider, e.Block.Time, "test"
	e.KYC.SetAttestation(e.St, att)
}

// Ctx returns a context for sender in the current block.
func (e *Env) Ctx(sender types.Address) *core.Context {
	c := core.NewContext(e.Block, e.St)
	c.Sender = sender
	return c
}

// Exec runs one message as sender would through the router: on error every
// write is rolled back.
func (e *Env) Exec(sender types.Address, msg interface{ TxType() types.TxType }) ([]types.Event, error) {
	rt, ok := e.Router.Route(msg.TxType())
	if !ok {
		return nil, fmt.Errorf("%w %#x", core.ErrUnknownType, msg.TxType())
	}
	ctx := e.Ctx(sender)
	mark := e.St.Snapshot()
	if err := rt.Handler(ctx, core.Encode(msg)); err != nil {
		e.St.RevertTo(mark)
		return nil, err
	}
	return ctx.Events(), nil
}

// Call runs fn (e.g. a keeper method arbitration would call) like Exec.
func (e *Env) Call(fn func(ctx *core.Context) error) ([]types.Event, error) {
	ctx := e.Ctx(types.Address{})
	mark := e.St.Snapshot()
	if err := fn(ctx); err != nil {
		e.St.RevertTo(mark)
		return nil, err
	}
	return ctx.Events(), nil
}

// Advance starts the next block dt ms later with a fresh seed and runs the
// begin-block timers, returning their events.
func (e *Env) Advance(dt uint64) []types.Event {
	e.Block.Height++
	e.Block.Time += dt
	e.Block.Seed = types.Keccak([]byte("seed"), types.Keccak(e.Block.Seed[:]).Bytes())
	evs, err := e.Router.BeginBlock(e.Block, e.St)
	if err != nil {
		panic(fmt.Sprintf("begin block %d: %v", e.Block.Height, err))
	}
	e.LastBlockEvents = evs
	return evs
}

// Addr returns a deterministic test address.
func Addr(name string) types.Address {
	var a types.Address
	h := types.Keccak([]byte("c2ctest/" + name))
	copy(a[:], h[12:])
	return a
}

// Identity returns a deterministic KYC identity.
func Identity(name string) types.Hash { return types.Keccak([]byte("c2ctest/identity/" + name)) }

// Fund mints amount micro-USDT to a.
func (e *Env) Fund(a types.Address, amount uint64) {
	if err := e.Bank.Mint(e.St, a, amount); err != nil {
		panic(err)
	}
}

// KYCFor attests a with its own identity at level 2 (orders up to 10 000
// USDT) for a year.
func (e *Env) KYCFor(a types.Address) {
	e.Attest(a, types.Keccak([]byte("identity"), a[:]), 2, e.Block.Time+365*24*3600*1000)
}

// Method returns a payment method for currency.
func Method(currency, label string) acceptor.PaymentMethod {
	return acceptor.PaymentMethod{Currency: currency, Kind: "bank_transfer", DetailsHash: types.Keccak([]byte("details/" + currency + "/" + label))}
}

// AcceptorSpec describes an acceptor for NewAcceptor.
type AcceptorSpec struct {
	Currencies []string // sorted; default USD
	Float      uint64   // micro-USDT
	Margin     uint64
}

// NewAcceptor funds, KYCs and registers a, then deposits float and margin.
func (e *Env) NewAcceptor(a types.Address, s AcceptorSpec) {
	if len(s.Currencies) == 0 {
		s.Currencies = []string{"USD"}
	}
	var methods []acceptor.PaymentMethod
	for _, c := range s.Currencies {
		methods = append(methods, Method(c, a.Hex()))
	}
	e.Fund(a, s.Float+s.Margin+1)
	e.KYCFor(a)
	must(e.Exec(a, &acceptor.MsgRegister{Currencies: s.Currencies, Methods: methods}))
	if s.Float > 0 {
		must(e.Exec(a, &acceptor.MsgDepositFloat{Amount: s.Float}))
	}
	if s.Margin > 0 {
		must(e.Exec(a, &acceptor.MsgDepositMargin{Amount: s.Margin}))
	}
}

// NewMerchant KYCs a merchant.
func (e *Env) NewMerchant(a types.Address) { e.KYCFor(a) }

// Ramp sets parameters so that every acceptor is fully ramped up from the
// start (no age or completion ramp), for tests about other rules.
func (e *Env) Ramp() {
	e.SetParam(acceptor.ModuleName, acceptor.ParamRampAge, 0)
	e.SetParam(acceptor.ModuleName, acceptor.ParamRampOrders, 0)
}

func must(_ []types.Event, err error) {
	if err != nil {
		panic(err)
	}
}

// Invariants runs every invariant of bank, acceptor and order and returns
// the first broken one's message, or "".
func (e *Env) Invariants() string {
	return Invariants(e.Keepers, e.St)
}

// Invariants runs every module's invariants over st (as the router lists
// them: the one list govtest checks too), plus the exact equalities that
// hold when nobody sends USDT to a module account directly.
func Invariants(k Keepers, st state.Store) string {
	if msg := core.CheckInvariants(k.Modules(), st); msg != "" {
		return msg
	}
	t, err := k.Acceptor.Totals(st)
	if err != nil {
		return err.Error()
	}
	esc, err := k.Order.Escrowed(st)
	if err != nil {
		return err.Error()
	}
	switch {
	case k.Bank.Balance(st, acceptor.FloatAddress) != t.Float:
		return fmt.Sprintf("float account %d != ledgers %d", k.Bank.Balance(st, acceptor.FloatAddress), t.Float)
	case k.Bank.Balance(st, acceptor.MarginAddress) != t.Margin:
		return fmt.Sprintf("margin account %d != ledgers %d", k.Bank.Balance(st, acceptor.MarginAddress), t.Margin)
	case k.Bank.Balance(st, order.EscrowAddress) != esc:
		return fmt.Sprintf("escrow account %d != open orders %d", k.Bank.Balance(st, order.EscrowAddress), esc)
	case t.Locked != esc:
		return fmt.Sprintf("acceptors' locked %d != open orders %d", t.Locked, esc)
	}
	return ""
}

// Replace returns mods with each module of with in the place of the
// module of the same name (appended when there is none): a test that
// builds a module over its own keeper registers it instead of the
// profile's.
func Replace(mods []core.Module, with ...core.Module) []core.Module {
	out := slices.Clone(mods)
	for _, w := range with {
		i := slices.IndexFunc(out, func(m core.Module) bool { return m.Name() == w.Name() })
		if i < 0 {
			out = append(out, w)
			continue
		}
		out[i] = w
	}
	return out
}

// ResolveByHand unhooks arbitration from order: a disputed order opens no
// arbitration dispute, for tests that call order's Resolve methods
// themselves in arbitration's place (through arbitration, its dispute
// would stay open beside a resolved order, which its invariant refuses).
func (e *Env) ResolveByHand() {
	e.Order = e.Order.WithHook(nil)
	r, err := core.NewRouter(ChainID, nil, e.Keepers.Modules()...)
	if err != nil {
		panic(err)
	}
	e.Router = r
}
