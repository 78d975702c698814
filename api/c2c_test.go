package api_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
)

// backend serves a ledger to the API; the C2C queries need nothing else.
type backend struct{ l *ledger.Ledger }

func (b backend) Ledger() *ledger.Ledger { return b.l }
func (backend) SubmitTx([]byte) (types.Hash, error) {
	return types.Hash{}, errors.New("read-only test backend")
}
func (backend) SubmitTxs(r [][]byte) ([]types.Hash, []error) {
	return make([]types.Hash, len(r)), make([]error, len(r))
}
func (backend) PendingNonce(types.Address) (uint64, bool) { return 0, false }
func (backend) MempoolSize() int                          { return 0 }
func (backend) Peers() int                                { return 0 }
func (backend) Validator() types.Address                  { return types.Address{} }
func (backend) TxTypeName(types.TxType) string            { return "" }
func (backend) MinFee() uint64                            { return banktest.MinFee }
func (backend) Version() string                           { return "test" }
func (backend) CatchingUp() bool                          { return false }

// Keys of the test chain.
const (
	admin0 = iota
	admin1
	oracleKey
	kycKey
	merchantKey
	acceptorA
	acceptorB
	outsider
	nKeys
)

const genesisMs = 1_750_000_000_000

// chain runs the node's application over an in-memory ledger, one block
// per call, as a single validator.
type chain struct {
	t      *testing.T
	app    *node.App
	lc     *banktest.Chain
	keys   []*ecdsa.PrivateKey
	nonces map[types.Address]uint64
}

func (c *chain) addr(i int) types.Address { return types.PubkeyAddress(c.keys[i]) }

