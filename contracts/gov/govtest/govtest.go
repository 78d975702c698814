// Package govtest runs the gov, kyc and oracle modules (with bank for the
// account checks; package app's main profile plus kyc and oracle) over an
// in-memory state.Overlay, checking every module's invariants at each
// Advance, for tests of these
// modules and of the modules built on them. Time is an explicit block
// clock the test advances; nothing reads the wall clock.
package govtest

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"github.com/accordnet/accord/app"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ChainID of govtest chains.
const ChainID = banktest.ChainID

// GenesisTime is the default genesis block time, unix ms.
const GenesisTime uint64 = 1_700_000_000_000

// NewRouter returns the bank+gov+kyc+oracle application with bank's ante:
// the main profile of package app with kyc and oracle, then extra.
func NewRouter(extra ...core.Module) *core.Router {
	a, err := app.New(app.Main, ChainID, app.WithModuleFuncs(app.KYCModule, app.OracleModule), app.WithModules(extra...))
	if err != nil {
		panic(err)
	}
	return a.Router
}

// KeyRole grants Role to the key with index Key at genesis.
type KeyRole struct {
	Key  int
	Role gov.Role
}

// Setup describes a test chain. Keys are banktest.DeterministicKey(i),
// each funded with 1 000 000 USDT.
type Setup struct {
	Keys      int   // number of funded keys (default 8)
	Admins    []int // key indices (default: key 0)
	Threshold uint64
	Roles     []KeyRole
	Params    map[string]map[string]string // gov "params" section
	KYC       *kyc.Genesis
	Oracle    *oracle.Genesis
	Time      uint64 // genesis time (default GenesisTime)
}

// Genesis returns the app_state sections of s.
func (s Setup) Genesis() map[string]json.RawMessage {
	keys := s.keys()
	addr := func(i int) string { return types.PubkeyAddress(keys[i]).Hex() }
	accs := make([]bank.GenesisAccount, len(keys))
	for i := range keys {
		accs[i] = bank.GenesisAccount{Address: addr(i), Balance: "1000000"}
	}
	g := gov.Genesis{Threshold: s.Threshold, Params: s.Params}
	admins := s.Admins
	if len(admins) == 0 {
		admins = []int{0}
	}
	if g.Threshold == 0 {
		g.Threshold = 1
	}
	for _, i := range admins {
		g.Admins = append(g.Admins, addr(i))
	}
	for _, r := range s.Roles {
		g.Roles = append(g.Roles, gov.GenesisRole{Address: addr(r.Key), Role: r.Role.String()})
	}
	out := map[string]json.RawMessage{
		"bank": mustJSON(bank.Genesis{MinFee: types.FormatUSDT(banktest.MinFee), Accounts: accs}),
		"gov":  mustJSON(g),
	}
	if s.KYC != nil {
		out["kyc"] = mustJSON(s.KYC)
	}
	if s.Oracle != nil {
		out["oracle"] = mustJSON(s.Oracle)
	}
	return out
}

func (s Setup) keys() []*ecdsa.PrivateKey {
	n := s.Keys
	if n == 0 {
		n = 8
	}
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		keys[i] = banktest.DeterministicKey(uint64(i))
	}
	return keys
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Env is a running test chain over one overlay.
type Env struct {
	TB     testing.TB
	Router *core.Router
	St     *state.Overlay
	Keys   []*ecdsa.PrivateKey
	Block  core.Block
	Events []types.Event // of the last Exec, Send or Advance

	Gov    gov.Keeper
	KYC    kyc.Keeper
	Oracle oracle.Keeper
	Bank   bank.Keeper
}

// New initializes the chain; a genesis error fails the test.
func New(tb testing.TB, s Setup) *Env {
	tb.Helper()
	e, err := TryNew(tb, s)
	if err != nil {
		tb.Fatalf("genesis: %v", err)
	}
	return e
}

// TryNew initializes the chain and returns the genesis error.
func TryNew(tb testing.TB, s Setup) (*Env, error) {
	t := s.Time
	if t == 0 {
		t = GenesisTime
	}
	e := &Env{TB: tb, Router: NewRouter(), St: state.NewOverlay(nil), Keys: s.keys(),
		Block: core.Block{ChainID: ChainID, Height: 0, Time: t}}
	if err := e.Router.InitGenesis(e.Block, e.St, s.Genesis()); err != nil {
		return nil, err
	}
	e.Block.Height = 1
	return e, nil
}

