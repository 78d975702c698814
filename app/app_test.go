package app_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/core/coretest"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

func names(a *app.App) []string {
	var out []string
	for _, m := range a.Modules() {
		out = append(out, m.Name())
	}
	return out
}

func TestProfiles(t *testing.T) {
	for _, c := range []struct {
		p    app.Profile
		want []string
	}{
		{app.Side, []string{"bank", "gov", "kyc", "oracle", "risk", "acceptor", "order", "pay", "channel", "arbitration", "lightclient", "bridge"}},
		{app.Main, []string{"bank", "gov", "checkpoint", "bridge"}},
	} {
		a, err := app.New(c.p, "c")
		if err != nil {
			t.Fatal(err)
		}
		if got := names(a); !slices.Equal(got, c.want) {
			t.Fatalf("%s: modules %v, want %v", c.p, got, c.want)
		}
	}
	if _, err := app.New("moon", "c"); err == nil {
		t.Fatal("unknown profile accepted")
	}
	// Each profile's bank refuses transfers into every module account.
	for _, c := range []struct {
		p    app.Profile
		want []types.Address
	}{
		{app.Side, []types.Address{acceptor.FloatAddress, acceptor.MarginAddress, order.EscrowAddress, pay.EscrowAddress, channel.EscrowAddress}},
		{app.Main, []types.Address{bridge.EscrowAddress}},
	} {
		a, _ := app.New(c.p, "c")
		got := a.Router.Blocked()
		if len(got) != len(c.want) {
			t.Fatalf("%s: blocked %v, want %v", c.p, got, c.want)
		}
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Fatalf("%s: %s not blocked (blocked %v)", c.p, w.Hex(), got)
			}
		}
	}
}

// worded is a module whose one message always fails with err: two builds
// of it with differently worded errors stand for two releases.
type worded struct{ err error }

const typeWorded types.TxType = 0x7e01

func (worded) Name() string                                     { return "worded" }
func (worded) InitGenesis(*core.Context, json.RawMessage) error { return nil }
func (worded) Cost(*types.Tx) (uint64, error)                   { return 0, nil }
func (w worded) ErrorCodes() []core.ErrorCode                   { return []core.ErrorCode{{Code: 7, Err: w.err}} }
func (w worded) Routes() []core.Route {
	return []core.Route{{Type: typeWorded, Name: "worded.fail", Handler: func(*core.Context, []byte) error {
		return fmt.Errorf("context: %w", w.err)
	}}}
}

// node is one ledger running one build of the application.
type node struct {
	t      *testing.T
	router *core.Router
	lc     *banktest.Chain
}

func newNode(t *testing.T, opts ...app.Option) *node {
	t.Helper()
	a, err := app.New(app.Main, govtest.ChainID, opts...)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	val := banktest.DeterministicKey(1 << 40)
	g := ledger.Genesis{ChainID: govtest.ChainID, GenesisTime: time.UnixMilli(int64(govtest.GenesisTime)).UTC(),
		Validators: []string{types.PubkeyAddress(val).Hex()}, AppState: govtest.Setup{}.Genesis()}
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.InitGenesis(raw, a.Router); err != nil {
		t.Fatal(err)
	}
	return &node{t: t, router: a.Router, lc: &banktest.Chain{Ledger: l, Router: a.Router, Validator: val, Genesis: raw}}
}

func (n *node) produce(txs ...*types.Tx) *ledger.Executed {
	n.t.Helper()
	x, dropped, err := n.lc.Produce(txs)
	if err != nil || len(dropped) > 0 {
		n.t.Fatalf("produce: %v, dropped %v", err, dropped)
	}
	return x
}

