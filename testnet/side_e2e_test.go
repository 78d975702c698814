package testnet

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

// eventsOf decodes every event of r of E's type, in emission order.
func eventsOf[E core.Event](t *testing.T, r *views.Receipt) []E {
	t.Helper()
	var zero E
	var out []E
	for _, ev := range r.Events {
		if ev.Type != zero.EventType() {
			continue
		}
		var e E
		if err := ev.Decode(any(&e).(core.Event)); err != nil {
			t.Fatalf("decode %s: %v", ev.Type, err)
		}
		out = append(out, e)
	}
	return out
}

// one decodes the single event of E's type in r.
func one[E core.Event](t *testing.T, r *views.Receipt) E {
	t.Helper()
	es := eventsOf[E](t, r)
	if len(es) != 1 {
		var zero E
		t.Fatalf("tx %s: %d %s events, want 1: %+v", r.TxHash, len(es), zero.EventType(), r.Events)
	}
	return es[0]
}

// refused submits a message that must be refused: either at admission (no
// fee) or in a block with a failed receipt naming want (fee paid).
func (e *c2cEnv) refused(a *actor, typ types.TxType, msg any, want string) {
	e.t.Helper()
	tx, err := a.s.Submit(e.ctx, a.cl, typ, msg)
	if err != nil {
		if !strings.Contains(err.Error(), want) {
			e.t.Fatalf("%s: %#x rejected with %v, want %q", a.name, typ, err, want)
		}
		return
	}
	a.sent++
	if r := e.wait(tx.Hash())[0]; r.Status != "failed" || !strings.Contains(r.Error, want) {
		e.t.Fatalf("%s: %#x: receipt %s %q, want a failure with %q", a.name, typ, r.Status, r.Error, want)
	}
}

func parsePanel(t *testing.T, s string, byAddr map[types.Address]*actor) []*actor {
	t.Helper()
	var out []*actor
	for _, h := range strings.Split(s, ",") {
		a, err := types.ParseAddress(h)
		if err != nil || byAddr[a] == nil {
			t.Fatalf("panel member %q: %v", h, err)
		}
		out = append(out, byAddr[a])
	}
	return out
}