func newChain(t *testing.T) *chain {
	t.Helper()
	app, err := node.NewApp(banktest.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	c := &chain{t: t, app: app, nonces: map[types.Address]uint64{}}
	for i := 0; i < nKeys; i++ {
		c.keys = append(c.keys, banktest.DeterministicKey(uint64(7000+i)))
	}
	val := banktest.DeterministicKey(1 << 40)
	var allocs []node.Alloc
	for i := range c.keys {
		allocs = append(allocs, node.Alloc{Address: c.addr(i), Micro: 100_000 * types.MicroPerUSDT})
	}
	raw, err := node.BuildGenesis(node.InitOptions{ChainID: banktest.ChainID, Allocs: allocs,
		Validators: []types.Address{types.PubkeyAddress(val)}, Admins: []types.Address{c.addr(admin0), c.addr(admin1)},
		AdminThreshold: 2, Roles: []node.RoleGrant{{Address: c.addr(oracleKey), Role: gov.RoleOracle},
			{Address: c.addr(kycKey), Role: gov.RoleKYCProvider}},
		Params:      map[string]map[string]string{acceptor.ModuleName: {acceptor.ParamRampAge: "0", acceptor.ParamRampOrders: "0"}},
		GenesisTime: time.UnixMilli(genesisMs).UTC()}, types.Address{})
	if err != nil {
		t.Fatal(err)
	}
	if err := node.CheckGenesis(raw); err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if err := l.InitGenesis(raw, app.Router); err != nil {
		t.Fatal(err)
	}
	c.lc = &banktest.Chain{Ledger: l, Router: app.Router, Validator: val, Genesis: raw}
	return c
}

func (c *chain) sign(i int, t types.TxType, msg any) *types.Tx {
	a := c.addr(i)
	tx, err := types.SignTx(&types.Tx{ChainID: banktest.ChainID, Nonce: c.nonces[a], Type: t,
		Payload: core.Encode(msg), Fee: banktest.MinFee}, c.keys[i])
	if err != nil {
		c.t.Fatal(err)
	}
	c.nonces[a]++
	return tx
}

// produce commits a block dt ms after the last with txs, which must all
// succeed.
func (c *chain) produce(dt uint64, txs ...*types.Tx) []*types.Receipt {
	c.t.Helper()
	l := c.lc.Ledger
	last := l.Last()
	tpl := ledger.Template{Time: last.Time + dt, Proposer: types.PubkeyAddress(c.lc.Validator)}
	if last.Height > 0 {
		cert, err := l.Cert(last.Height)
		if err != nil {
			c.t.Fatal(err)
		}
		tpl.LastCert = cert
	}
	x, dropped, err := l.Build(tpl, txs, c.app.Router)
	if err != nil {
		c.t.Fatal(err)
	}
	if len(dropped) > 0 {
		c.t.Fatalf("dropped: %v", dropped[0].Err)
	}
	if err := l.Commit(x, c.lc.Cert(x.Block)); err != nil {
		c.t.Fatal(err)
	}
	for i, rc := range x.Receipts {
		if rc.Status != types.StatusOK {
			c.t.Fatalf("block %d tx %d: %s", x.Block.Height(), i, rc.Error)
		}
	}
	return x.Receipts
}

func method(cur string, i int) acceptor.PaymentMethod {
	return acceptor.PaymentMethod{Currency: cur, Kind: "bank_transfer", DetailsHash: types.Keccak([]byte(fmt.Sprintf("details-%s-%d", cur, i)))}
}

func rpcCode(err error) int { return wire.CodeOf(err) }

func TestC2CQueries(t *testing.T) {
	c := newChain(t)
	srv := api.NewServer(backend{c.lc.Ledger}, slog.New(slog.DiscardHandler))
	srv.RegisterC2C(c.app.C2C())
	hs := httptest.NewServer(srv)
	defer hs.Close()
	cl := client.New(hs.URL)
	ctx := context.Background()

	// Block 1: an open proposal (threshold 2), rates, attestations.
	exp := uint64(genesisMs + 365*24*3600*1000)
	attest := func(i int, level uint8) *types.Tx {
		return c.sign(kycKey, kyc.TypeAttest, &kyc.MsgAttest{Account: c.addr(i), Level: level, ExpiresAt: exp,
			Country: "SG", RecordHash: types.Keccak([]byte{byte(i)})})
	}
	c.produce(1000,
		c.sign(admin0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
			gov.SetUint64ParamAction(order.ModuleName, order.ParamFeeBps, 20),
			gov.GrantRoleAction(c.addr(outsider), gov.RoleArbitrator)}, Memo: "fee 20 bps"}),
		c.sign(oracleKey, oracle.TypePostRates, &oracle.MsgPostRates{Rates: []oracle.RatePost{
			{Currency: "USD", Rate: oracle.RateScale}, {Currency: "CNY", Rate: 720_000_000}, {Currency: "JPY", Rate: 150 * oracle.RateScale}}}),
		attest(merchantKey, 2), attest(acceptorA, 3), attest(acceptorB, 3))

	t.Run("open proposal", func(t *testing.T) {
		p, err := cl.Proposal(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if p.Threshold != 2 || len(p.Approvals) != 1 || p.Approvals[0] != c.addr(admin0).Hex() || p.Memo != "fee 20 bps" ||
			len(p.Actions) != 2 || p.Actions[0].Kind != "set_param" || p.Actions[0].Module != "order" || p.Actions[0].Value != "20" ||
			p.Actions[1].Kind != "grant_role" || p.Actions[1].Role != "arbitrator" {
			t.Fatalf("%+v", p)
		}
		ps, err := cl.Proposals(ctx)
		if err != nil || len(ps) != 1 || ps[0].ID != 1 {
			t.Fatalf("%+v %v", ps, err)
		}
		if _, err := cl.Proposal(ctx, 2); rpcCode(err) != wire.CodeNotFound {
			t.Fatalf("proposal 2: %v", err)
		}
	})

	// Block 2: the acceptors register and fund; the second admin approves.
	regA := &acceptor.MsgRegister{Currencies: []string{"CNY", "USD"}, Methods: []acceptor.PaymentMethod{method("CNY", 0), method("USD", 0)}}
	regB := &acceptor.MsgRegister{Currencies: []string{"JPY", "USD"}, Methods: []acceptor.PaymentMethod{method("JPY", 1), method("USD", 1)}}
	c.produce(1000,
		c.sign(acceptorA, acceptor.TypeRegister, regA),
		c.sign(acceptorA, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: 1000 * types.MicroPerUSDT}),
		c.sign(acceptorA, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: 500 * types.MicroPerUSDT}),
		c.sign(acceptorB, acceptor.TypeRegister, regB),
		c.sign(acceptorB, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: 2000 * types.MicroPerUSDT}),
		c.sign(acceptorB, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: 500 * types.MicroPerUSDT}),
		c.sign(admin1, gov.TypeApprove, &gov.MsgApprove{ProposalID: 1}))

	// Block 3: orders. 720 CNY and 15000 JPY are 100 USDT each; 5000 USD
	// exceeds every float and is rejected.
	ref := func(s string) *order.MsgCreate {
		var m order.MsgCreate
		switch s {
		case "cny":
			m = order.MsgCreate{Currency: "CNY", FiatAmount: 72000, MerchantRef: s}
		case "jpy":
			m = order.MsgCreate{Currency: "JPY", FiatAmount: 15000, MerchantRef: s}
		case "usd":
			m = order.MsgCreate{Currency: "USD", FiatAmount: 4250, MerchantRef: s}
		case "big":
			m = order.MsgCreate{Currency: "USD", FiatAmount: 500000, MerchantRef: s}
		}
		return &m
	}
	c.produce(1000, c.sign(merchantKey, order.TypeCreate, ref("cny")), c.sign(merchantKey, order.TypeCreate, ref("jpy")),
		c.sign(merchantKey, order.TypeCreate, ref("usd")), c.sign(merchantKey, order.TypeCreate, ref("big")))
	m := c.addr(merchantKey)
	cnyID := order.OrderID(m, "cny")
	// Block 4: the CNY order is paid.
	c.produce(1000, c.sign(merchantKey, order.TypeMarkPaid, &order.MsgMarkPaid{ID: cnyID, PaymentRef: types.Keccak([]byte("wire 1"))}))

	t.Run("proposal executed", func(t *testing.T) {
		if _, err := cl.Proposal(ctx, 1); rpcCode(err) != wire.CodeNotFound {
			t.Fatalf("executed proposal still answered: %v", err)
		}
		p, err := cl.Params(ctx, "order")
		if err != nil || p.Params["fee_bps"] != "20" || p.Params["commission_bps"] != "50" || p.Params["payment_window_ms"] != "900000" {
			t.Fatalf("%+v %v", p, err)
		}
		r, err := cl.Roles(ctx, c.addr(outsider))
		if err != nil || r.Admin || len(r.Roles) != 1 || r.Roles[0] != "arbitrator" {
			t.Fatalf("%+v %v", r, err)
		}
	})

	t.Run("order", func(t *testing.T) {
		o, err := cl.Order(ctx, cnyID)
		if err != nil {
			t.Fatal(err)
		}
		if o.State != "PAID" || o.Currency != "CNY" || o.FiatAmount != "720.00" || o.FiatMinor != 72000 || o.Amount != "100" ||
			o.AmountMicro != 100*types.MicroPerUSDT || o.Acceptor != c.addr(acceptorA).Hex() || o.FeeBps != 20 || o.CommissionBps != 50 ||
			o.Merchant != m.Hex() || o.MerchantRef != "cny" || o.PaymentRef != types.Keccak([]byte("wire 1")).Hex() ||
			o.DeadlineMs != o.PaidAtMs+1_800_000 || o.Method != method("CNY", 0).DetailsHash.Hex() {
			t.Fatalf("%+v", o)
		}
		j, err := cl.Order(ctx, order.OrderID(m, "jpy"))
		if err != nil || j.State != "LOCKED" || j.FiatAmount != "15000" || j.Acceptor != c.addr(acceptorB).Hex() || j.AmountMicro != 100*types.MicroPerUSDT {
			t.Fatalf("%+v %v", j, err)
		}
		big, err := cl.Order(ctx, order.OrderID(m, "big"))
		if err != nil || big.State != "REJECTED" || big.Acceptor != "" || big.ClosedAtMs == 0 {
			t.Fatalf("%+v %v", big, err)
		}
		if _, err := cl.Order(ctx, order.OrderID(m, "nope")); rpcCode(err) != wire.CodeNotFound {
			t.Fatalf("unknown order: %v", err)
		}
		var raw json.RawMessage
		if err := cl.Call(ctx, "accord_getOrder", &raw, "0x12"); rpcCode(err) != wire.CodeInvalidParams {
			t.Fatalf("malformed id: %v", err)
		}
	})

	t.Run("orders", func(t *testing.T) {
		all, err := cl.Orders(ctx, views.OrderFilter{Merchant: m.Hex()})
		if err != nil || len(all.Orders) != 4 || all.Next != 0 {
			t.Fatalf("%+v %v", all, err)
		}
		for i := 1; i < len(all.Orders); i++ {
			if all.Orders[i].Seq <= all.Orders[i-1].Seq {
				t.Fatal("not in creation order")
			}
		}
		locked, err := cl.Orders(ctx, views.OrderFilter{Merchant: m.Hex(), State: "locked"})
		if err != nil || len(locked.Orders) != 2 {
			t.Fatalf("%+v %v", locked, err)
		}
		page, err := cl.Orders(ctx, views.OrderFilter{Merchant: m.Hex(), Limit: 3})
		if err != nil || len(page.Orders) != 3 || page.Next != page.Orders[2].Seq {
			t.Fatalf("%+v %v", page, err)
		}
		rest, err := cl.Orders(ctx, views.OrderFilter{Merchant: m.Hex(), After: page.Next})
		if err != nil || len(rest.Orders) != 1 || rest.Orders[0].MerchantRef != "big" {
			t.Fatalf("%+v %v", rest, err)
		}
		byB, err := cl.Orders(ctx, views.OrderFilter{Acceptor: c.addr(acceptorB).Hex()})
		if err != nil || len(byB.Orders) == 0 {
			t.Fatalf("%+v %v", byB, err)
		}
		for _, o := range byB.Orders {
			if o.Acceptor != c.addr(acceptorB).Hex() {
				t.Fatalf("%+v", o)
			}
		}
		for _, bad := range []views.OrderFilter{{}, {Merchant: m.Hex(), Acceptor: m.Hex()}, {Merchant: "0x1"},
			{Merchant: m.Hex(), State: "DONE"}, {Merchant: m.Hex(), Limit: 5000}} {
			if _, err := cl.Orders(ctx, bad); rpcCode(err) != wire.CodeInvalidParams {
				t.Fatalf("%+v: %v", bad, err)
			}
		}
	})

	t.Run("acceptor", func(t *testing.T) {
		a, err := cl.Acceptor(ctx, c.addr(acceptorA))
		if err != nil {
			t.Fatal(err)
		}
		// The CNY order (100 USDT) and maybe the USD one are locked.
		if a.Status != "active" || !a.KYCValid || a.MarginMicro != 500*types.MicroPerUSDT || a.FloatMicro+a.LockedMicro != 1000*types.MicroPerUSDT ||
			a.LockedMicro < 100*types.MicroPerUSDT || a.Reputation != 300 || len(a.Methods) != 2 || a.Currencies[0] != "CNY" ||
			a.Limits.Volume24hMicro != a.LockedMicro || a.Limits.MarginReqMicro != acceptor.RequiredMargin(a.LockedMicro, 2000) ||
			a.Limits.OrderMicro != 50_000*types.MicroPerUSDT {
			t.Fatalf("%+v", a)
		}
		if _, err := cl.Acceptor(ctx, c.addr(outsider)); rpcCode(err) != wire.CodeNotFound {
			t.Fatalf("unregistered: %v", err)
		}
		list, err := cl.Acceptors(ctx, types.Address{}, 0)
		if err != nil || len(list.Acceptors) != 2 {
			t.Fatalf("%+v %v", list, err)
		}
		one, err := cl.Acceptors(ctx, types.Address{}, 1)
		if err != nil || len(one.Acceptors) != 1 || one.Next != one.Acceptors[0].Address {
			t.Fatalf("%+v %v", one, err)
		}
	})

	t.Run("kyc and roles", func(t *testing.T) {
		k, err := cl.KYC(ctx, m)
		if err != nil || k.Status != "valid" || !k.Valid || k.Level != 2 || k.OrderLimit != "10000" ||
			k.Provider != c.addr(kycKey).Hex() || k.ExpiresAtMs != exp || k.Country != "SG" {
			t.Fatalf("%+v %v", k, err)
		}
		if _, err := cl.KYC(ctx, c.addr(outsider)); rpcCode(err) != wire.CodeNotFound {
			t.Fatalf("no kyc: %v", err)
		}
		r, err := cl.Roles(ctx, c.addr(admin1))
		if err != nil || !r.Admin || len(r.Roles) != 0 {
			t.Fatalf("%+v %v", r, err)
		}
		oracles, err := cl.RoleMembers(ctx, "oracle")
		if err != nil || len(oracles) != 1 || oracles[0] != c.addr(oracleKey).Hex() {
			t.Fatalf("%v %v", oracles, err)
		}
		admins, err := cl.RoleMembers(ctx, "admin")
		if err != nil || len(admins) != 2 {
			t.Fatalf("%v %v", admins, err)
		}
		if _, err := cl.RoleMembers(ctx, "king"); rpcCode(err) != wire.CodeInvalidParams {
			t.Fatalf("bad role: %v", err)
		}
	})

	t.Run("params", func(t *testing.T) {
		g, err := cl.Params(ctx, "gov")
		if err != nil || g.Threshold != 2 || len(g.Admins) != 2 || g.Params["proposal_ttl_ms"] != "604800000" {
			t.Fatalf("%+v %v", g, err)
		}
		b, err := cl.Params(ctx, "bank")
		if err != nil || b.Params["min_fee"] != "0.01" || b.Params["supply"] != "800000" {
			t.Fatalf("%+v %v", b, err)
		}
		k, err := cl.Params(ctx, "kyc")
		if err != nil || k.Params["max_level"] != "3" || k.Params["level_limit.2"] != "10000000000" {
			t.Fatalf("%+v %v", k, err)
		}
		a, err := cl.Params(ctx, "acceptor")
		if err != nil || a.Params["ramp_age_ms"] != "0" || a.Params["margin_bps"] != "2000" {
			t.Fatalf("%+v %v", a, err)
		}
		if _, err := cl.Params(ctx, "nope"); rpcCode(err) != wire.CodeInvalidParams {
			t.Fatalf("unknown module: %v", err)
		}
	})

	t.Run("rates", func(t *testing.T) {
		r, err := cl.Rates(ctx)
		if err != nil || len(r.Rates) != len(oracle.Currencies()) || r.MaxRateAgeMs != 600_000 || r.MinPosts != 1 {
			t.Fatalf("%+v %v", r, err)
		}
		by := map[string]views.Rate{}
		for _, x := range r.Rates {
			by[x.Currency] = x
		}
		if x := by["CNY"]; x.Status != "ok" || x.Rate != "7.2" || x.RateE8 != 720_000_000 || x.Posts != 1 || x.FreshPosts != 1 || x.AgeMs != 3000 || x.Decimals != 2 {
			t.Fatalf("%+v", x)
		}
		if x := by["JPY"]; x.Status != "ok" || x.Rate != "150" || x.Decimals != 0 {
			t.Fatalf("%+v", x)
		}
		if x := by["EUR"]; x.Status != "none" || x.Rate != "" || x.Posts != 0 {
			t.Fatalf("%+v", x)
		}
	})

	// Eleven minutes later every post is stale.
	c.produce(11 * 60 * 1000)
	t.Run("stale rates", func(t *testing.T) {
		r, err := cl.Rates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range r.Rates {
			if x.Currency == "USD" && (x.Status != "stale" || x.Rate != "" || x.FreshPosts != 0 || x.Posts != 1 || x.AgeMs != 11*60*1000+3000) {
				t.Fatalf("%+v", x)
			}
		}
	})
}

