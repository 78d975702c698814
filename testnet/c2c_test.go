package testnet

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// c2cEnv drives a live cluster through the SDK as a set of actors, keeping
// count of every transaction each one got into a block (each paid the
// minimum fee, whatever its outcome).
type c2cEnv struct {
	t       *testing.T
	c       *Cluster
	ctx     context.Context
	chainID string
	fee     uint64
	actors  []*actor
}

// envOn is a C2C environment on cluster c, within ctx, with the dev key
// genesis funded as its first actor.
func envOn(t *testing.T, c *Cluster, ctx context.Context) (*c2cEnv, *actor) {
	t.Helper()
	st, err := c.Client(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := &c2cEnv{t: t, c: c, ctx: ctx, chainID: st.ChainID, fee: st.MinFeeMicro}
	devKey, err := client.Keyring{Dir: c.Layout.Home(0).KeysDir()}.Load("dev", "dev")
	if err != nil {
		t.Fatal(err)
	}
	return e, e.actor("dev", devKey)
}

type actor struct {
	name string
	key  *ecdsa.PrivateKey
	addr types.Address
	s    *client.Signer
	cl   *client.Client // the node it submits to
	sent uint64         // transactions committed (fees paid)
}

func (e *c2cEnv) actor(name string, key *ecdsa.PrivateKey) *actor {
	if key == nil {
		var err error
		if key, err = crypto.GenerateKey(); err != nil {
			e.t.Fatal(err)
		}
	}
	a := &actor{name: name, key: key, addr: types.PubkeyAddress(key), s: client.NewSigner(key, e.chainID, e.fee),
		cl: e.c.Client(len(e.actors) % e.c.Layout.Validators)}
	e.actors = append(e.actors, a)
	return a
}

// submit signs and sends one message; a rejection fails the test.
func (e *c2cEnv) submit(a *actor, typ types.TxType, msg any) types.Hash {
	e.t.Helper()
	tx, err := a.s.Submit(e.ctx, a.cl, typ, msg)
	if err != nil {
		e.t.Fatalf("%s: %#x rejected: %v", a.name, typ, err)
	}
	a.sent++
	return tx.Hash()
}

// wait returns the receipts of hashes once committed (read from node0).
func (e *c2cEnv) wait(hashes ...types.Hash) []*views.Receipt {
	e.t.Helper()
	out := make([]*views.Receipt, len(hashes))
	for i, h := range hashes {
		r, err := e.c.Client(0).WaitReceipt(e.ctx, h)
		if err != nil {
			e.t.Fatal(err)
		}
		out[i] = r
	}
	return out
}

// ok waits for hashes and fails the test unless every message succeeded.
func (e *c2cEnv) ok(hashes ...types.Hash) []*views.Receipt {
	e.t.Helper()
	rs := e.wait(hashes...)
	for _, r := range rs {
		if r.Status != "ok" {
			e.t.Fatalf("tx %s (%s) failed: %s", r.TxHash, r.Type, r.Error)
		}
	}
	return rs
}

func (e *c2cEnv) do(a *actor, typ types.TxType, msg any) *views.Receipt {
	e.t.Helper()
	return e.ok(e.submit(a, typ, msg))[0]
}

func attr(r *views.Receipt, typ, key string) string {
	for _, ev := range r.Events {
		if ev.Type == typ {
			return ev.Attrs[key]
		}
	}
	return ""
}

func (e *c2cEnv) balance(a types.Address) uint64 {
	e.t.Helper()
	acc, err := e.c.Client(0).Account(e.ctx, a)
	if err != nil {
		e.t.Fatal(err)
	}
	return acc.BalanceMicro
}

// expectedMicro converts fiat minor units at rate independently of the
// oracle package: minor × 10^(14 − decimals) / rate, rounded down.
func expectedMicro(minor uint64, decimals uint8, rate uint64) uint64 {
	n := new(big.Int).Mul(new(big.Int).SetUint64(minor), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(14-decimals)), nil))
	return n.Quo(n, new(big.Int).SetUint64(rate)).Uint64()
}