// TestSideModulesEndToEnd runs arbitration, risk, channels and conditional
// payments on a live 4-validator cluster over libp2p:
//
//   - a dispute (merchant's) decided by 2 of its 3-member panel with a
//     60/40 split; the third member's late vote is refused;
//   - a dispute (acceptor's) whose panel misses its deadline: the
//     committee of the other three arbitrators takes over (an old panel
//     member may no longer vote) and refunds the acceptor 2 of 3; the
//     losing merchant gets a risk mark;
//   - a merchant auto-frozen by the velocity rule on its third order of
//     the hour: its three orders pause and outlive their payment window,
//     then a compliance officer unfreezes it and they complete;
//   - a channel paid with 1,000 vouchers of 0.01 USDT (issued and verified
//     through the client API), redeemed in 3 redeems (the last one inside
//     the challenge period after the payer's close; an older voucher is
//     refused) and settled by the payer;
//   - a conditional payment released by its attester's "delivered", and
//     another reclaimed by the payer once its deadline passed.
//
// Block-time deadlines (panel, challenge period, payment window, pay
// deadline) are an hour, which no step of the test outlasts in real time
// however loaded the machine; the cluster's clock is moved past them
// (Cluster.Advance) rather than waited for. Every
// balance is then checked to the micro-USDT against figures computed from
// the parameters, every node checked every module's invariants after
// every block, and the nodes agree on every block.
func TestSideModulesEndToEnd(t *testing.T) {
	const (
		validators = 4
		window     = 3_600_000 // ms: every module's deadline under test
	)
	w := strconv.Itoa(window)
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: validators, Logger: testLogger(t), CheckInvariants: true,
		Params: map[string]map[string]string{
			order.ModuleName:       {order.ParamPaymentWindow: w},
			acceptor.ModuleName:    {acceptor.ParamRampAge: "0", acceptor.ParamRampOrders: "0"},
			oracle.ModuleName:      {oracle.ParamMaxRateAge: "86400000"},
			arbitration.ModuleName: {arbitration.ParamPanelDeadline: w, arbitration.ParamCommitteeDeadline: w, arbitration.ParamEvidenceWindow: w},
			risk.ModuleName:        {risk.ParamVelocityMax: "2", risk.ParamVelocityFreeze: "1"},
			channel.ModuleName:     {channel.ParamChallenge: w},
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
	// Seconds normally; the bound only ends a hung run (-race on a loaded
	// machine takes minutes).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cl := c.Client(0)
	e, dev := envOn(t, c, ctx)
	officer := e.actor("officer", nil)
	m1, m2, vm := e.actor("merchant1", nil), e.actor("merchant2", nil), e.actor("velocity-merchant", nil)
	var acceptors, arbs []*actor
	for i := 0; i < 3; i++ {
		acceptors = append(acceptors, e.actor(fmt.Sprintf("acceptor%d", i), nil))
	}
	for i := 0; i < 6; i++ {
		arbs = append(arbs, e.actor(fmt.Sprintf("arbitrator%d", i), nil))
	}
	payer, payee := e.actor("channel-payer", nil), e.actor("channel-payee", nil)
	buyer, seller, carrier := e.actor("pay-payer", nil), e.actor("pay-payee", nil), e.actor("carrier", nil)
	byAddr := map[types.Address]*actor{}
	for _, a := range e.actors {
		byAddr[a.addr] = a
	}
	usdt := func(n uint64) uint64 { return n * types.MicroPerUSDT }
	const floatDeposit, marginDeposit = 2_000 * types.MicroPerUSDT, 500 * types.MicroPerUSDT
	funded := map[*actor]uint64{officer: usdt(1), m1: usdt(10), m2: usdt(10), vm: usdt(10),
		payer: usdt(20), payee: usdt(1), buyer: usdt(20), seller: usdt(1)}
	for _, a := range acceptors {
		funded[a] = floatDeposit + marginDeposit + usdt(10)
	}
	for _, a := range arbs {
		funded[a] = usdt(1)
	}
	var hs []types.Hash
	for _, a := range e.actors {
		if funded[a] > 0 {
			hs = append(hs, e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: a.addr, Amount: funded[a]}))
		}
	}
	e.ok(hs...)

	// Gov (dev is the sole admin): six arbitrators, a compliance officer;
	// dev gives up its own arbitrator role so the six are the whole role.
	actions := []gov.Action{gov.GrantRoleAction(officer.addr, gov.RoleCompliance), gov.RevokeRoleAction(dev.addr, gov.RoleArbitrator)}
	for _, a := range arbs {
		actions = append(actions, gov.GrantRoleAction(a.addr, gov.RoleArbitrator))
	}
	if rc := e.do(dev, gov.TypePropose, &gov.MsgPropose{Actions: actions, Memo: "side e2e"}); attr(rc, gov.EventExecuted, "id") == "" {
		t.Fatalf("role proposal not executed: %+v", rc.Events)
	}
	if ms, err := cl.RoleMembers(ctx, "arbitrator"); err != nil || len(ms) != len(arbs) {
		t.Fatalf("arbitrators %v %v", ms, err)
	}

	// KYC (dev is the KYC provider and the oracle), a USD rate, acceptors.
	block, err := cl.Block(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	expires := block.Time + 365*24*3600*1000
	hs = nil
	for i, a := range append([]*actor{m1, m2, vm}, acceptors...) {
		level := uint8(2)
		if i >= 3 {
			level = 3
		}
		hs = append(hs, e.submit(dev, kyc.TypeAttest, &kyc.MsgAttest{Account: a.addr, Level: level, ExpiresAt: expires,
			Country: "SG", RecordHash: types.Keccak([]byte("record"), a.addr[:])}))
	}
	hs = append(hs, e.submit(dev, oracle.TypePostRates, &oracle.MsgPostRates{Rates: []oracle.RatePost{{Currency: "USD", Rate: 100_000_000}}}))
	e.ok(hs...) // an acceptor registers only once its attestation is in
	hs = nil
	for _, a := range acceptors {
		hs = append(hs, e.submit(a, acceptor.TypeRegister, &acceptor.MsgRegister{Currencies: []string{"USD"},
			Methods: []acceptor.PaymentMethod{{Currency: "USD", Kind: "bank_transfer", DetailsHash: types.Keccak([]byte(a.name))}}}),
			e.submit(a, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: floatDeposit}),
			e.submit(a, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: marginDeposit}))
	}
	e.ok(hs...)

	// The velocity rule counts a merchant's orders per hour of block time:
	// keep its three orders inside one hour.
	if left := time.Hour - time.Duration(c.Now().UnixMilli()%3_600_000)*time.Millisecond; left < 2*time.Minute {
		c.Advance(left + time.Second)
	}

	// Orders at USD 1.00: 100 and 50 USD to dispute; the velocity merchant's
	// 10, 11 and 12 USD, the third of which exceeds velocity_max_per_hour.
	type ord struct {
		m      *actor
		minor  uint64
		id     types.Hash
		acc    *actor
		amount uint64
	}
	ords := []*ord{{m: m1, minor: 10_000}, {m: m2, minor: 5_000}, {m: vm, minor: 1_000}, {m: vm, minor: 1_100}, {m: vm, minor: 1_200}}
	hs = nil
	for i, o := range ords {
		ref := fmt.Sprintf("side-%d", i)
		o.id = order.OrderID(o.m.addr, ref)
		hs = append(hs, e.submit(o.m, order.TypeCreate, &order.MsgCreate{Currency: "USD", FiatAmount: o.minor, MerchantRef: ref}))
	}
	rcs := e.ok(hs...)
	for i, r := range rcs {
		l := one[order.LockedEvent](t, r)
		o := ords[i]
		o.acc, o.amount = byAddr[l.Acceptor], l.Amount
		if l.ID != o.id || o.acc == nil || o.amount != expectedMicro(o.minor, 2, 100_000_000) {
			t.Fatalf("order %d: %+v", i, l)
		}
	}
	o1, o2, vOrders := ords[0], ords[1], ords[2:]

	// The third order froze the velocity merchant in its own transaction
	// and paused all three of its orders' payment timers.
	freezeRc := rcs[4]
	hit := one[risk.HitEvent](t, freezeRc)
	if hit.Account != vm.addr || hit.Rule != risk.RuleVelocity || hit.Value != 3 || hit.Threshold != 2 || !hit.Freeze || hit.Subject != vOrders[2].id {
		t.Fatalf("velocity hit %+v", hit)
	}
	if f := one[risk.FrozenEvent](t, freezeRc); f.Account != vm.addr || f.Rule != risk.RuleVelocity {
		t.Fatalf("frozen %+v", f)
	}
	paused := eventsOf[order.PausedEvent](t, freezeRc)
	if len(paused) != 3 {
		t.Fatalf("paused %+v", paused)
	}
	for i, p := range paused {
		if p.Account != vm.addr || p.State != "LOCKED" || p.RemainingMs == 0 || p.RemainingMs > window || !slices.ContainsFunc(vOrders, func(o *ord) bool { return o.id == p.ID }) {
			t.Fatalf("paused %d: %+v", i, p)
		}
	}
	ra, err := cl.RiskAccount(ctx, vm.addr)
	if err != nil || !ra.Frozen || ra.Freeze == nil || ra.Freeze.Rule != risk.RuleVelocity || len(ra.Events) != 1 || ra.Events[0].Seq != hit.Seq {
		t.Fatalf("risk account %+v %v", ra, err)
	}
	if fs, err := cl.FrozenAccounts(ctx, 0); err != nil || len(fs) != 1 || fs[0].Account != vm.addr || fs[0].Freeze.Seq != hit.Seq {
		t.Fatalf("frozen accounts %+v %v", fs, err)
	}
	// Frozen, it cannot mark an order paid.
	e.refused(vm, order.TypeMarkPaid, &order.MsgMarkPaid{ID: vOrders[0].id, PaymentRef: types.Keccak([]byte("early"))}, order.ErrFrozen.Error())

	// Both disputed orders are paid, then disputed: by the merchant (o1)
	// and by the acceptor (o2). Meanwhile a channel opens and two
	// conditional payments lock.
	e.ok(e.submit(m1, order.TypeMarkPaid, &order.MsgMarkPaid{ID: o1.id, PaymentRef: types.Keccak([]byte("wire1"))}),
		e.submit(m2, order.TypeMarkPaid, &order.MsgMarkPaid{ID: o2.id, PaymentRef: types.Keccak([]byte("wire2"))}))
	now := c.Node(0).Ledger().Last().Time
	const deposit = 12 * types.MicroPerUSDT
	const delivered, reclaimed = 5 * types.MicroPerUSDT, 3 * types.MicroPerUSDT
	rcs = e.ok(
		e.submit(m1, order.TypeDispute, &order.MsgDispute{ID: o1.id, Evidence: types.Keccak([]byte("bank statement"))}),
		e.submit(o2.acc, order.TypeDispute, &order.MsgDispute{ID: o2.id}),
		e.submit(payer, channel.TypeOpen, &channel.MsgOpen{Payee: payee.addr, Deposit: deposit, Expiry: now + 4*window}),
		e.submit(buyer, pay.TypeLock, &pay.MsgLock{Payee: seller.addr, Attester: carrier.addr, Amount: delivered, Deadline: now + 4*window}),
		e.submit(buyer, pay.TypeLock, &pay.MsgLock{Payee: seller.addr, Attester: carrier.addr, Amount: reclaimed, Deadline: now + window}))
	d1, d2 := one[arbitration.OpenedEvent](t, rcs[0]), one[arbitration.OpenedEvent](t, rcs[1])
	for i, d := range []arbitration.OpenedEvent{d1, d2} {
		o := ords[i]
		if d.ID != arbitration.DisputeID(arbitration.KindOrder, o.id) || d.PartyA != o.m.addr || d.PartyB != o.acc.addr || d.Escrow != o.amount || d.Threshold != 2 {
			t.Fatalf("dispute %d opened %+v", i, d)
		}
	}
	panel1, panel2 := parsePanel(t, d1.Panel, byAddr), parsePanel(t, d2.Panel, byAddr)
	if len(panel1) != 3 || len(panel2) != 3 {
		t.Fatalf("panels %s / %s", d1.Panel, d2.Panel)
	}
	chOpened := one[channel.OpenedEvent](t, rcs[2])
	if chOpened.ID != channel.ChannelID(payer.addr, 1) {
		t.Fatalf("channel %+v", chOpened)
	}
	pay1, pay2 := one[pay.LockedEvent](t, rcs[3]), one[pay.LockedEvent](t, rcs[4])

	// Dispute 1: both parties attach evidence; two panel members agree on
	// 60/40 to the merchant; the third member's vote comes too late.
	toA, toB := o1.amount*60/100, o1.amount-o1.amount*60/100
	e.ok(e.submit(o1.acc, arbitration.TypeEvidence, &arbitration.MsgEvidence{ID: d1.ID, Hash: types.Keccak([]byte("acceptor's bank log"))}),
		e.submit(m1, arbitration.TypeEvidence, &arbitration.MsgEvidence{ID: d1.ID, Hash: types.Keccak([]byte("merchant's receipt"))}))
	split := &arbitration.MsgVote{ID: d1.ID, Winner: arbitration.SideA, Reason: arbitration.ReasonPaymentUnconfirmed, ToA: toA, ToB: toB}
	rcs = e.ok(e.submit(panel1[0], arbitration.TypeVote, split), e.submit(panel1[1], arbitration.TypeVote, split))
	resolvedRc := rcs[1]
	if len(eventsOf[arbitration.ResolvedEvent](t, rcs[0])) != 0 {
		resolvedRc = rcs[0] // the second vote was ordered first in their block
	}
	res1 := one[arbitration.ResolvedEvent](t, resolvedRc)
	sp := one[order.ResolvedSplitEvent](t, resolvedRc)
	if res1.ID != d1.ID || res1.By != "panel" || res1.Winner != "a" || res1.ToA != toA || res1.ToB != toB || res1.Reason != "payment_not_confirmed" {
		t.Fatalf("dispute 1 resolved %+v", res1)
	}
	op, err := cl.Params(ctx, order.ModuleName)
	if err != nil {
		t.Fatal(err)
	}
	feeBps, _ := strconv.ParseUint(op.Params[order.ParamFeeBps], 10, 64)
	commBps, _ := strconv.ParseUint(op.Params[order.ParamCommissionBps], 10, 64)
	slashBps, _ := strconv.ParseUint(op.Params[order.ParamDisputeSlashBps], 10, 64)
	if feeBps == 0 || commBps == 0 || slashBps == 0 {
		t.Fatalf("order params %v", op.Params)
	}
	splitFee, slash := toA*feeBps/10_000, o1.amount*slashBps/10_000
	if sp.ToMerchant != toA-splitFee || sp.ToAcceptor != toB || sp.Fee != splitFee || sp.Slashed != slash {
		t.Fatalf("split %+v, want %d/%d fee %d slash %d", sp, toA-splitFee, toB, splitFee, slash)
	}
	e.refused(panel1[2], arbitration.TypeVote, split, arbitration.ErrResolved.Error())
	if v, err := cl.Order(ctx, o1.id); err != nil || v.State != "RESOLVED_SPLIT" {
		t.Fatalf("order 1 %+v %v", v, err)
	}
	dv, err := cl.Dispute(ctx, d1.ID)
	if err != nil || dv.Phase != "RESOLVED" || len(dv.Votes) != 2 || len(dv.Evidence) != 2 || dv.Decision == nil || dv.Decision.By != "panel" {
		t.Fatalf("dispute 1 view %+v %v", dv, err)
	}

	// Dispute 2, round 1: one panel vote, short of the threshold.
	e.do(panel2[0], arbitration.TypeVote, &arbitration.MsgVote{ID: d2.ID, Winner: arbitration.SideA, Reason: arbitration.ReasonNoReply, ToA: o2.amount})

	// The channel: 1,000 vouchers of 0.01 USDT, issued by the payer and
	// verified by the payee's book through the client API.
	const cent = types.MicroPerUSDT / 100
	issuer := client.NewVoucherIssuer(payer.key, e.chainID, chOpened.ID, 0, 0)
	book := client.NewVoucherReceiver(e.chainID)
	if _, err := book.Track(ctx, cl, chOpened.ID, payee.addr); err != nil {
		t.Fatal(err)
	}
	vouchers := make([]*channel.Voucher, 1000)
	var credited uint64
	for i := range vouchers {
		if vouchers[i], err = issuer.Pay(cent); err != nil {
			t.Fatal(err)
		}
		d, err := book.Accept(vouchers[i])
		if err != nil {
			t.Fatalf("voucher %d: %v", i+1, err)
		}
		credited += d
	}
	if credited != 1000*cent || book.Best(chOpened.ID) != vouchers[999] {
		t.Fatalf("vouchers credited %d", credited)
	}
	// Two redeems while open, the payer closes, the last redeem falls in
	// the challenge period; an older voucher is refused.
	redeemed := []uint64{}
	for _, n := range []int{300, 700} {
		r := e.do(payee, channel.TypeRedeem, &channel.MsgRedeem{Voucher: *vouchers[n-1]})
		redeemed = append(redeemed, one[channel.RedeemedEvent](t, r).Amount)
	}
	closing := one[channel.ClosingEvent](t, e.do(payer, channel.TypeClose, &channel.MsgClose{ID: chOpened.ID}))
	r := e.do(payee, channel.TypeRedeem, &channel.MsgRedeem{Voucher: *vouchers[999]})
	redeemed = append(redeemed, one[channel.RedeemedEvent](t, r).Amount)
	if !slices.Equal(redeemed, []uint64{300 * cent, 400 * cent, 300 * cent}) {
		t.Fatalf("redeemed %v", redeemed)
	}
	e.refused(payee, channel.TypeRedeem, &channel.MsgRedeem{Voucher: *vouchers[499]}, channel.ErrStaleVoucher.Error())
	e.refused(payer, channel.TypeSettle, &channel.MsgSettle{ID: chOpened.ID}, channel.ErrTooEarly.Error())

	// Payment 1: the carrier signs "delivered" off-chain; the payee submits
	// it. Payment 2 cannot be reclaimed before its deadline.
	att, err := pay.SignAttestation(e.chainID, pay1.ID, pay.OutcomeDelivered, carrier.key)
	if err != nil {
		t.Fatal(err)
	}
	if rel := one[pay.ReleasedEvent](t, e.do(seller, pay.TypeAttest, &pay.MsgAttest{Attestation: *att})); rel.Amount != delivered || rel.Payee != seller.addr {
		t.Fatalf("released %+v", rel)
	}
	e.refused(buyer, pay.TypeRefund, &pay.MsgRefund{ID: pay2.ID}, pay.ErrTooEarly.Error())

	// Move block time past every pending deadline: dispute 2's panel, the
	// challenge period, payment 2's deadline, and the paused orders'
	// payment window.
	target := max(d2.Deadline, closing.ClosesAt, pay2.Deadline)
	if now := uint64(c.Now().UnixMilli()); target > now {
		c.Advance(time.Duration(target-now+1_000) * time.Millisecond)
	}
	if err := c.WaitBlockTime(ctx, 0, target); err != nil {
		t.Fatal(err)
	}
	// BeginBlock of the first block at or past the deadline handed dispute
	// 2 to the committee: the three arbitrators not on its panel.
	dv, err = cl.Dispute(ctx, d2.ID)
	if err != nil {
		t.Fatal(err)
	}
	var committee []*actor
	for _, a := range arbs {
		if !slices.Contains(panel2, a) {
			committee = append(committee, a)
		}
	}
	if dv.Phase != "COMMITTEE" || dv.Round != 2 || dv.Threshold != 2 || len(dv.Panel) != 3 || dv.Deadline < target {
		t.Fatalf("dispute 2 after the panel deadline %+v", dv)
	}
	for _, a := range committee {
		if !slices.Contains(dv.Panel, a.addr) {
			t.Fatalf("committee %v lacks %s", dv.Panel, a.name)
		}
	}
	if ds, err := cl.OpenDisputes(ctx, 0); err != nil || len(ds) != 1 || ds[0].ID != d2.ID {
		t.Fatalf("open disputes %+v %v", ds, err)
	}
	if ds, err := cl.EscalatedDisputes(ctx, 0); err != nil || len(ds) != 0 {
		t.Fatalf("escalated disputes %+v %v", ds, err)
	}
	for _, o := range vOrders {
		if v, err := cl.Order(ctx, o.id); err != nil || v.State != "LOCKED" {
			t.Fatalf("paused order %s after its payment window: %+v %v", o.id.Hex(), v, err)
		}
	}
	refund := &arbitration.MsgVote{ID: d2.ID, Winner: arbitration.SideB, Reason: arbitration.ReasonNoPayment, ToB: o2.amount}
	e.refused(panel2[1], arbitration.TypeVote, refund, arbitration.ErrNotOnPanel.Error())
	rcs = e.ok(e.submit(committee[0], arbitration.TypeVote, refund), e.submit(committee[1], arbitration.TypeVote, refund))
	resolvedRc = rcs[1]
	if len(eventsOf[arbitration.ResolvedEvent](t, rcs[0])) != 0 {
		resolvedRc = rcs[0]
	}
	res2 := one[arbitration.ResolvedEvent](t, resolvedRc)
	if res2.ID != d2.ID || res2.By != "committee" || res2.Winner != "b" || res2.ToB != o2.amount || res2.DurationMs < window {
		t.Fatalf("dispute 2 resolved %+v", res2)
	}
	if rf := one[order.ResolvedRefundEvent](t, resolvedRc); rf.Amount != o2.amount || rf.Acceptor != o2.acc.addr {
		t.Fatalf("refund %+v", rf)
	}
	if mk := one[risk.MarkEvent](t, resolvedRc); mk.Account != m2.addr || mk.Subject != d2.ID || mk.Rule != risk.RuleDisputeMark {
		t.Fatalf("mark %+v", mk)
	}
	// Accuracy: every vote cast is decided; the panel member who voted for
	// the merchant in dispute 2 disagreed with its outcome, everyone else
	// agreed with theirs.
	for _, a := range arbs {
		var votes, agreed uint64
		for _, v := range []*actor{panel1[0], panel1[1], committee[0], committee[1]} {
			if v == a {
				votes, agreed = votes+1, agreed+1
			}
		}
		if a == panel2[0] {
			votes++
		}
		if s, err := cl.Arbitrator(ctx, a.addr); err != nil || s.Votes != votes || s.Decided != votes || s.Agreed != agreed {
			t.Fatalf("%s: stats %+v %v, want %d votes decided, %d agreed", a.name, s, err, votes, agreed)
		}
	}

	// Payer settles the channel; the buyer reclaims payment 2.
	set := one[channel.SettledEvent](t, e.do(payer, channel.TypeSettle, &channel.MsgSettle{ID: chOpened.ID}))
	if set.Redeemed != 1000*cent || set.Refunded != deposit-1000*cent || set.By != "payer" {
		t.Fatalf("settled %+v", set)
	}
	e.refused(payee, channel.TypeRedeem, &channel.MsgRedeem{Voucher: *vouchers[999]}, channel.ErrWrongState.Error())
	if rf := one[pay.RefundedEvent](t, e.do(buyer, pay.TypeRefund, &pay.MsgRefund{ID: pay2.ID})); rf.Amount != reclaimed {
		t.Fatalf("reclaimed %+v", rf)
	}

	// Compliance unfreezes the velocity merchant: its orders resume with
	// the time they had left, and complete.
	unf := e.do(officer, risk.TypeUnfreeze, &risk.MsgUnfreeze{Account: vm.addr, Reason: types.Keccak([]byte("case 11: reviewed"))})
	if u := one[risk.UnfrozenEvent](t, unf); u.Account != vm.addr || u.Officer != officer.addr {
		t.Fatalf("unfrozen %+v", u)
	}
	resumed := eventsOf[order.ResumedEvent](t, unf)
	if len(resumed) != 3 {
		t.Fatalf("resumed %+v", resumed)
	}
	for _, rs := range resumed {
		i := slices.IndexFunc(paused, func(p order.PausedEvent) bool { return p.ID == rs.ID })
		if i < 0 || rs.Deadline != unfreezeTime(t, c, unf)+paused[i].RemainingMs {
			t.Fatalf("resumed %+v, paused %+v", rs, paused)
		}
	}
	if fs, err := cl.FrozenAccounts(ctx, 0); err != nil || len(fs) != 0 {
		t.Fatalf("frozen accounts after the unfreeze %+v %v", fs, err)
	}
	if ds, err := cl.OpenDisputes(ctx, 0); err != nil || len(ds) != 0 {
		t.Fatalf("open disputes at the end %+v %v", ds, err)
	}
	if ra, err = cl.RiskAccount(ctx, vm.addr); err != nil || ra.Frozen || len(ra.Events) != 2 || ra.Events[1].Rule != risk.RuleUnfreeze {
		t.Fatalf("risk account after unfreeze %+v %v", ra, err)
	}
	hs = nil
	for _, o := range vOrders {
		hs = append(hs, e.submit(vm, order.TypeMarkPaid, &order.MsgMarkPaid{ID: o.id, PaymentRef: types.Keccak([]byte("wire"), o.id[:])}))
	}
	e.ok(hs...)
	hs = nil
	for _, o := range vOrders {
		hs = append(hs, e.submit(o.acc, order.TypeConfirm, &order.MsgConfirm{ID: o.id}))
	}
	e.ok(hs...)
	for _, o := range vOrders {
		if v, err := cl.Order(ctx, o.id); err != nil || v.State != "COMPLETED" {
			t.Fatalf("velocity order %+v %v", v, err)
		}
	}

	// Every balance, to the micro-USDT.
	want := map[*actor]uint64{}
	var transfers uint64
	for a, f := range funded {
		want[a] = f
		transfers += f
	}
	want[dev] = DevFunds - transfers
	wantFloat, wantMargin := map[*actor]uint64{}, map[*actor]uint64{}
	for _, a := range acceptors {
		want[a] -= floatDeposit + marginDeposit
		wantFloat[a], wantMargin[a] = floatDeposit, marginDeposit
	}
	var platform uint64
	// Dispute 1: the merchant's 60% less the platform fee, plus the slash
	// of the acceptor's margin; the acceptor's 40% back to its float.
	want[m1] += toA - splitFee + slash
	wantFloat[o1.acc] -= o1.amount - toB
	wantMargin[o1.acc] -= slash
	platform += splitFee
	// Dispute 2: refunded to the acceptor's float: nothing moves.
	for _, o := range vOrders {
		fee, comm := o.amount*feeBps/10_000, o.amount*commBps/10_000
		want[vm] += o.amount - fee - comm
		wantFloat[o.acc] -= o.amount - comm
		platform += fee
	}
	want[payer] -= 1000 * cent
	want[payee] += 1000 * cent
	want[buyer] -= delivered
	want[seller] += delivered
	var fees uint64
	for _, a := range e.actors {
		fees += a.sent * e.fee
		want[a] -= a.sent * e.fee
		acc, err := cl.Account(ctx, a.addr)
		if err != nil {
			t.Fatal(err)
		}
		if acc.BalanceMicro != want[a] || acc.Nonce != a.sent {
			t.Errorf("%s: balance %d nonce %d, want %d nonce %d", a.name, acc.BalanceMicro, acc.Nonce, want[a], a.sent)
		}
	}
	var floatSum, marginSum uint64
	for _, a := range acceptors {
		v, err := cl.Acceptor(ctx, a.addr)
		if err != nil {
			t.Fatal(err)
		}
		floatSum += wantFloat[a]
		marginSum += wantMargin[a]
		if v.FloatMicro != wantFloat[a] || v.LockedMicro != 0 || v.MarginMicro != wantMargin[a] {
			t.Errorf("%s: float %d locked %d margin %d, want float %d margin %d", a.name, v.FloatMicro, v.LockedMicro, v.MarginMicro, wantFloat[a], wantMargin[a])
		}
	}
	treasury := bank.ModuleAddress("treasury")
	total := uint64(0)
	for _, w := range []struct {
		name string
		addr types.Address
		want uint64
	}{
		{"treasury", treasury, fees + platform},
		{"order escrow", order.EscrowAddress, 0},
		{"channel escrow", channel.EscrowAddress, 0},
		{"pay escrow", pay.EscrowAddress, 0},
		{"float account", acceptor.FloatAddress, floatSum},
		{"margin account", acceptor.MarginAddress, marginSum},
	} {
		got := e.balance(w.addr)
		total += got
		if got != w.want {
			t.Errorf("%s: %d micro-USDT, want %d", w.name, got, w.want)
		}
	}
	for _, a := range e.actors {
		total += e.balance(a.addr)
	}
	if total != DevFunds {
		t.Errorf("accounts hold %d micro-USDT; genesis minted %d", total, DevFunds)
	}
	for _, id := range []types.Hash{pay1.ID, pay2.ID} {
		if p, err := cl.Payment(ctx, id); err != nil || (p.State != "RELEASED" && p.State != "REFUNDED") {
			t.Errorf("payment %s: %+v %v", id.Hex(), p, err)
		}
	}
	if ch, err := cl.Channel(ctx, chOpened.ID); err != nil || ch.State != "SETTLED" || ch.Refunded != deposit-1000*cent {
		t.Errorf("channel %+v %v", ch, err)
	}
	if err := c.WaitAll(ctx, c.Height(0)); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < validators; i++ {
		if msg := c2ctest.Invariants(c2ctest.NewKeepers(), c.Node(i).Ledger().ReadState()); msg != "" {
			t.Errorf("node%d: invariant broken: %s", i, msg)
		}
	}
	t.Logf("height %d: dispute 1 (panel, split) took %d ms, dispute 2 (committee) %d ms of block time; treasury %s USDT",
		c.Height(0), res1.DurationMs, res2.DurationMs, types.FormatUSDT(fees+platform))
}

// unfreezeTime is the block time of the unfreeze receipt's block.
func unfreezeTime(t *testing.T, c *Cluster, r *views.Receipt) uint64 {
	t.Helper()
	b, err := c.Node(0).Ledger().Block(r.Height)
	if err != nil {
		t.Fatal(err)
	}
	return b.Header.Time
}
