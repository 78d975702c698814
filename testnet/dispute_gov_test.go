package testnet

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

// TestEscalatedDisputeResolvedByGov takes a disputed order on a live
// 4-validator cluster through every arbitration phase: a one-member panel
// that does not vote, the committee (the other arbitrator) that does not
// either, then governance. Each deadline is an hour of block time, passed
// by moving the cluster's clock (Cluster.Advance). A ResolveDispute
// proposal before the escalation is refused; after it, an admin proposal
// splits the escrow 70/30 for the merchant, and the merchant's balance,
// the acceptor's float, locked float and margin, and the escrow account
// move by exactly the split, the fee and the slash the events report. A
// second resolution is refused. Every node checks every invariant after
// every block.
func TestEscalatedDisputeResolvedByGov(t *testing.T) {
	const window = 3_600_000 // ms of block time: both deadlines
	w := strconv.Itoa(window)
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, Logger: testLogger(t), CheckInvariants: true,
		Params: map[string]map[string]string{
			acceptor.ModuleName: {acceptor.ParamRampAge: "0", acceptor.ParamRampOrders: "0"},
			oracle.ModuleName:   {oracle.ParamMaxRateAge: "86400000"},
			arbitration.ModuleName: {arbitration.ParamPanelSize: "1", arbitration.ParamPanelThreshold: "1",
				arbitration.ParamPanelDeadline: w, arbitration.ParamCommitteeDeadline: w, arbitration.ParamEvidenceWindow: w},
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	t.Cleanup(func() {
		if err := c.InvariantError(); err != nil {
			t.Error(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cl := c.Client(0)
	e, dev := envOn(t, c, ctx)
	m, acc := e.actor("merchant", nil), e.actor("acceptor", nil)
	arbs := []*actor{e.actor("arbitrator0", nil), e.actor("arbitrator1", nil)}
	byAddr := map[types.Address]*actor{}
	for _, a := range e.actors {
		byAddr[a.addr] = a
	}
	const floatDeposit, marginDeposit = 2_000 * types.MicroPerUSDT, 500 * types.MicroPerUSDT
	e.ok(e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: m.addr, Amount: 10 * types.MicroPerUSDT}),
		e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: acc.addr, Amount: floatDeposit + marginDeposit + 10*types.MicroPerUSDT}),
		e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: arbs[0].addr, Amount: types.MicroPerUSDT}),
		e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: arbs[1].addr, Amount: types.MicroPerUSDT}))
	// The two arbitrators are the whole role: dev gives up its own.
	if rc := e.do(dev, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.RevokeRoleAction(dev.addr, gov.RoleArbitrator),
		gov.GrantRoleAction(arbs[0].addr, gov.RoleArbitrator), gov.GrantRoleAction(arbs[1].addr, gov.RoleArbitrator)}}); attr(rc, gov.EventExecuted, "id") == "" {
		t.Fatalf("role proposal not executed: %+v", rc.Events)
	}
	if err := c.WaitHeight(ctx, 0, 1); err != nil {
		t.Fatal(err)
	}
	blk, err := cl.Block(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	expires := blk.Time + 365*24*3600*1000
	e.ok(e.submit(dev, kyc.TypeAttest, &kyc.MsgAttest{Account: m.addr, Level: 2, ExpiresAt: expires, Country: "SG", RecordHash: types.Keccak([]byte("m"))}),
		e.submit(dev, kyc.TypeAttest, &kyc.MsgAttest{Account: acc.addr, Level: 3, ExpiresAt: expires, Country: "SG", RecordHash: types.Keccak([]byte("a"))}),
		e.submit(dev, oracle.TypePostRates, &oracle.MsgPostRates{Rates: []oracle.RatePost{{Currency: "USD", Rate: 100_000_000}}}))
	e.ok(e.submit(acc, acceptor.TypeRegister, &acceptor.MsgRegister{Currencies: []string{"USD"},
		Methods: []acceptor.PaymentMethod{{Currency: "USD", Kind: "bank_transfer", DetailsHash: types.Keccak([]byte("acct"))}}}),
		e.submit(acc, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: floatDeposit}),
		e.submit(acc, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: marginDeposit}))

	// USD 100.00, paid, disputed by the merchant.
	lk := one[order.LockedEvent](t, e.do(m, order.TypeCreate, &order.MsgCreate{Currency: "USD", FiatAmount: 10_000, MerchantRef: "gov-1"}))
	if lk.Acceptor != acc.addr || lk.Amount != expectedMicro(10_000, 2, 100_000_000) {
		t.Fatalf("locked %+v", lk)
	}
	amount := lk.Amount
	e.do(m, order.TypeMarkPaid, &order.MsgMarkPaid{ID: lk.ID, PaymentRef: types.Keccak([]byte("wire"))})
	op := one[arbitration.OpenedEvent](t, e.do(m, order.TypeDispute, &order.MsgDispute{ID: lk.ID, Evidence: types.Keccak([]byte("statement"))}))
	panel := parsePanel(t, op.Panel, byAddr)
	if op.ID != arbitration.DisputeID(arbitration.KindOrder, lk.ID) || len(panel) != 1 || op.Threshold != 1 || op.Escrow != amount {
		t.Fatalf("opened %+v", op)
	}
	other := arbs[0]
	if panel[0] == other {
		other = arbs[1]
	}
	resolve := func(winner arbitration.Side, toA, toB uint64) *gov.MsgPropose {
		return &gov.MsgPropose{Actions: []gov.Action{gov.ResolveDisputeAction(op.ID, uint8(winner), uint8(arbitration.ReasonPaymentUnconfirmed), toA, toB)},
			Memo: "escalated dispute gov-1"}
	}
	toA := amount * 70 / 100
	toB := amount - toA
	// Governance has no say before the escalation.
	e.refused(dev, gov.TypePropose, resolve(arbitration.SideA, toA, toB), arbitration.ErrNotEscalated.Error())

	// passDeadline moves block time past the current round's deadline and
	// waits for the block whose BeginBlock acted on it.
	passDeadline := func(phase string) *arbitration.View {
		t.Helper()
		dv, err := cl.Dispute(ctx, op.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now := uint64(c.Now().UnixMilli()); dv.Deadline > now {
			c.Advance(time.Duration(dv.Deadline-now+1_000) * time.Millisecond)
		}
		if err := c.WaitBlockTime(ctx, 0, dv.Deadline); err != nil {
			t.Fatal(err)
		}
		if dv, err = cl.Dispute(ctx, op.ID); err != nil || dv.Phase != phase {
			t.Fatalf("after the deadline: %+v %v, want phase %s", dv, err, phase)
		}
		return dv
	}
	dv := passDeadline("COMMITTEE")
	if dv.Round != 2 || dv.Threshold != 1 || len(dv.Panel) != 1 || dv.Panel[0] != other.addr {
		t.Fatalf("committee %+v, want %s alone", dv, other.name)
	}
	e.refused(panel[0], arbitration.TypeVote, &arbitration.MsgVote{ID: op.ID, Winner: arbitration.SideA, Reason: arbitration.ReasonNoReply, ToA: amount},
		arbitration.ErrNotOnPanel.Error())
	dv = passDeadline("ESCALATED")
	if dv.EscalatedAt == 0 || dv.Escalate == "" {
		t.Fatalf("escalated %+v", dv)
	}
	if ds, err := cl.EscalatedDisputes(ctx, 0); err != nil || len(ds) != 1 || ds[0].ID != op.ID {
		t.Fatalf("escalated disputes %+v %v", ds, err)
	}
	e.refused(other, arbitration.TypeVote, &arbitration.MsgVote{ID: op.ID, Winner: arbitration.SideA, Reason: arbitration.ReasonNoReply, ToA: amount},
		arbitration.ErrEscalated.Error())

	balance := func(a types.Address) uint64 {
		t.Helper()
		v, err := cl.Account(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v.BalanceMicro
	}
	acceptorView := func() (float, locked, margin uint64) {
		t.Helper()
		v, err := cl.Acceptor(ctx, acc.addr)
		if err != nil {
			t.Fatal(err)
		}
		return v.FloatMicro, v.LockedMicro, v.MarginMicro
	}
	m0, esc0 := balance(m.addr), balance(order.EscrowAddress)
	f0, l0, g0 := acceptorView()
	if l0 != amount || esc0 < amount {
		t.Fatalf("before: locked %d, escrow account %d; the order's escrow is %d", l0, esc0, amount)
	}

	rc := e.do(dev, gov.TypePropose, resolve(arbitration.SideA, toA, toB))
	if attr(rc, gov.EventExecuted, "id") == "" {
		t.Fatalf("resolution not executed: %+v", rc.Events)
	}
	gr := one[gov.DisputeResolvedEvent](t, rc)
	res := one[arbitration.ResolvedEvent](t, rc)
	sp := one[order.ResolvedSplitEvent](t, rc)
	if gr.Dispute != op.ID || gr.Winner != uint64(arbitration.SideA) || gr.ToA != toA || gr.ToB != toB {
		t.Fatalf("gov resolved %+v", gr)
	}
	if res.ID != op.ID || res.By != "gov" || res.Winner != "a" || res.ToA != toA || res.ToB != toB || res.Reason != "payment_not_confirmed" || res.DurationMs < 2*window {
		t.Fatalf("arbitration resolved %+v", res)
	}
	if sp.ID != lk.ID || sp.ToMerchant+sp.Fee != toA || sp.ToAcceptor != toB || sp.Slashed == 0 {
		t.Fatalf("split %+v, want %d (fee included) to the merchant, %d to the acceptor, a slash", sp, toA, toB)
	}
	f1, l1, g1 := acceptorView()
	if got := balance(m.addr) - m0; got != sp.ToMerchant+sp.Slashed {
		t.Errorf("merchant got %d, want %d (its part) + %d (the slash)", got, sp.ToMerchant, sp.Slashed)
	}
	if f1-f0 != toB || l0-l1 != amount || g0-g1 != sp.Slashed {
		t.Errorf("acceptor float +%d locked -%d margin -%d, want +%d -%d -%d", f1-f0, l0-l1, g0-g1, toB, amount, sp.Slashed)
	}
	// The escrow account paid the merchant's part and the fee out; the
	// acceptor's part went back to its float (held in another account).
	if got := esc0 - balance(order.EscrowAddress); got != amount {
		t.Errorf("escrow account paid out %d, want %d", got, amount)
	}
	if v, err := cl.Order(ctx, lk.ID); err != nil || v.State != "RESOLVED_SPLIT" {
		t.Fatalf("order %+v %v", v, err)
	}
	if dv, err = cl.Dispute(ctx, op.ID); err != nil || dv.Phase != "RESOLVED" || dv.Decision == nil || dv.Decision.By != "gov" {
		t.Fatalf("dispute %+v %v", dv, err)
	}
	if ds, err := cl.EscalatedDisputes(ctx, 0); err != nil || len(ds) != 0 {
		t.Fatalf("escalated disputes after the resolution %+v %v", ds, err)
	}
	e.refused(dev, gov.TypePropose, resolve(arbitration.SideB, 0, amount), arbitration.ErrNotEscalated.Error())
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
}