func signed(t *testing.T, key int, nonce uint64, typ types.TxType, msg any) *types.Tx {
	tx, err := types.SignTx(&types.Tx{ChainID: govtest.ChainID, Nonce: nonce, Type: typ, Payload: core.Encode(msg),
		Fee: banktest.MinFee}, banktest.DeterministicKey(uint64(key)))
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestRewordedErrorKeepsBlockHashes runs one failing transaction on two
// builds whose error texts differ: the receipts carry the same stable
// code, the blocks hash the same, and each node keeps its own message.
func TestRewordedErrorKeepsBlockHashes(t *testing.T) {
	v1 := newNode(t, app.WithModules(worded{errors.New("amount too large")}))
	v2 := newNode(t, app.WithModules(worded{errors.New("the amount exceeds the limit (reworded in v2)")}))
	tx := signed(t, 1, 0, typeWorded, &struct{}{})
	x1, x2 := v1.produce(tx), v2.produce(tx)
	r1, r2 := x1.Receipts[0], x2.Receipts[0]
	if r1.Status != types.StatusFailed || r1.Codespace != "worded" || r1.Code != 7 || r2.Codespace != r1.Codespace || r2.Code != r1.Code {
		t.Fatalf("receipts %+v / %+v", r1, r2)
	}
	if r1.Error == r2.Error {
		t.Fatal("the two builds should word the error differently")
	}
	if x1.Block.Hash() != x2.Block.Hash() || x1.Block.Header.ReceiptRoot != x2.Block.Header.ReceiptRoot {
		t.Fatalf("block hashes differ: %s / %s", x1.Block.Hash().Hex(), x2.Block.Hash().Hex())
	}
	// The message is stored beside the receipt, for the API and the CLI.
	res, err := v2.lc.Ledger.Tx(tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if res.Receipt.Error != "worded.fail: context: the amount exceeds the limit (reworded in v2)" || res.Receipt.Code != 7 {
		t.Fatalf("stored receipt %+v", res.Receipt)
	}
	// A failure the module did not register still has a stable code: bank's
	// own (a bank error) or the module's CodeUnknown.
	rc, err := v1.router.ApplyTx(core.Block{ChainID: govtest.ChainID, Height: 9, Time: govtest.GenesisTime},
		v1.lc.Ledger.State(), signed(t, 2, 0, bank.TypeTransfer, &bank.MsgTransfer{To: types.Address{9}, Amount: 1 << 62}))
	if err != nil || rc.Codespace != "bank" || rc.Code != 2 {
		t.Fatalf("over-balance transfer: %+v %v", rc, err)
	}
}

// TestPanickingHandlerFailsItsTransaction: a handler that panics yields a
// failed receipt (core/CodePanic) with its writes rolled back, the fee and
// nonce kept, the rest of the block executed, and two nodes agree.
func TestPanickingHandlerFailsItsTransaction(t *testing.T) {
	reg := app.WithModuleFuncs(func(k *app.Keepers) core.Module { return coretest.New(k.Gov) })
	a, b := newNode(t, reg), newNode(t, reg)
	txs := []*types.Tx{signed(t, 1, 0, coretest.TypePanic, &coretest.MsgPanic{Note: "boom"}),
		signed(t, 1, 1, coretest.TypePing, &coretest.MsgPing{Add: 2})}
	xa, xb := a.produce(txs...), b.produce(txs...)
	if xa.Block.Hash() != xb.Block.Hash() {
		t.Fatal("nodes disagree after a panic")
	}
	rc := xa.Receipts[0]
	if rc.Status != types.StatusFailed || rc.Codespace != core.Codespace || rc.Code != core.CodePanic {
		t.Fatalf("panic receipt %+v", rc)
	}
	st := a.lc.Ledger.State()
	if coretest.Panicked(st) {
		t.Fatal("the panicking handler's write survived")
	}
	if xa.Receipts[1].Status != types.StatusOK || coretest.Counter(st) != 2 {
		t.Fatalf("next tx %+v counter %d", xa.Receipts[1], coretest.Counter(st))
	}
	if acc := (bank.Keeper{}).GetAccount(st, types.PubkeyAddress(banktest.DeterministicKey(1))); acc.Nonce != 2 {
		t.Fatalf("nonce %d after two txs", acc.Nonce)
	}
}

// TestModulesDeclareTheirEvents: every module of each profile lists its
// typed events, each named after the module, once.
func TestModulesDeclareTheirEvents(t *testing.T) {
	for _, tc := range []struct {
		profile app.Profile
		want    int
	}{
		// bank 1, gov 13, kyc 2, oracle 1, risk 4, acceptor 10, order 14, pay 5, channel 6, arbitration 6,
		// lightclient 4, bridge (side half) 3
		{app.Side, 69},
		// bank 1, gov 13, checkpoint 6, bridge 10
		{app.Main, 30},
	} {
		t.Run(string(tc.profile), func(t *testing.T) { checkDeclaredEvents(t, tc.profile, tc.want) })
	}
}

func checkDeclaredEvents(t *testing.T, p app.Profile, want int) {
	a, err := app.New(p, "c")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range a.Modules() {
		d, ok := m.(core.EventDeclarer)
		if !ok {
			t.Fatalf("%s declares no events", m.Name())
		}
		for _, e := range d.Events() {
			typ := e.EventType()
			if seen[typ] || len(typ) <= len(m.Name()) || typ[:len(m.Name())+1] != m.Name()+"." {
				t.Fatalf("%s: event %q repeated or not named after the module", m.Name(), typ)
			}
			seen[typ] = true
			if len(core.EventKeys(e)) == 0 {
				t.Fatalf("%s has no attributes", typ)
			}
		}
	}
	if len(seen) != want {
		t.Fatalf("%d event types, want %d", len(seen), want)
	}
}