// TestParamViewsCoverEveryKey keeps the parameter maps of accord_getParams
// in step with the modules' parameter lists.
func TestParamViewsCoverEveryKey(t *testing.T) {
	check := func(name string, got map[string]string, keys []string) {
		t.Helper()
		var want []string
		for k := range got {
			want = append(want, k)
		}
		sort.Strings(want)
		sort.Strings(keys)
		if fmt.Sprint(want) != fmt.Sprint(keys) {
			t.Fatalf("%s params view has %v, module declares %v", name, want, keys)
		}
	}
	var ak, ok []string
	for _, b := range acceptor.ParamBounds() {
		ak = append(ak, b.Key)
	}
	for _, b := range order.ParamBounds() {
		ok = append(ok, b.Key)
	}
	check("acceptor", api.AcceptorParams(acceptor.DefaultParams()), ak)
	check("order", api.OrderParams(order.DefaultParams()), ok)
}

func TestProposalViewShowsEveryActionKind(t *testing.T) {
	a, b := types.Address{0xa}, types.Address{0xb}
	p := &gov.Proposal{ID: 7, Proposer: a, Actions: []gov.Action{
		gov.GrantRoleAction(b, gov.RoleOracle), gov.SetThresholdAction(3), gov.SetValidatorsAction(a, b)}}
	v := api.ProposalView(p, 2)
	if len(v.Actions) != 3 || v.Actions[0].Kind != "grant_role" || v.Actions[0].Address != b.Hex() ||
		v.Actions[1].Threshold != 3 || v.Actions[2].Kind != "set_validators" ||
		len(v.Actions[2].Validators) != 2 || v.Actions[2].Validators[0] != a.Hex() || v.Actions[2].Validators[1] != b.Hex() {
		t.Fatalf("%+v", v.Actions)
	}
}
