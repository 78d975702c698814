package order_test

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

var (
	modelSeqs = flag.Int("model.seqs", 2000, "random operation sequences TestModel runs")
	modelOps  = flag.Int("model.ops", 80, "operations per sequence")
	modelSeq  = flag.Int("model.seq", -1, "run only this sequence (to replay a failure)")
)

// The reference model: plain maps and the rules as docs/design.md states them,
// written independently of the keepers. TestModel runs random operations
// against both and compares them after every operation and every block.

type mOrder struct {
	id               types.Hash
	merchant, acc    types.Address
	amount           uint64
	state            order.State
	deadline, paidAt uint64
	paused           bool // a party is frozen: no deadline, remaining ms kept
	remaining        uint64
	extended         bool
	released         int // times the escrow left (must end ≤ 1)
	commBps, feeBps  uint64
}

type mAcc struct {
	float, margin, locked uint64
	active                bool
	vol                   []struct{ hour, amount uint64 }
	openDisputes          int
}

type model struct {
	t         *testing.T
	e         *c2ctest.Env
	rng       *rand.Rand
	wallet    map[types.Address]uint64
	accs      map[types.Address]*mAcc
	accList   []types.Address
	merchants []types.Address
	kyc       map[types.Address]bool
	frozen    map[types.Address]bool
	frozenAt  map[types.Address]uint64
	orders    map[types.Hash]*mOrder
	orderIDs  []types.Hash // creation order
	cancels   map[types.Address][2]uint64
	p         order.Params
	marginBps uint64
	supply    uint64
	refs      int
	log       []string
}

const hourMs = 3600 * 1000

func (m *model) vol24(a *mAcc, now uint64) uint64 {
	h := now / hourMs
	var s uint64
	for _, b := range a.vol {
		if b.hour+24 > h && b.hour <= h {
			s += b.amount
		}
	}
	return s
}

func ceilBps(v, bps uint64) uint64 { return (v*bps + 9_999) / 10_000 }