// Addr is the address of key i.
func (e *Env) Addr(i int) types.Address { return types.PubkeyAddress(e.Keys[i]) }

// Now is the current block time, ms.
func (e *Env) Now() uint64 { return e.Block.Time }

// Exec runs msg's handler as key i in the current block, without the ante
// (no nonce or fee), and returns the handler's error unwrapped so tests can
// use errors.Is. A failing handler's writes and events are rolled back, as
// the router does.
func (e *Env) Exec(i int, typ types.TxType, msg any) error {
	return e.ExecAs(e.Addr(i), typ, msg)
}

// ExecAs is Exec for any sender address.
func (e *Env) ExecAs(from types.Address, typ types.TxType, msg any) error {
	rt, ok := e.Router.Route(typ)
	if !ok {
		return fmt.Errorf("%w %#x", core.ErrUnknownType, typ)
	}
	return e.ExecRaw(from, rt, core.Encode(msg))
}

// ExecRaw runs a route's handler on a raw payload (see Exec).
func (e *Env) ExecRaw(from types.Address, rt core.Route, payload []byte) error {
	ctx := core.NewContext(e.Block, e.St)
	ctx.Sender = from
	mark := e.St.Snapshot()
	err := rt.Handler(ctx, payload)
	if err != nil {
		e.St.RevertTo(mark)
		e.Events = nil
		return err
	}
	e.Events = ctx.Events()
	return nil
}

// Sign signs msg as key i with its next nonce and the minimum fee.
func (e *Env) Sign(i int, typ types.TxType, msg any) *types.Tx {
	tx, err := types.SignTx(&types.Tx{ChainID: ChainID, Nonce: e.Bank.GetAccount(e.St, e.Addr(i)).Nonce,
		Type: typ, Payload: core.Encode(msg), Fee: banktest.MinFee}, e.Keys[i])
	if err != nil {
		e.TB.Fatal(err)
	}
	return tx
}

// Send signs msg as key i and applies it through the router, ante
// included. An invalid transaction fails the test.
func (e *Env) Send(i int, typ types.TxType, msg any) *types.Receipt {
	e.TB.Helper()
	rc, err := e.Router.ApplyTx(e.Block, e.St, e.Sign(i, typ, msg))
	if err != nil {
		e.TB.Fatalf("tx %#x invalid: %v", typ, err)
	}
	e.Events = rc.Events
	return rc
}

// Advance moves to the next block, ms later, and runs BeginBlock.
func (e *Env) Advance(ms uint64) {
	e.TB.Helper()
	e.Block.Height++
	e.Block.Time += ms
	evs, err := e.Router.BeginBlock(e.Block, e.St)
	if err != nil {
		e.TB.Fatalf("begin block %d: %v", e.Block.Height, err)
	}
	e.Events = evs
	e.CheckInvariants()
}

// Dump renders every key under prefix with its value, for asserting that
// a refused message changed nothing.
func (e *Env) Dump(prefix string) string {
	var b strings.Builder
	p := []byte(prefix)
	e.St.Iterate(p, state.PrefixEnd(p), false, func(k, v []byte) bool {
		fmt.Fprintf(&b, "%x=%x\n", k, v)
		return true
	})
	return b.String()
}

// CheckInvariants fails the test if an invariant of any registered module
// (bank, gov, kyc, oracle and the extra ones) is broken: the router's one
// list, which contracts/c2ctest checks too.
func (e *Env) CheckInvariants() {
	e.TB.Helper()
	if msg := e.Router.CheckInvariants(e.St); msg != "" {
		e.TB.Fatalf("height %d: invariant broken: %s", e.Block.Height, msg)
	}
}

// Event returns the first event of type typ among the last events.
func (e *Env) Event(typ string) (types.Event, bool) {
	for _, ev := range e.Events {
		if ev.Type == typ {
			return ev, true
		}
	}
	return types.Event{}, false
}

// EventTypes lists the last events' types.
func (e *Env) EventTypes() []string {
	out := make([]string, len(e.Events))
	for i, ev := range e.Events {
		out[i] = ev.Type
	}
	return out
}
