package arbitration_test

import (
	"crypto/ecdsa"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

var (
	modelSeqs = flag.Int("model.seqs", 200, "random operation sequences TestModel runs")
	modelOps  = flag.Int("model.ops", 120, "operations per sequence")
	modelSeq  = flag.Int("model.seq", -1, "run only this sequence (to replay a failure)")
)

// aModel drives orders, payments, micropayment channels, disputes,
// evidence, votes, manual freezes, risk-rule freezes with compliance
// unfreezes, and blocks at random. It predicts each vote's outcome from its own copy of
// the dispute rules (panel membership, one vote per round, threshold of
// agreeing votes) and after every block checks: USDT conserved, every
// module invariant (escrow accounts equal to what open orders and payments
// hold, indexes, timers, disputes against their subjects), each dispute
// resolved at most once and each subject closed at most once, and after
// every operation that no frozen account's balance fell.
type mChan struct {
	id            types.Hash
	payer         int
	payee         types.Address
	deposit       uint64
	amount, nonce uint64 // last voucher issued
}

type aModel struct {
	keys     []*ecdsa.PrivateKey
	chans    []*mChan
	t        *testing.T
	e        *env
	rng      *rand.Rand
	accs     []types.Address
	mers     []types.Address
	payers   []types.Address
	frozen   map[types.Address]bool
	since    map[types.Address]uint64 // when each account now frozen (by hand or by a rule) became so
	orders   []types.Hash
	payments []types.Hash
	refs     int
	supply   uint64
	resolved map[types.Hash]int // resolution events per dispute
	closed   map[types.Hash]int // closing events per order or payment
	durs     *[]uint64
	log      []string
}

func (m *aModel) fail(format string, args ...any) {
	m.t.Helper()
	tail := m.log
	if len(tail) > 25 {
		tail = tail[len(tail)-25:]
	}
	for _, l := range tail {
		m.t.Log(l)
	}
	m.t.Fatalf(format, args...)
}

func (m *aModel) everyone() []types.Address {
	out := slices.Concat(m.accs, m.mers, m.payers, m.e.Arbs)
	for _, k := range m.keys {
		out = append(out, types.PubkeyAddress(k))
	}
	return out
}

var closingEvents = []string{channel.EventSettled, order.EventCompleted, order.EventCancelled, order.EventExpired, order.EventResolvedRelease,
	order.EventResolvedRefund, order.EventResolvedSplit, pay.EventReleased, pay.EventRefunded, pay.EventResolved}

func (m *aModel) record(evs []types.Event) {
	for _, ev := range evs {
		seen[ev.Type]++
		id, _ := types.ParseHash(ev.Get("id"))
		switch {
		case ev.Type == arbitration.EventResolved:
			m.resolved[id]++
			d, _ := strconv.ParseUint(ev.Get("duration_ms"), 10, 64)
			*m.durs = append(*m.durs, d)
		case slices.Contains(closingEvents, ev.Type):
			m.closed[id]++
		}
	}
}

func (m *aModel) exec(sender types.Address, msg interface{ TxType() types.TxType }, what string) ([]types.Event, error) {
	m.t.Helper()
	before := map[types.Address]uint64{}
	for _, a := range m.everyone() {
		if m.e.Frozen.IsFrozen(m.e.St, a) {
			before[a] = m.e.Bank.Balance(m.e.St, a)
		}
	}
	evs, err := m.e.Exec(sender, msg)
	m.log = append(m.log, fmt.Sprintf("t=%d %s %s: %+v -> %v", m.e.Block.Time, sender.Hex()[:8], what, msg, err))
	for a, b := range before {
		if m.e.Bank.Balance(m.e.St, a) < b {
			m.fail("%s: frozen account %s sent value", what, a.Hex())
		}
	}
	m.record(evs)
	return evs, err
}

func pick[T any](r *rand.Rand, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[r.IntN(len(xs))], true
}

func (m *aModel) openDisputes() []*arbitration.Dispute {
	ds, err := m.e.K.OpenDisputes(m.e.St, 0)
	if err != nil {
		m.fail("%v", err)
	}
	return ds
}

func (m *aModel) vote() {
	d, ok := pick(m.rng, m.openDisputes())
	if !ok {
		return
	}
	voter, _ := pick(m.rng, m.e.Arbs)
	if len(d.Panel) > 0 && m.rng.IntN(5) != 0 {
		voter = d.Panel[m.rng.IntN(len(d.Panel))]
	}
	type outcome struct {
		w        arbitration.Side
		toA, toB uint64
	}
	half := d.Escrow / 2
	o := []outcome{{arbitration.SideA, d.Escrow, 0}, {arbitration.SideB, 0, d.Escrow}, {arbitration.SideA, d.Escrow - half, half}}[m.rng.IntN(3)]
	if m.rng.IntN(15) == 0 {
		o.toB++ // payouts off by one
	}
	voted := false
	agree := uint64(1)
	for _, v := range d.Votes {
		if v.Round == d.Round && v.Arbitrator == voter {
			voted = true
		}
		if v.Round == d.Round && v.Winner == o.w && v.ToA == o.toA && v.ToB == o.toB {
			agree++
		}
	}
	want := d.Phase.Voting() && slices.Contains(d.Panel, voter) && !voted && o.toA+o.toB == d.Escrow &&
		!(o.w == arbitration.SideA && o.toA == 0)
	_, err := m.exec(voter, &arbitration.MsgVote{ID: d.ID, Winner: o.w, Reason: arbitration.ReasonOther, ToA: o.toA, ToB: o.toB}, "vote")
	if (err == nil) != want {
		m.fail("vote: model expected success=%v, got %v", want, err)
	}
	got, _ := m.e.K.GetDispute(m.e.St, d.ID)
	if wantResolved := want && agree >= d.Threshold; (got.Phase == arbitration.PhaseResolved) != (wantResolved || d.Phase == arbitration.PhaseResolved) {
		m.fail("vote: resolved=%v, model %v (agree %d of %d)", got.Phase == arbitration.PhaseResolved, wantResolved, agree, d.Threshold)
	}
}

// channelOp opens a channel, redeems its latest voucher (sometimes an
// older one), or closes or settles it.
func (m *aModel) channelOp() {
	r := m.rng
	c, ok := pick(r, m.chans)
	if !ok || r.IntN(4) == 0 {
		pi := r.IntN(len(m.keys))
		payer := types.PubkeyAddress(m.keys[pi])
		payee, _ := pick(r, m.mers)
		id := m.e.Chan.NextID(m.e.St, payer)
		dep := uint64(1+r.IntN(20)) * usdt
		if _, err := m.exec(payer, &channel.MsgOpen{Payee: payee, Deposit: dep, Expiry: m.e.Block.Time + uint64(1+r.IntN(6))*hour}, "channel open"); err == nil {
			m.chans = append(m.chans, &mChan{id: id, payer: pi, payee: payee, deposit: dep})
		}
		return
	}
	switch r.IntN(4) {
	case 0, 1:
		amount, nonce := c.amount+uint64(1+r.IntN(100))*10_000, c.nonce+1
		if r.IntN(5) == 0 && c.nonce > 0 {
			amount, nonce = c.amount, c.nonce // a replay of the last voucher
		} else {
			c.amount, c.nonce = amount, nonce
		}
		v, err := channel.SignVoucher(c2ctest.ChainID, c.id, amount, nonce, m.keys[c.payer])
		if err != nil {
			m.fail("%v", err)
		}
		m.exec(c.payee, &channel.MsgRedeem{Voucher: *v}, "redeem")
	case 2:
		m.exec(types.PubkeyAddress(m.keys[c.payer]), &channel.MsgClose{ID: c.id}, "channel close")
	default:
		m.exec([]types.Address{types.PubkeyAddress(m.keys[c.payer]), c.payee}[r.IntN(2)], &channel.MsgSettle{ID: c.id}, "channel settle")
	}
}

func (m *aModel) step() {
	r := m.rng
	switch op := r.IntN(26); {
	case op < 4: // create and pay an order
		mer, _ := pick(r, m.mers)
		m.refs++
		ref := fmt.Sprint("r", m.refs)
		if _, err := m.exec(mer, &order.MsgCreate{Currency: "USD", FiatAmount: uint64(1+r.IntN(200)) * 100, MerchantRef: ref}, "create"); err != nil {
			return
		}
		id := order.OrderID(mer, ref)
		if o, _ := m.e.Order.GetOrder(m.e.St, id); o.State == order.StateLocked {
			m.orders = append(m.orders, id)
			if r.IntN(4) != 0 {
				m.exec(mer, &order.MsgMarkPaid{ID: id, PaymentRef: id}, "mark paid")
			}
		}
	case op < 6: // confirm
		id, ok := pick(r, m.orders)
		if !ok {
			return
		}
		o, _ := m.e.Order.GetOrder(m.e.St, id)
		m.exec(o.Acceptor, &order.MsgConfirm{ID: id}, "confirm")
	case op < 9: // dispute by a party
		id, ok := pick(r, m.orders)
		if !ok {
			return
		}
		o, _ := m.e.Order.GetOrder(m.e.St, id)
		m.exec([]types.Address{o.Merchant, o.Acceptor}[r.IntN(2)], &order.MsgDispute{ID: id}, "dispute")
	case op < 15:
		m.vote()
	case op < 16: // evidence
		d, ok := pick(r, m.openDisputes())
		if !ok {
			return
		}
		m.exec([]types.Address{d.PartyA, d.PartyB}[r.IntN(2)], &arbitration.MsgEvidence{ID: d.ID, Hash: types.Keccak(d.ID[:])}, "evidence")
	case op < 18: // lock a payment, sometimes attest or dispute it
		payer, _ := pick(r, m.payers)
		payee, _ := pick(r, m.mers)
		id := m.e.Pay.NextID(m.e.St, payer)
		attester := c2ctest.Addr("carrier")
		if _, err := m.exec(payer, &pay.MsgLock{Payee: payee, Attester: attester, Amount: uint64(1+r.IntN(50)) * usdt,
			Deadline: m.e.Block.Time + uint64(1+r.IntN(8))*hour}, "lock"); err == nil {
			m.payments = append(m.payments, id)
		}
	case op < 20:
		id, ok := pick(r, m.payments)
		if !ok {
			return
		}
		p, _ := m.e.Pay.GetPayment(m.e.St, id)
		if r.IntN(3) == 0 {
			m.exec(p.Payer, &pay.MsgRefund{ID: id}, "refund")
		} else {
			m.exec([]types.Address{p.Payer, p.Payee}[r.IntN(2)], &pay.MsgDispute{ID: id}, "pay dispute")
		}
	case op < 21: // freeze or unfreeze anyone by hand, or a compliance unfreeze of a risk freeze
		if frozen := m.e.Risk.FrozenAccounts(m.e.St, 0); len(frozen) > 0 && r.IntN(2) == 0 {
			a, _ := pick(r, frozen)
			if _, err := m.exec(officer, &risk.MsgUnfreeze{Account: a, Reason: types.Keccak(a[:])}, "unfreeze"); err != nil {
				m.fail("unfreeze of a frozen account: %v", err)
			}
			return
		}
		a, _ := pick(r, m.everyone())
		m.frozen[a] = !m.frozen[a]
		m.e.Freezer.Freeze(m.e.St, a, m.frozen[a])
		evs, err := m.e.Call(func(ctx *core.Context) error { // what the freezer's hook does
			if m.frozen[a] {
				return m.e.Order.AccountFrozen(ctx, a)
			}
			return m.e.Order.AccountUnfrozen(ctx, a)
		})
		if err != nil {
			m.fail("freeze hook: %v", err)
		}
		m.record(evs)
		m.log = append(m.log, fmt.Sprintf("freeze %s %v", a.Hex()[:8], m.frozen[a]))
	case op < 23:
		m.channelOp()
	default:
		dt := uint64(1+r.IntN(90)) * 60_000
		m.advance(dt)
		m.e.PostRates()
		m.log = append(m.log, fmt.Sprintf("block %d t=%d", m.e.Block.Height, m.e.Block.Time))
		m.check()
	}
}

// trackFreezes notes when each account became frozen, after every
// operation (a rule can freeze inside any order transaction).
func (m *aModel) trackFreezes() {
	for _, a := range m.everyone() {
		_, was := m.since[a]
		switch now := m.e.Frozen.IsFrozen(m.e.St, a); {
		case now && !was:
			m.since[a] = m.e.Block.Time
		case !now && was:
			delete(m.since, a)
		}
	}
}

// advance starts a block and checks that its order timers spared every
// frozen party: an order times out (expires, or is disputed by the timer)
// only if neither party was frozen before its deadline, and a paused order
// (no deadline) never does.
func (m *aModel) advance(dt uint64) {
	m.trackFreezes()
	deadline := map[types.Hash]uint64{}
	for _, id := range m.orders {
		if o, err := m.e.Order.GetOrder(m.e.St, id); err == nil {
			deadline[id] = o.Deadline
		}
	}
	evs := m.e.Advance(dt)
	m.record(evs)
	for _, ev := range evs {
		if ev.Type != order.EventExpired && !(ev.Type == order.EventDisputed && ev.Get("by") == "timeout") {
			continue
		}
		id, _ := types.ParseHash(ev.Get("id"))
		d := deadline[id]
		if d == 0 {
			m.fail("order %s timed out with its timer paused", id.Hex())
		}
		for _, attr := range []string{"merchant", "acceptor"} {
			x, _ := types.ParseAddress(ev.Get(attr))
			if at, frozen := m.since[x]; frozen && at < d {
				m.fail("order %s timed out (deadline %d) while its %s %s was frozen since %d", id.Hex(), d, attr, x.Hex(), at)
			}
		}
		seen["timeout"]++
	}
	m.trackFreezes()
}

func (m *aModel) check() {
	m.t.Helper()
	if msg := m.e.invariants(); msg != "" {
		m.fail("invariant: %s", msg)
	}
	if s := m.e.Bank.Supply(m.e.St); s != m.supply {
		m.fail("supply %d, was %d", s, m.supply)
	}
	for id, n := range m.resolved {
		if n > 1 {
			m.fail("dispute %s resolved %d times", id.Hex(), n)
		}
	}
	for id, n := range m.closed {
		if n > 1 {
			m.fail("escrow of %s released %d times", id.Hex(), n)
		}
	}
}

func runModel(t *testing.T, seq int, reached map[arbitration.Phase]int, durs *[]uint64) {
	rng := rand.New(rand.NewPCG(0xa4b, uint64(seq)))
	e := newEnv(2 + rng.IntN(6))
	e.Ramp()
	m := &aModel{t: t, e: e, rng: rng, frozen: map[types.Address]bool{}, since: map[types.Address]uint64{}, resolved: map[types.Hash]int{},
		closed: map[types.Hash]int{}, durs: durs}
	for i := 0; i < 1+rng.IntN(3); i++ {
		a := c2ctest.Addr(fmt.Sprint("acc", i))
		e.NewAcceptor(a, c2ctest.AcceptorSpec{Float: 2_000 * usdt, Margin: uint64(rng.IntN(400)) * usdt})
		m.accs = append(m.accs, a)
	}
	for i := 0; i < 1+rng.IntN(3); i++ {
		a := c2ctest.Addr(fmt.Sprint("mer", i))
		e.NewMerchant(a)
		m.mers = append(m.mers, a)
	}
	for i := 0; i < 2; i++ {
		a := c2ctest.Addr(fmt.Sprint("payer", i))
		e.Fund(a, 200*usdt)
		m.payers = append(m.payers, a)
	}
	for i := 0; i < 2; i++ {
		k := banktest.DeterministicKey(0xa4b<<20 + uint64(i))
		e.Fund(types.PubkeyAddress(k), 100*usdt)
		m.keys = append(m.keys, k)
	}
	// Low thresholds so that the rules fire and freeze during the run.
	e.SetParam(risk.ModuleName, risk.ParamVelocityMax, uint64(2+rng.IntN(6)))
	e.SetParam(risk.ModuleName, risk.ParamPairMax, uint64(3+rng.IntN(6)))
	e.SetParam(risk.ModuleName, risk.ParamPairFreeze, uint64(rng.IntN(2)))
	e.SetParam(risk.ModuleName, risk.ParamWindow, uint64(1+rng.IntN(4)))
	m.supply = e.Bank.Supply(e.St)
	m.check()
	for i := 0; i < *modelOps; i++ {
		m.step()
	}
	m.advance(1)
	m.check()
	all, _ := e.K.OpenDisputes(e.St, 0)
	for _, d := range all {
		reached[d.Phase]++
	}
	reached[arbitration.PhaseResolved] += len(m.resolved)
}

// seen counts the events of all sequences, to show the generator reaches
// every path.
var seen = map[string]int{}

// TestModel: see aModel. A failing sequence prints its number; replay it
// with -model.seq=N. It logs the mean and p95 dispute duration (block
// time, open to resolution) over the resolved disputes.
func TestModel(t *testing.T) {
	reached := map[arbitration.Phase]int{}
	var durs []uint64
	n, all := testkit.RunSeqs(t, *modelSeq, *modelSeqs, 40, "./contracts/arbitration", func(t *testing.T, seq int) { runModel(t, seq, reached, &durs) })
	if !all {
		return
	}
	slices.Sort(durs)
	var sum uint64
	for _, d := range durs {
		sum += d
	}
	if len(durs) > 0 {
		t.Logf("%d disputes resolved: mean %d ms, p95 %d ms of block time", len(durs), sum/uint64(len(durs)), durs[len(durs)*95/100])
	}
	t.Logf("phases reached over %d sequences: %v", n, reached)
	for _, typ := range []string{risk.EventHit, risk.EventFrozen, risk.EventUnfrozen, order.EventPaused, order.EventResumed, channel.EventRedeemed, channel.EventSettled,
		pay.EventDisputed, order.EventResolvedSplit, order.EventResolvedRelease, order.EventResolvedRefund, arbitration.EventCommittee} {
		if seen[typ] == 0 {
			t.Errorf("no %s event in any sequence: the generator misses a path", typ)
		}
	}
	t.Logf("events: frozen %d, unfrozen %d, paused %d, resumed %d, timeouts %d, redeemed %d, settled %d, splits %d", seen[risk.EventFrozen],
		seen[risk.EventUnfrozen], seen[order.EventPaused], seen[order.EventResumed], seen["timeout"],
		seen[channel.EventRedeemed], seen[channel.EventSettled], seen[order.EventResolvedSplit])
	for p := arbitration.PhasePanel; p <= arbitration.PhaseResolved; p++ {
		if reached[p] == 0 {
			t.Errorf("no sequence reached %s: the generator misses a path", p)
		}
	}
}