func (m *model) eligible(amount uint64, merchant types.Address) []types.Address {
	var out []types.Address
	now := m.e.Block.Time
	for _, a := range m.accList {
		s := m.accs[a]
		if a == merchant || !s.active || m.frozen[a] || !m.kyc[a] || s.float < amount {
			continue
		}
		if s.margin < ceilBps(m.vol24(s, now)+amount, m.marginBps) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (m *model) fail(format string, args ...any) {
	m.t.Helper()
	tail := m.log
	if len(tail) > 15 {
		tail = tail[len(tail)-15:]
	}
	for _, l := range tail {
		m.t.Log(l)
	}
	m.t.Fatalf(format, args...)
}

// exec runs msg from sender and checks that it succeeds exactly when the
// model says it should.
func (m *model) exec(sender types.Address, msg interface{ TxType() types.TxType }, want bool, what string) []types.Event {
	m.t.Helper()
	evs, err := m.e.Exec(sender, msg)
	m.log = append(m.log, fmt.Sprintf("t=%d %s: %T %+v -> %v", m.e.Block.Time, what, msg, msg, err))
	if (err == nil) != want {
		m.fail("%s: model expected success=%v, got %v", what, want, err)
	}
	if err != nil && bytes.Contains([]byte(err.Error()), []byte("corrupt")) {
		m.fail("%s: %v", what, err)
	}
	return evs
}

func (m *model) pickAmount() uint64 { return uint64(1+m.rng.IntN(300)) * types.MicroPerUSDT / 4 }

func (m *model) pickOrder(states ...order.State) *mOrder {
	var c []*mOrder
	for _, id := range m.orderIDs {
		o := m.orders[id]
		if len(states) == 0 || slices.Contains(states, o.state) {
			c = append(c, o)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[m.rng.IntN(len(c))]
}

// wrongOr returns right most of the time, else another participant.
func (m *model) wrongOr(right types.Address) types.Address {
	if m.rng.IntN(6) != 0 {
		return right
	}
	all := append(append([]types.Address(nil), m.accList...), m.merchants...)
	return all[m.rng.IntN(len(all))]
}

func (m *model) release(o *mOrder, to types.Address, toAmount, comm, fee uint64) {
	o.released++
	m.wallet[to] += toAmount
	m.wallet[c2ctest.Treasury] += fee
	a := m.accs[o.acc]
	a.locked -= o.amount
	a.float += comm
}

func (m *model) refund(o *mOrder) {
	o.released++
	a := m.accs[o.acc]
	a.locked -= o.amount
	a.float += o.amount
}

func (m *model) step() {
	now := m.e.Block.Time
	switch op := m.rng.IntN(20); {
	case op >= 18:
		m.advance()
	case op < 5: // create
		mer := m.merchants[m.rng.IntN(len(m.merchants))]
		if m.rng.IntN(20) == 0 {
			mer = m.accList[m.rng.IntN(len(m.accList))] // an acceptor buying: never assigned to itself
		}
		m.refs++
		ref := fmt.Sprint("ref-", m.refs)
		if m.rng.IntN(15) == 0 && len(m.orderIDs) > 0 { // reuse a reference
			o := m.orders[m.orderIDs[m.rng.IntN(len(m.orderIDs))]]
			mer, ref = o.merchant, ""
			for r := 1; r <= m.refs; r++ {
				if order.OrderID(o.merchant, fmt.Sprint("ref-", r)) == o.id {
					ref = fmt.Sprint("ref-", r)
				}
			}
		}
		amount := m.pickAmount()
		id := order.OrderID(mer, ref)
		prev := m.orders[id]
		want := m.kyc[mer] && !m.frozen[mer] && amount >= m.p.MinOrder && (prev == nil || prev.state == order.StateRejected)
		elig := m.eligible(amount, mer)
		evs := m.exec(mer, &order.MsgCreate{Currency: "USD", FiatAmount: amount / 10_000, MerchantRef: ref}, want, "create")
		if !want {
			return
		}
		o := &mOrder{id: id, merchant: mer, amount: amount, state: order.StateRejected, commBps: m.p.CommissionBps, feeBps: m.p.FeeBps}
		if prev == nil {
			m.orderIDs = append(m.orderIDs, id)
		}
		m.orders[id] = o
		ev, locked := testkit.FindEvent(evs, order.EventLocked)
		if !locked {
			if len(elig) != 0 {
				m.fail("order rejected with %d eligible acceptors", len(elig))
			}
			return
		}
		win, _ := types.ParseAddress(ev.Get("acceptor"))
		if !slices.Contains(elig, win) {
			m.fail("order assigned to %s, not eligible in the model (eligible %v)", win.Hex(), elig)
		}
		a := m.accs[win]
		// The margin rule, checked on the model's own volume buckets.
		if a.margin < ceilBps(m.vol24(a, now)+amount, m.marginBps) {
			m.fail("margin rule broken at assignment")
		}
		o.acc, o.state, o.deadline = win, order.StateLocked, now+m.p.PaymentWindow
		a.float -= amount
		a.locked += amount
		h := now / hourMs
		if n := len(a.vol); n > 0 && a.vol[n-1].hour == h {
			a.vol[n-1].amount += amount
		} else {
			a.vol = append(a.vol, struct{ hour, amount uint64 }{h, amount})
		}
	case op < 8: // mark paid
		o := m.pickOrder(order.StateLocked, order.StatePaid, order.StateCompleted)
		if o == nil {
			return
		}
		from := m.wrongOr(o.merchant)
		want := o.state == order.StateLocked && from == o.merchant && o.inWindow(now) && !m.frozen[from]
		m.exec(from, &order.MsgMarkPaid{ID: o.id, PaymentRef: types.Keccak(o.id[:])}, want, "mark paid")
		if want {
			o.stop()
			o.state, o.paidAt, o.deadline = order.StatePaid, now, now+m.p.ReleaseWindow
			if m.frozen[o.acc] {
				o.paused, o.remaining, o.deadline = true, m.p.ReleaseWindow, 0
			}
		}
	case op < 11: // confirm
		o := m.pickOrder(order.StatePaid, order.StateLocked)
		if o == nil {
			return
		}
		from := m.wrongOr(o.acc)
		want := o.state == order.StatePaid && from == o.acc && o.inWindow(now)
		m.exec(from, &order.MsgConfirm{ID: o.id}, want, "confirm")
		if want {
			fee, comm := o.amount*o.feeBps/10_000, o.amount*o.commBps/10_000
			m.release(o, o.merchant, o.amount-fee-comm, comm, fee)
			o.state = order.StateCompleted
			o.stop()
		}
	case op < 12: // cancel
		o := m.pickOrder(order.StateLocked, order.StatePaid)
		if o == nil {
			return
		}
		from := m.wrongOr(o.merchant)
		c := m.cancels[o.merchant]
		today := uint64(0)
		if c[0] == now/(24*hourMs) {
			today = c[1]
		}
		want := o.state == order.StateLocked && from == o.merchant && o.inWindow(now) && today < m.p.MaxCancelsPerDay
		m.exec(from, &order.MsgCancel{ID: o.id}, want, "cancel")
		if want {
			m.refund(o)
			o.state = order.StateCancelled
			o.stop()
			m.cancels[o.merchant] = [2]uint64{now / (24 * hourMs), today + 1}
		}
	case op < 13: // extend
		o := m.pickOrder(order.StateLocked)
		if o == nil {
			return
		}
		from := m.wrongOr(o.acc)
		left := o.remaining
		if !o.paused && o.deadline > now {
			left = o.deadline - now
		}
		want := from == o.acc && !o.extended && o.inWindow(now) && left < m.p.ExtendThreshold && !m.frozen[from]
		m.exec(from, &order.MsgExtend{ID: o.id}, want, "extend")
		switch {
		case want && o.paused:
			o.extended, o.remaining = true, o.remaining+m.p.ExtendBy
		case want:
			o.extended, o.deadline = true, o.deadline+m.p.ExtendBy
		}
	case op < 14: // dispute
		o := m.pickOrder(order.StatePaid, order.StateLocked)
		if o == nil {
			return
		}
		from := m.wrongOr([]types.Address{o.merchant, o.acc}[m.rng.IntN(2)])
		want := o.state == order.StatePaid && (from == o.merchant || from == o.acc)
		m.exec(from, &order.MsgDispute{ID: o.id}, want, "dispute")
		if want {
			o.state = order.StateDisputed
			o.stop()
			m.accs[o.acc].openDisputes++
		}
	case op < 15: // arbitration
		o := m.pickOrder(order.StateDisputed, order.StatePaid)
		if o == nil {
			return
		}
		release := m.rng.IntN(2) == 0
		_, err := m.e.Call(func(ctx *core.Context) error {
			if release {
				return m.e.Order.ResolveRelease(ctx, o.id)
			}
			return m.e.Order.ResolveRefund(ctx, o.id)
		})
		m.log = append(m.log, fmt.Sprintf("t=%d resolve release=%v %s -> %v", now, release, o.id.Hex()[:10], err))
		if (err == nil) != (o.state == order.StateDisputed) {
			m.fail("resolve in %s: %v", o.state, err)
		}
		if err != nil {
			return
		}
		a := m.accs[o.acc]
		a.openDisputes--
		if release {
			fee := o.amount * o.feeBps / 10_000
			m.release(o, o.merchant, o.amount-fee, 0, fee)
			slash := min(a.margin, o.amount*1000/10_000)
			a.margin -= slash
			m.wallet[o.merchant] += slash
			o.state = order.StateResolvedRelease
		} else {
			m.refund(o)
			o.state = order.StateResolvedRefund
		}
	case op < 17: // acceptor funds
		acc := m.accList[m.rng.IntN(len(m.accList))]
		a := m.accs[acc]
		amt := m.pickAmount() * uint64(1+m.rng.IntN(4))
		switch m.rng.IntN(4) {
		case 0:
			want := !m.frozen[acc] && m.wallet[acc] >= amt
			m.exec(acc, &acceptor.MsgDepositFloat{Amount: amt}, want, "deposit float")
			if want {
				m.wallet[acc] -= amt
				a.float += amt
			}
		case 1:
			want := !m.frozen[acc] && a.float >= amt
			m.exec(acc, &acceptor.MsgWithdrawFloat{Amount: amt}, want, "withdraw float")
			if want {
				m.wallet[acc] += amt
				a.float -= amt
			}
		case 2:
			want := !m.frozen[acc] && m.wallet[acc] >= amt
			m.exec(acc, &acceptor.MsgDepositMargin{Amount: amt}, want, "deposit margin")
			if want {
				m.wallet[acc] -= amt
				a.margin += amt
			}
		case 3:
			want := !m.frozen[acc] && a.margin >= amt && a.openDisputes == 0 && a.margin-amt >= ceilBps(m.vol24(a, now), m.marginBps)
			m.exec(acc, &acceptor.MsgWithdrawMargin{Amount: amt}, want, "withdraw margin")
			if want {
				m.wallet[acc] += amt
				a.margin -= amt
			}
		}
	case op < 18: // pause / resume / freeze / KYC
		acc := m.accList[m.rng.IntN(len(m.accList))]
		a := m.accs[acc]
		switch m.rng.IntN(4) {
		case 0:
			want := !m.frozen[acc] && a.active
			m.exec(acc, &acceptor.MsgPause{}, want, "pause")
			if want {
				a.active = false
			}
		case 1:
			want := !m.frozen[acc] && !a.active
			m.exec(acc, &acceptor.MsgResume{}, want, "resume")
			if want {
				a.active = true
			}
		case 2:
			all := append(append([]types.Address(nil), m.accList...), m.merchants...)
			x := all[m.rng.IntN(len(all))]
			m.setFrozen(x, !m.frozen[x])
			m.log = append(m.log, fmt.Sprintf("freeze %s %v", x.Hex()[:8], m.frozen[x]))
		case 3:
			all := append(append([]types.Address(nil), m.accList...), m.merchants...)
			x := all[m.rng.IntN(len(all))]
			if m.kyc[x] {
				m.e.Revoke(x)
			} else {
				m.e.KYCFor(x)
			}
			m.kyc[x] = !m.kyc[x]
			m.log = append(m.log, fmt.Sprintf("kyc %s %v", x.Hex()[:8], m.kyc[x]))
		}
	}
}

// inWindow reports whether o's timer still runs at now (or is paused).
func (o *mOrder) inWindow(now uint64) bool { return o.paused || now < o.deadline }

// stop ends o's timer.
func (o *mOrder) stop() { o.deadline, o.paused, o.remaining = 0, false, 0 }

// freeze and unfreeze are the model's pause rule: a freeze pauses the
// account's running, not yet due timers with the time they had left; an
// unfreeze restarts the paused ones whose parties are both free.
func (m *model) setFrozen(x types.Address, frozen bool) {
	now := m.e.Block.Time
	m.frozen[x] = frozen
	m.frozenAt[x] = now
	m.e.Freezer.Freeze(m.e.St, x, frozen)
	if _, err := m.e.Call(func(ctx *core.Context) error {
		if frozen {
			return m.e.Order.AccountFrozen(ctx, x)
		}
		return m.e.Order.AccountUnfrozen(ctx, x)
	}); err != nil {
		m.fail("freeze hook: %v", err)
	}
	for _, id := range m.orderIDs {
		o := m.orders[id]
		if (o.state != order.StateLocked && o.state != order.StatePaid) || (o.merchant != x && o.acc != x) {
			continue
		}
		switch {
		case frozen && !o.paused && o.deadline > now:
			o.paused, o.remaining, o.deadline = true, o.deadline-now, 0
		case !frozen && o.paused && !m.frozen[o.merchant] && !m.frozen[o.acc]:
			o.paused, o.deadline, o.remaining = false, now+o.remaining, 0
		}
	}
}

// advance starts the next block and applies the model's timers: due
// orders in (deadline, ID) order, at most max_timeouts_per_block.
func (m *model) advance() {
	dt := uint64(1+m.rng.IntN(20)) * 60_000
	if m.rng.IntN(4) == 0 {
		dt = uint64(1 + m.rng.IntN(5000))
	}
	m.e.Advance(dt)
	m.e.PostRates()
	now := m.e.Block.Time
	m.log = append(m.log, fmt.Sprintf("block %d t=%d", m.e.Block.Height, now))
	var due []*mOrder
	for _, id := range m.orderIDs {
		o := m.orders[id]
		if (o.state == order.StateLocked || o.state == order.StatePaid) && !o.paused && o.deadline <= now {
			due = append(due, o)
		}
	}
	slices.SortFunc(due, func(a, b *mOrder) int {
		if a.deadline != b.deadline {
			return int(int64(a.deadline - b.deadline))
		}
		return bytes.Compare(a.id[:], b.id[:])
	})
	if uint64(len(due)) > m.p.MaxTimeouts {
		due = due[:m.p.MaxTimeouts]
	}
	for _, o := range due {
		// A frozen party's order never times out while it is frozen,
		// unless its deadline had passed before the freeze.
		for _, x := range []types.Address{o.merchant, o.acc} {
			if m.frozen[x] && m.frozenAt[x] < o.deadline {
				m.fail("order %s times out at %d while %s is frozen since %d", o.id.Hex(), o.deadline, x.Hex(), m.frozenAt[x])
			}
		}
		if o.state == order.StateLocked {
			m.refund(o)
			o.state = order.StateExpired
		} else {
			o.state = order.StateDisputed
			m.accs[o.acc].openDisputes++
		}
		o.deadline = 0
	}
	m.check()
}

// check compares the chain with the model and the invariants.
func (m *model) check() {
	m.t.Helper()
	st, k := m.e.St, m.e.Keepers
	if msg := m.e.Invariants(); msg != "" {
		m.fail("invariant: %s", msg)
	}
	if s := k.Bank.Supply(st); s != m.supply {
		m.fail("supply %d, was %d: USDT created or destroyed", s, m.supply)
	}
	var sum uint64
	for a, w := range m.wallet {
		if got := k.Bank.Balance(st, a); got != w {
			m.fail("balance of %s: chain %d, model %d", a.Hex(), got, w)
		}
		sum += w
	}
	var escrow uint64
	for _, id := range m.orderIDs {
		o := m.orders[id]
		if o.released > 1 {
			m.fail("order %s escrow released %d times", id.Hex(), o.released)
		}
		if o.state.Open() {
			escrow += o.amount
		}
		got, err := k.Order.GetOrder(st, id)
		if err != nil {
			m.fail("%v", err)
		}
		if got.State != o.state || got.Acceptor != o.acc || got.Amount != o.amount || got.Deadline != o.deadline ||
			got.Paused != o.paused || got.Remaining != o.remaining {
			m.fail("order %s: chain %s/%s/%d/%d/paused %v %d, model %s/%s/%d/%d/paused %v %d", id.Hex(), got.State, got.Acceptor.Hex(),
				got.Amount, got.Deadline, got.Paused, got.Remaining, o.state, o.acc.Hex(), o.amount, o.deadline, o.paused, o.remaining)
		}
	}
	if got := k.Bank.Balance(st, order.EscrowAddress); got != escrow {
		m.fail("escrow %d, model %d", got, escrow)
	}
	var floats, margins uint64
	for _, a := range m.accList {
		s := m.accs[a]
		rec, err := k.Acceptor.GetAcceptor(st, a)
		if err != nil {
			m.fail("%v", err)
		}
		if rec.Float != s.float || rec.Margin != s.margin || rec.Locked != s.locked || (rec.Status == acceptor.StatusActive) != s.active {
			m.fail("acceptor %s: chain float %d margin %d locked %d %s, model %d %d %d active=%v", a.Hex(),
				rec.Float, rec.Margin, rec.Locked, rec.Status, s.float, s.margin, s.locked, s.active)
		}
		if rec.Stats.OpenDisputes != uint64(s.openDisputes) {
			m.fail("acceptor %s: %d open disputes, model %d", a.Hex(), rec.Stats.OpenDisputes, s.openDisputes)
		}
		floats += s.float
		margins += s.margin
	}
	if sum+escrow+floats+margins != m.supply {
		m.fail("wallets %d + escrow %d + float %d + margin %d != supply %d", sum, escrow, floats, margins, m.supply)
	}
}

func runModel(t *testing.T, seq int, reached map[order.State]int) {
	rng := rand.New(rand.NewPCG(0xacc0, uint64(seq)))
	e := c2ctest.NewEnv()
	e.ResolveByHand() // the model resolves disputes in arbitration's place
	e.Ramp()
	m := &model{t: t, e: e, rng: rng, wallet: map[types.Address]uint64{}, accs: map[types.Address]*mAcc{},
		kyc: map[types.Address]bool{}, frozen: map[types.Address]bool{}, frozenAt: map[types.Address]uint64{}, orders: map[types.Hash]*mOrder{},
		cancels: map[types.Address][2]uint64{}}
	if rng.IntN(2) == 0 {
		e.SetParam(order.ModuleName, order.ParamMaxTimeouts, uint64(1+rng.IntN(3)))
	}
	e.SetParam(acceptor.ModuleName, acceptor.ParamMarginBps, uint64(500+rng.IntN(4)*500))
	m.p = e.Order.Params(e.St)
	m.marginBps = e.Acceptor.Params(e.St).MarginBps
	nAcc, nMer := 1+rng.IntN(4), 1+rng.IntN(3)
	for i := 0; i < nAcc; i++ {
		a := c2ctest.Addr(fmt.Sprint("acc", i))
		fl, mg := uint64(rng.IntN(200))*types.MicroPerUSDT, uint64(rng.IntN(60))*types.MicroPerUSDT
		e.NewAcceptor(a, c2ctest.AcceptorSpec{Float: fl, Margin: mg})
		e.Fund(a, 500*types.MicroPerUSDT)
		m.accList = append(m.accList, a)
		m.accs[a] = &mAcc{float: fl, margin: mg, active: true}
		m.wallet[a] = 500*types.MicroPerUSDT + 1 // NewAcceptor leaves 1 micro-USDT
		m.kyc[a] = true
	}
	for i := 0; i < nMer; i++ {
		a := c2ctest.Addr(fmt.Sprint("mer", i))
		e.NewMerchant(a)
		m.merchants = append(m.merchants, a)
		m.wallet[a] = 0
		m.kyc[a] = true
	}
	m.wallet[c2ctest.Treasury] = 0
	m.supply = e.Bank.Supply(e.St)
	m.check()
	for i := 0; i < *modelOps; i++ {
		m.step()
	}
	m.advance()
	for _, o := range m.orders {
		reached[o.state]++
	}
}

// TestModel runs thousands of random operation sequences (create, pay,
// confirm, cancel, extend, dispute, resolve, deposits, withdrawals, pause,
// freeze, KYC changes, blocks with timers and a per-block cap) against the
// modules and a reference model, and after every block checks: USDT
// conserved, balances as the model says, every escrow released at most
// once, no negative (wrapped) balance, and the margin rule at every
// assignment. A failing sequence prints its number; replay it with
// -model.seq=N.
func TestModel(t *testing.T) {
	reached := map[order.State]int{}
	n, all := testkit.RunSeqs(t, *modelSeq, *modelSeqs, 200, "./contracts/order", func(t *testing.T, seq int) { runModel(t, seq, reached) })
	if !all {
		return
	}
	t.Logf("final states over %d sequences: %v", n, reached)
	for s := order.StateLocked; s <= order.StateResolvedRefund; s++ {
		if reached[s] == 0 {
			t.Errorf("no sequence left an order in %s: the generator misses a path", s)
		}
	}
}