// c2cOrder is one order of the test and what is expected of it.
type c2cOrder struct {
	merchant *actor
	ref      string
	currency string
	minor    uint64
	id       types.Hash
	acceptor *actor
	amount   uint64
	fate     string // COMPLETED, CANCELLED or EXPIRED
	deadline uint64
}

// TestC2CEndToEnd runs the C2C flow on a live 4-validator cluster: gov
// grants roles and raises its own threshold, a KYC provider attests four
// merchants and three acceptors, two oracles post rates, the acceptors
// register and deposit float and margin, and the merchants create 100
// orders in three currencies. 40 are paid and confirmed, 12 cancelled (a
// 13th cancellation is refused by max_cancels_per_day) and 48 expire when
// the one-minute payment window passes in block time. Then every balance
// — merchants, acceptors' wallets, float and margin, treasury, escrow —
// must equal the figure computed from the parameters, with the supply
// unchanged.
func TestC2CEndToEnd(t *testing.T) {
	const (
		validators    = 4
		paymentWindow = 60_000 // the smallest payment_window_ms gov accepts
		extendBy      = 5_000
	)
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: validators, Logger: testLogger(t), Params: map[string]map[string]string{
		order.ModuleName:    {order.ParamPaymentWindow: strconv.Itoa(paymentWindow), order.ParamExtendBy: strconv.Itoa(extendBy)},
		acceptor.ModuleName: {acceptor.ParamRampAge: "0", acceptor.ParamRampOrders: "0"},
	}, CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	// Every module's invariants held after every block on every node.
	t.Cleanup(func() {
		if err := c.InvariantError(); err != nil {
			t.Error(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	e, dev := envOn(t, c, ctx)
	admin2, kycProv := e.actor("admin2", nil), e.actor("kyc", nil)
	oracles := []*actor{e.actor("oracle1", nil), e.actor("oracle2", nil)}
	var merchants, acceptors []*actor
	for i := 0; i < 4; i++ {
		merchants = append(merchants, e.actor(fmt.Sprintf("merchant%d", i), nil))
	}
	for i := 0; i < 3; i++ {
		acceptors = append(acceptors, e.actor(fmt.Sprintf("acceptor%d", i), nil))
	}
	byAddr := map[string]*actor{}
	for _, a := range e.actors {
		byAddr[a.addr.Hex()] = a
	}
	usdt := func(n uint64) uint64 { return n * types.MicroPerUSDT }
	const floatDeposit, marginDeposit = 20_000 * types.MicroPerUSDT, 5_000 * types.MicroPerUSDT
	funded := map[*actor]uint64{admin2: usdt(10), kycProv: usdt(10), oracles[0]: usdt(10), oracles[1]: usdt(10)}
	for _, m := range merchants {
		funded[m] = usdt(100)
	}
	for _, a := range acceptors {
		funded[a] = floatDeposit + marginDeposit + usdt(10)
	}
	var hs []types.Hash
	for _, a := range e.actors[1:] {
		hs = append(hs, e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: a.addr, Amount: funded[a]}))
	}
	e.ok(hs...)

	// Gov: the dev key, sole admin at genesis, grants the roles and makes
	// the multisig 2 of 2; a parameter change then needs admin2's approval.
	rc := e.do(dev, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.GrantRoleAction(kycProv.addr, gov.RoleKYCProvider),
		gov.GrantRoleAction(oracles[0].addr, gov.RoleOracle), gov.GrantRoleAction(oracles[1].addr, gov.RoleOracle),
		gov.AddAdminAction(admin2.addr), gov.SetThresholdAction(2)}, Memo: "c2c e2e"})
	if attr(rc, gov.EventExecuted, "id") == "" {
		t.Fatalf("role proposal not executed: %+v", rc.Events)
	}
	rc = e.do(dev, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.SetUint64ParamAction(oracle.ModuleName, oracle.ParamMinPosts, 2)}})
	pid, _ := strconv.ParseUint(attr(rc, gov.EventProposed, "id"), 10, 64)
	if p, err := c.Client(1).Proposal(ctx, pid); err != nil || p.Threshold != 2 || len(p.Approvals) != 1 {
		t.Fatalf("open proposal %d: %+v %v", pid, p, err)
	}
	if rc = e.do(admin2, gov.TypeApprove, &gov.MsgApprove{ProposalID: pid}); attr(rc, gov.EventExecuted, "id") == "" {
		t.Fatalf("approved proposal not executed: %+v", rc.Events)
	}
	if p, err := c.Client(0).Params(ctx, oracle.ModuleName); err != nil || p.Params[oracle.ParamMinPosts] != "2" {
		t.Fatalf("oracle params %+v %v", p, err)
	}
	if r, err := c.Client(2).Roles(ctx, oracles[1].addr); err != nil || len(r.Roles) != 1 || r.Roles[0] != "oracle" {
		t.Fatalf("roles %+v %v", r, err)
	}

	// KYC for merchants (level 2) and acceptors (level 3), each its own
	// identity; two oracles post, so the median of two is used.
	block, err := c.Client(0).Block(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	expires := block.Time + 365*24*3600*1000
	hs = nil
	for i, a := range append(append([]*actor{}, merchants...), acceptors...) {
		level := uint8(2)
		if i >= len(merchants) {
			level = 3
		}
		hs = append(hs, e.submit(kycProv, kyc.TypeAttest, &kyc.MsgAttest{Account: a.addr, Level: level, ExpiresAt: expires,
			Country: "SG", RecordHash: types.Keccak([]byte("record"), a.addr[:])}))
	}
	rates := [][]oracle.RatePost{
		{{Currency: "USD", Rate: 100_000_000}, {Currency: "CNY", Rate: 710_000_000}, {Currency: "JPY", Rate: 15_000_000_000}},
		{{Currency: "USD", Rate: 100_000_000}, {Currency: "CNY", Rate: 714_000_000}, {Currency: "JPY", Rate: 15_100_000_000}},
	}
	for i, o := range oracles {
		hs = append(hs, e.submit(o, oracle.TypePostRates, &oracle.MsgPostRates{Rates: rates[i]}))
	}
	e.ok(hs...)
	median := map[string]uint64{"USD": 100_000_000, "CNY": 712_000_000, "JPY": 15_050_000_000}
	decimals := map[string]uint8{"USD": 2, "CNY": 2, "JPY": 0}
	rv, err := c.Client(3).Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rv.Rates {
		if want, ok := median[r.Currency]; ok && (r.Status != "ok" || r.RateE8 != want || r.FreshPosts != 2) {
			t.Fatalf("rate %+v, want %d", r, want)
		}
	}

	// Acceptors register, deposit float and margin.
	currencies := [][]string{{"CNY", "USD"}, {"JPY", "USD"}, {"CNY", "JPY", "USD"}}
	hs = nil
	for i, a := range acceptors {
		var ms []acceptor.PaymentMethod
		for _, cur := range currencies[i] {
			ms = append(ms, acceptor.PaymentMethod{Currency: cur, Kind: "bank_transfer", DetailsHash: types.Keccak([]byte(a.name + cur))})
		}
		hs = append(hs, e.submit(a, acceptor.TypeRegister, &acceptor.MsgRegister{Currencies: currencies[i], Methods: ms}),
			e.submit(a, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: floatDeposit}),
			e.submit(a, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: marginDeposit}))
	}
	e.ok(hs...)

	// 100 orders: 25 per merchant, currencies in turn. Per merchant, orders
	// 0–2 are cancelled, 3 is refused a 4th cancellation (merchant 0) and
	// expires, 4–13 are paid and confirmed, the rest expire.
	var orders []*c2cOrder
	hs = nil
	for j := 0; j < 25; j++ {
		for mi, m := range merchants {
			i := len(orders)
			o := &c2cOrder{merchant: m, ref: fmt.Sprintf("e2e-%d-%d", mi, j), currency: []string{"USD", "CNY", "JPY"}[i%3], fate: "EXPIRED"}
			switch o.currency {
			case "USD":
				o.minor = 1000 + 137*uint64(i)
			case "CNY":
				o.minor = 10_000 + 1234*uint64(i)
			case "JPY":
				o.minor = 1500 + 997*uint64(i)
			}
			switch {
			case j < 3:
				o.fate = "CANCELLED"
			case j >= 4 && j < 14:
				o.fate = "COMPLETED"
			}
			o.id = order.OrderID(m.addr, o.ref)
			orders = append(orders, o)
			hs = append(hs, e.submit(m, order.TypeCreate, &order.MsgCreate{Currency: o.currency, FiatAmount: o.minor, MerchantRef: o.ref}))
		}
	}
	for i, r := range e.ok(hs...) {
		o := orders[i]
		if r.Status != "ok" || attr(r, order.EventLocked, "id") != o.id.Hex() {
			t.Fatalf("order %d not locked: %+v", i, r)
		}
		o.acceptor = byAddr[attr(r, order.EventLocked, "acceptor")]
		o.amount, _ = strconv.ParseUint(attr(r, order.EventLocked, "amount"), 10, 64)
		o.deadline, _ = strconv.ParseUint(attr(r, order.EventLocked, "pay_deadline"), 10, 64)
		if want := expectedMicro(o.minor, decimals[o.currency], median[o.currency]); o.amount != want || o.acceptor == nil {
			t.Fatalf("order %d: %d %s minor -> %d micro to %v, want %d micro", i, o.minor, o.currency, o.amount, o.acceptor, want)
		}
	}
	locked, err := c.Client(1).Orders(ctx, views.OrderFilter{Merchant: merchants[2].addr.Hex(), State: "LOCKED"})
	if err != nil || len(locked.Orders) != 25 {
		t.Fatalf("merchant 2's locked orders: %d %v", len(locked.Orders), err)
	}

	// Within the payment window: pay the ones to complete, cancel, try a
	// 4th cancellation, and extend one expiring order.
	var paid, cancels []types.Hash
	var extended *c2cOrder
	for _, o := range orders {
		switch o.fate {
		case "COMPLETED":
			paid = append(paid, e.submit(o.merchant, order.TypeMarkPaid, &order.MsgMarkPaid{ID: o.id, PaymentRef: types.Keccak([]byte("wire"), o.id[:])}))
		case "CANCELLED":
			cancels = append(cancels, e.submit(o.merchant, order.TypeCancel, &order.MsgCancel{ID: o.id}))
		}
	}
	var fourth *c2cOrder
	for _, o := range orders {
		if o.merchant == merchants[0] && o.fate == "EXPIRED" && fourth == nil {
			fourth = o
		} else if o.fate == "EXPIRED" && extended == nil {
			extended = o
		}
	}
	refused := e.submit(fourth.merchant, order.TypeCancel, &order.MsgCancel{ID: fourth.id})
	ext := e.submit(extended.acceptor, order.TypeExtend, &order.MsgExtend{ID: extended.id})
	e.ok(paid...)
	rcs := e.ok(cancels...)
	if r := e.wait(refused)[0]; r.Status != "failed" || !strings.Contains(r.Error, "daily cancellation limit") {
		// Only a UTC midnight between the cancellations could explain it.
		b0, _ := c.Client(0).Block(ctx, rcs[0].Height)
		b1, _ := c.Client(0).Block(ctx, r.Height)
		if b0.Time/86_400_000 == b1.Time/86_400_000 {
			t.Fatalf("4th cancellation of the day: %+v", r)
		}
		fourth.fate = "CANCELLED"
	}
	if r := e.ok(ext)[0]; attr(r, order.EventExtended, "pay_deadline") != strconv.FormatUint(extended.deadline+extendBy, 10) {
		t.Fatalf("extension: %+v", r)
	}
	extended.deadline += extendBy
	hs = nil
	for _, o := range orders {
		if o.fate == "COMPLETED" {
			hs = append(hs, e.submit(o.acceptor, order.TypeConfirm, &order.MsgConfirm{ID: o.id}))
		}
	}
	e.ok(hs...)

	// Wait, on commits, until block time passes the last payment deadline.
	var last uint64
	count := map[string]int{}
	for _, o := range orders {
		count[o.fate]++
		if o.fate == "EXPIRED" {
			last = max(last, o.deadline)
		}
	}
	if count["COMPLETED"] != 40 || count["CANCELLED"] != 12 || count["EXPIRED"] != 48 {
		t.Fatalf("fates %v", count)
	}
	n0 := c.Node(0)
	commits, stop := n0.SubscribeCommits(16)
	for n0.Ledger().Last().Time < last {
		select {
		case <-commits:
		case <-ctx.Done():
			t.Fatalf("block time %d never reached %d", n0.Ledger().Last().Time, last)
		}
	}
	stop()
	for i, o := range orders {
		v, err := c.Client(i%validators).Order(ctx, o.id)
		if err != nil {
			t.Fatal(err)
		}
		if v.State != o.fate || v.AmountMicro != o.amount || v.Acceptor != o.acceptor.addr.Hex() || v.FeeBps != 10 || v.CommissionBps != 50 {
			// Another node may be a block behind node0: wait for it once.
			if err := c.WaitHeight(ctx, i%validators, n0.Ledger().Last().Height); err != nil {
				t.Fatal(err)
			}
			if v, err = c.Client(i%validators).Order(ctx, o.id); err != nil || v.State != o.fate {
				t.Fatalf("order %d: %+v %v, want %s", i, v, err, o.fate)
			}
		}
	}
	if err := c.WaitAll(ctx, n0.Ledger().Last().Height); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}

	// Expected figures from the parameters in force.
	op, err := c.Client(0).Params(ctx, order.ModuleName)
	if err != nil {
		t.Fatal(err)
	}
	commBps, _ := strconv.ParseUint(op.Params[order.ParamCommissionBps], 10, 64)
	feeBps, _ := strconv.ParseUint(op.Params[order.ParamFeeBps], 10, 64)
	if commBps != 50 || feeBps != 10 {
		t.Fatalf("order params %v", op.Params)
	}
	wantBal := map[*actor]uint64{}
	wantFloat := map[*actor]uint64{}
	completed, expired := map[*actor]uint64{}, map[*actor]uint64{}
	var platformFees, transfers uint64
	for a, f := range funded {
		wantBal[a] = f
		transfers += f
	}
	for _, a := range acceptors {
		wantBal[a] -= floatDeposit + marginDeposit
		wantFloat[a] = floatDeposit
	}
	for _, o := range orders {
		switch o.fate {
		case "COMPLETED":
			fee, comm := o.amount*feeBps/10_000, o.amount*commBps/10_000
			wantBal[o.merchant] += o.amount - fee - comm
			wantFloat[o.acceptor] -= o.amount - comm
			platformFees += fee
			completed[o.acceptor]++
		case "EXPIRED":
			expired[o.acceptor]++
		}
	}
	wantBal[dev] = DevFunds - transfers
	var fees uint64
	for _, a := range e.actors {
		fees += a.sent * e.fee
		wantBal[a] -= a.sent * e.fee
		acc, err := c.Client(0).Account(ctx, a.addr)
		if err != nil {
			t.Fatal(err)
		}
		if acc.BalanceMicro != wantBal[a] || acc.Nonce != a.sent {
			t.Errorf("%s: balance %s nonce %d, want %s nonce %d", a.name, acc.Balance, acc.Nonce, types.FormatUSDT(wantBal[a]), a.sent)
		}
	}
	var floatSum uint64
	for _, a := range acceptors {
		v, err := c.Client(0).Acceptor(ctx, a.addr)
		if err != nil {
			t.Fatal(err)
		}
		floatSum += wantFloat[a]
		if v.FloatMicro != wantFloat[a] || v.LockedMicro != 0 || v.MarginMicro != marginDeposit ||
			v.Stats.Completed != completed[a] || v.Stats.Expired != expired[a] {
			t.Errorf("%s: float %s locked %s margin %s, %d completed %d expired; want float %s, %d completed, %d expired",
				a.name, v.Float, v.Locked, v.Margin, v.Stats.Completed, v.Stats.Expired, types.FormatUSDT(wantFloat[a]), completed[a], expired[a])
		}
	}
	treasury := bank.ModuleAddress("treasury")
	for _, w := range []struct {
		name string
		addr types.Address
		want uint64
	}{
		{"treasury", treasury, fees + platformFees},
		{"escrow", order.EscrowAddress, 0},
		{"float account", acceptor.FloatAddress, floatSum},
		{"margin account", acceptor.MarginAddress, 3 * marginDeposit},
	} {
		if got := e.balance(w.addr); got != w.want {
			t.Errorf("%s: %s USDT, want %s", w.name, types.FormatUSDT(got), types.FormatUSDT(w.want))
		}
	}
	total := e.balance(treasury) + e.balance(order.EscrowAddress) + e.balance(acceptor.FloatAddress) + e.balance(acceptor.MarginAddress)
	for _, a := range e.actors {
		total += e.balance(a.addr)
	}
	bp, err := c.Client(0).Params(ctx, "bank")
	if err != nil {
		t.Fatal(err)
	}
	if total != DevFunds || bp.Params["supply_micro"] != strconv.FormatUint(DevFunds, 10) {
		t.Errorf("accounts hold %s USDT, supply %s; genesis minted %s", types.FormatUSDT(total), bp.Params["supply"], types.FormatUSDT(DevFunds))
	}
	for i := 0; i < validators; i++ {
		if msg := c2ctest.Invariants(c2ctest.NewKeepers(), c.Node(i).Ledger().ReadState()); msg != "" {
			t.Errorf("node%d: invariant broken: %s", i, msg)
		}
	}
	t.Logf("height %d: %d completed (%s USDT platform fees), %d cancelled, %d expired; treasury %s USDT",
		n0.Ledger().Last().Height, count["COMPLETED"], types.FormatUSDT(platformFees), count["CANCELLED"], count["EXPIRED"],
		types.FormatUSDT(fees+platformFees))
}

// TestE2EScript runs testnet/e2e_c2c.sh, the README's CLI walk of the C2C
// flow, against a one-validator testnet made by `accord testnet init`.
func TestE2EScript(t *testing.T) { runScript(t, "e2e_c2c.sh", "OK: C2C walk passed") }

// TestE2EDisputeScript runs testnet/e2e_dispute.sh, the CLI walk of a
// dispute (open, evidence, panel votes, resolution, balances), likewise.
func TestE2EDisputeScript(t *testing.T) { runScript(t, "e2e_dispute.sh", "OK: dispute walk passed") }

// runScript runs a CLI walk script against a fresh one-validator testnet
// in its own process and wants okLine in its output.
func runScript(t *testing.T, script, okLine string) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash is needed to run %s: %v", script, err)
	}
	// Init is what `accord testnet init` runs; without a base port the node
	// binds a port the OS picks, and the script's CLI calls find it
	// through node0's home.
	l := Layout{Dir: t.TempDir(), Validators: 1, ChainID: "accord-local"}
	if _, err := Init(l, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	startNode(t, string(l.Home(0)))
	cmd := exec.Command(bash, script, l.Dir)
	cmd.Env = append(os.Environ(), "BIN="+nodeBin)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), okLine) {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}
