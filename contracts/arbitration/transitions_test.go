package arbitration_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/types"
)

// fx: one acceptor, one merchant, nArb arbitrators and a disputed 100 USDT
// order.
type fx struct {
	e        *env
	acc, mer types.Address
	order    types.Hash
	id       types.Hash // the order's dispute
}

var refs int

func newFx(t *testing.T, nArb int) *fx {
	t.Helper()
	f := &fx{e: newEnv(nArb), acc: c2ctest.Addr("acc"), mer: c2ctest.Addr("mer")}
	f.e.NewAcceptor(f.acc, c2ctest.AcceptorSpec{Float: 1_000 * usdt, Margin: 400 * usdt})
	f.e.NewMerchant(f.mer)
	f.order = f.paid(t)
	evs, err := f.e.Exec(f.mer, &order.MsgDispute{ID: f.order})
	if err != nil {
		t.Fatal(err)
	}
	f.id = arbitration.DisputeID(arbitration.KindOrder, f.order)
	if ev, ok := testkit.FindEvent(evs, arbitration.EventOpened); !ok || ev.Get("id") != f.id.Hex() {
		t.Fatalf("dispute did not open: %v", evs)
	}
	return f
}

func (f *fx) paid(t *testing.T) types.Hash {
	t.Helper()
	refs++
	ref := fmt.Sprint("inv-", refs)
	if _, err := f.e.Exec(f.mer, &order.MsgCreate{Currency: "USD", FiatAmount: 100_00, MerchantRef: ref}); err != nil {
		t.Fatal(err)
	}
	id := order.OrderID(f.mer, ref)
	if _, err := f.e.Exec(f.mer, &order.MsgMarkPaid{ID: id, PaymentRef: types.Keccak([]byte(ref))}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fx) dispute(t *testing.T) *arbitration.Dispute {
	t.Helper()
	d, err := f.e.K.GetDispute(f.e.St, f.id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fx) vote(from types.Address, w arbitration.Side, toA, toB uint64) ([]types.Event, error) {
	return f.e.Exec(from, &arbitration.MsgVote{ID: f.id, Winner: w, Reason: arbitration.ReasonNoPayment, ToA: toA, ToB: toB})
}

func (f *fx) check(t *testing.T) {
	t.Helper()
	if msg := f.e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

// TestPanelDecides: two agreeing votes of the 3-member panel carry out the
// decision on the order, with exact balances.
func TestPanelDecides(t *testing.T) {
	const amount = 100 * usdt
	cases := []struct {
		name       string
		winner     arbitration.Side
		toA, toB   uint64
		state      order.State
		slashed    bool
		riskMarked bool
	}{
		{"all to the merchant", arbitration.SideA, amount, 0, order.StateResolvedRelease, true, false},
		{"all to the acceptor", arbitration.SideB, 0, amount, order.StateResolvedRefund, false, true},
		{"split, merchant wins", arbitration.SideA, 60 * usdt, 40 * usdt, order.StateResolvedSplit, true, false},
		{"split, acceptor wins", arbitration.SideB, 30*usdt + 1, 70*usdt - 1, order.StateResolvedSplit, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t, 5)
			d := f.dispute(t)
			if len(d.Panel) != 3 || d.Threshold != 2 || d.Phase != arbitration.PhasePanel {
				t.Fatalf("panel %d, threshold %d, phase %s", len(d.Panel), d.Threshold, d.Phase)
			}
			o, _ := f.e.Order.GetOrder(f.e.St, f.order)
			merBefore, trBefore := f.e.Bank.Balance(f.e.St, f.mer), f.e.Bank.Balance(f.e.St, c2ctest.Treasury)
			a0, _ := f.e.Acceptor.GetAcceptor(f.e.St, f.acc)
			f.e.Advance(10 * 60 * 1000)
			ok(t)(f.vote(d.Panel[0], tc.winner, tc.toA, tc.toB))
			if f.dispute(t).Phase != arbitration.PhasePanel {
				t.Fatal("one vote decided a 2-of-3 panel")
			}
			f.e.Advance(20 * 60 * 1000)
			evs, err := f.vote(d.Panel[2], tc.winner, tc.toA, tc.toB)
			if err != nil {
				t.Fatal(err)
			}
			if ev, ok := testkit.FindEvent(evs, arbitration.EventResolved); !ok || ev.Get("by") != "panel" || ev.Get("duration_ms") != fmt.Sprint(30*60*1000) {
				t.Fatalf("events %v", evs)
			}
			o2, _ := f.e.Order.GetOrder(f.e.St, f.order)
			if o2.State != tc.state {
				t.Fatalf("order %s, want %s", o2.State, tc.state)
			}
			fee := tc.toA * o.FeeBps / 10_000
			var slash uint64
			if tc.slashed {
				slash = min(a0.Margin, amount*f.e.Order.Params(f.e.St).DisputeSlashBps/10_000)
			}
			if got := f.e.Bank.Balance(f.e.St, f.mer) - merBefore; got != tc.toA-fee+slash {
				t.Fatalf("merchant got %d, want %d", got, tc.toA-fee+slash)
			}
			if got := f.e.Bank.Balance(f.e.St, c2ctest.Treasury) - trBefore; got != fee {
				t.Fatalf("treasury got %d, want %d", got, fee)
			}
			a1, _ := f.e.Acceptor.GetAcceptor(f.e.St, f.acc)
			if a1.Float != a0.Float+tc.toB || a1.Margin != a0.Margin-slash || a1.Locked != 0 {
				t.Fatalf("acceptor float %d→%d margin %d→%d locked %d", a0.Float, a1.Float, a0.Margin, a1.Margin, a1.Locked)
			}
			if got := marked(f.e.St, f.mer, f.id); got != tc.riskMarked {
				t.Fatalf("merchant risk mark %v, want %v", got, tc.riskMarked)
			}
			d = f.dispute(t)
			if d.Phase != arbitration.PhaseResolved || d.Decision.ToA != tc.toA || d.Decision.Winner != tc.winner || d.Decision.By != "panel" {
				t.Fatalf("dispute %+v", d)
			}
			s := f.e.K.ArbitratorStats(f.e.St, d.Panel[0])
			if s.Votes != 1 || s.Decided != 1 || s.Agreed != 1 || s.MeanResponseMs() != 10*60*1000 || s.AccuracyBps() != 10_000 {
				t.Fatalf("stats %+v", s)
			}
			if open, _ := f.e.K.OpenDisputes(f.e.St, 0); len(open) != 0 {
				t.Fatalf("still open: %d", len(open))
			}
			f.check(t)
		})
	}
}

// TestDisagreementThenAgreement: a dissenting vote does not count towards
// the others' outcome, and its arbitrator's accuracy drops.
func TestDisagreementThenAgreement(t *testing.T) {
	f := newFx(t, 3)
	d := f.dispute(t)
	ok(t)(f.vote(d.Panel[0], arbitration.SideA, 100*usdt, 0))
	ok(t)(f.vote(d.Panel[1], arbitration.SideB, 0, 100*usdt))
	if f.dispute(t).Phase != arbitration.PhasePanel {
		t.Fatal("two different outcomes decided")
	}
	ok(t)(f.vote(d.Panel[2], arbitration.SideB, 0, 100*usdt))
	if d = f.dispute(t); d.Phase != arbitration.PhaseResolved || d.Decision.Winner != arbitration.SideB {
		t.Fatalf("dispute %+v", d)
	}
	if s := f.e.K.ArbitratorStats(f.e.St, d.Panel[0]); s.Decided != 1 || s.Agreed != 0 || s.AccuracyBps() != 0 {
		t.Fatalf("dissenter stats %+v", s)
	}
	f.check(t)
}

// TestVoteRefusals: the adversarial votes, each refused without a
// change of state.
func TestVoteRefusals(t *testing.T) {
	cases := []struct {
		name string
		prep func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote)
		want error
	}{
		{"an arbitrator votes twice", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			p := f.dispute(t).Panel
			ok(t)(f.vote(p[0], arbitration.SideA, 100*usdt, 0))
			return p[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideB, Reason: arbitration.ReasonOther, ToB: 100 * usdt}
		}, arbitration.ErrAlreadyVoted},
		{"a vote after resolution", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			p := f.dispute(t).Panel
			ok(t)(f.vote(p[0], arbitration.SideA, 100*usdt, 0))
			ok(t)(f.vote(p[1], arbitration.SideA, 100*usdt, 0))
			return p[2], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 100 * usdt}
		}, arbitration.ErrResolved},
		{"a non-panel arbitrator votes", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			p := f.dispute(t).Panel
			for _, a := range f.e.Arbs {
				if !slices.Contains(p, a) {
					return a, &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 100 * usdt}
				}
			}
			t.Fatal("everyone is on the panel")
			return types.Address{}, nil
		}, arbitration.ErrNotOnPanel},
		{"a party votes", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			return f.mer, &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 100 * usdt}
		}, arbitration.ErrNotOnPanel},
		{"an escalated panel's old member votes", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			p := f.dispute(t).Panel
			f.e.Advance(4 * hour)
			if ph := f.dispute(t).Phase; ph != arbitration.PhaseCommittee {
				t.Fatalf("phase %s", ph)
			}
			return p[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 100 * usdt}
		}, arbitration.ErrNotOnPanel},
		{"payouts short of the escrow", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			return f.dispute(t).Panel[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 60 * usdt, ToB: 39 * usdt}
		}, arbitration.ErrBadPayouts},
		{"payouts above the escrow", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			return f.dispute(t).Panel[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 60 * usdt, ToB: 41 * usdt}
		}, arbitration.ErrBadPayouts},
		{"overflowing payouts", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			return f.dispute(t).Panel[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: math.MaxUint64, ToB: 100*usdt + 1}
		}, arbitration.ErrBadPayouts},
		{"a winner who gets nothing", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			return f.dispute(t).Panel[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideB, Reason: arbitration.ReasonOther, ToA: 100 * usdt}
		}, arbitration.ErrBadPayouts},
		{"an unknown reason", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			return f.dispute(t).Panel[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: 8, ToA: 100 * usdt}
		}, arbitration.ErrBadReason},
		{"an unknown winner", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			return f.dispute(t).Panel[0], &arbitration.MsgVote{ID: f.id, Winner: 3, Reason: arbitration.ReasonOther, ToA: 100 * usdt}
		}, arbitration.ErrBadWinner},
		{"a vote at the deadline, before the timer ran", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			f.e.Block.Time += 4 * hour // same block: the timer has not run
			return f.dispute(t).Panel[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 100 * usdt}
		}, arbitration.ErrWindowClosed},
		{"a vote on an escalated dispute", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			f.e.Advance(4 * hour)
			f.e.Advance(4 * hour)
			return f.e.Arbs[0], &arbitration.MsgVote{ID: f.id, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 100 * usdt}
		}, arbitration.ErrEscalated},
		{"a vote on an unknown dispute", func(t *testing.T, f *fx) (types.Address, *arbitration.MsgVote) {
			return f.e.Arbs[0], &arbitration.MsgVote{ID: types.Keccak([]byte("x")), Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 1}
		}, arbitration.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t, 5)
			from, m := tc.prep(t, f)
			testkit.Refused(t, f.e.St, tc.want, func() error { _, err := f.e.Exec(from, m); return err })
			f.check(t)
		})
	}
}

// TestPanelDraw: the draw is a function of seed and dispute, excludes the
// parties and anyone sharing a party's KYC identity or frozen, and shrinks
// with the pool.
func TestPanelDraw(t *testing.T) {
	arbs := []types.Address{{1}, {2}, {3}, {4}, {5}, {6}}
	seed, id := types.Keccak([]byte("s")), types.Keccak([]byte("d"))
	p1, p2 := arbitration.Draw(seed, id, arbs, 3), arbitration.Draw(seed, id, arbs, 3)
	if !slices.Equal(p1, p2) || len(p1) != 3 {
		t.Fatalf("draw not deterministic: %v %v", p1, p2)
	}
	seen := map[types.Address]bool{}
	for _, a := range p1 {
		if seen[a] || !slices.Contains(arbs, a) {
			t.Fatalf("bad panel %v", p1)
		}
		seen[a] = true
	}
	differs := false
	for i := 0; i < 20 && !differs; i++ {
		differs = !slices.Equal(p1, arbitration.Draw(types.Keccak([]byte{byte(i)}), id, arbs, 3))
	}
	if !differs {
		t.Fatal("the seed does not change the panel")
	}
	if got := arbitration.Draw(seed, id, arbs[:2], 3); len(got) != 2 {
		t.Fatalf("draw of 3 from 2: %v", got)
	}

	// On chain: the merchant is an arbitrator, another arbitrator shares
	// the acceptor's identity, a third is frozen: none may sit.
	e := newEnv(5)
	acc, mer := c2ctest.Addr("acc"), c2ctest.Addr("mer")
	e.NewAcceptor(acc, c2ctest.AcceptorSpec{Float: 1_000 * usdt, Margin: 400 * usdt})
	e.NewMerchant(mer)
	if err := e.Gov.GrantRole(e.St, mer, 4); err != nil {
		t.Fatal(err)
	}
	e.Attest(e.Arbs[0], types.Keccak([]byte("identity"), acc[:]), 2, e.Block.Time+365*24*hour)
	e.Freezer.Freeze(e.St, e.Arbs[1], true)
	f := &fx{e: e, acc: acc, mer: mer}
	oid := f.paid(t)
	ok(t)(e.Exec(acc, &order.MsgDispute{ID: oid}))
	d, err := e.K.DisputeOf(e.St, arbitration.KindOrder, oid)
	if err != nil {
		t.Fatal(err)
	}
	want := []types.Address{e.Arbs[2], e.Arbs[3], e.Arbs[4]}
	slices.SortFunc(want, func(a, b types.Address) int { return slices.Compare(a[:], b[:]) })
	got := slices.Clone(d.Panel)
	slices.SortFunc(got, func(a, b types.Address) int { return slices.Compare(a[:], b[:]) })
	if !slices.Equal(got, want) {
		t.Fatalf("panel %v, want %v", got, want)
	}
}

// TestCommittee: a panel that misses its deadline gives way to every other
// arbitrator with a ⌈2/3⌉ threshold, who can decide.
func TestCommittee(t *testing.T) {
	f := newFx(t, 7)
	old := f.dispute(t).Panel
	ok(t)(f.vote(old[0], arbitration.SideA, 100*usdt, 0)) // one vote is not enough
	evs := f.e.Advance(4 * hour)
	if _, ok := testkit.FindEvent(evs, arbitration.EventCommittee); !ok {
		t.Fatalf("events %v", evs)
	}
	d := f.dispute(t)
	if d.Phase != arbitration.PhaseCommittee || len(d.Panel) != 4 || d.Threshold != 3 || d.Round != 2 {
		t.Fatalf("committee %+v", d)
	}
	for _, a := range old {
		if slices.Contains(d.Panel, a) {
			t.Fatalf("old panel member %s on the committee", a.Hex())
		}
	}
	if o, _ := f.e.Order.GetOrder(f.e.St, f.order); o.State != order.StateDisputed {
		t.Fatalf("a timeout moved the order to %s", o.State)
	}
	for i := 0; i < 2; i++ {
		ok(t)(f.vote(d.Panel[i], arbitration.SideB, 40*usdt, 60*usdt))
	}
	if f.dispute(t).Phase != arbitration.PhaseCommittee {
		t.Fatal("2 of 4 decided a ⌈2/3⌉ committee")
	}
	evs, err := f.vote(d.Panel[3], arbitration.SideB, 40*usdt, 60*usdt)
	if err != nil {
		t.Fatal(err)
	}
	if ev, ok := testkit.FindEvent(evs, arbitration.EventResolved); !ok || ev.Get("by") != "committee" {
		t.Fatalf("events %v", evs)
	}
	if o, _ := f.e.Order.GetOrder(f.e.St, f.order); o.State != order.StateResolvedSplit {
		t.Fatalf("order %s", o.State)
	}
	if s := f.e.K.ArbitratorStats(f.e.St, old[0]); s.Decided != 1 || s.Agreed != 0 {
		t.Fatalf("old panel voter stats %+v", s)
	}
	f.check(t)
}

// TestEscalation: a committee that misses its deadline escalates; escrow
// stays; governance resolves; nothing escalated twice or reopened.
func TestEscalation(t *testing.T) {
	f := newFx(t, 4)
	esc0 := f.e.Bank.Balance(f.e.St, order.EscrowAddress)
	f.e.Advance(4 * hour)
	if d := f.dispute(t); d.Phase != arbitration.PhaseCommittee || len(d.Panel) != 1 || d.Threshold != 1 {
		t.Fatalf("committee %+v", d)
	}
	evs := f.e.Advance(4 * hour)
	if _, ok := testkit.FindEvent(evs, arbitration.EventEscalated); !ok {
		t.Fatalf("events %v", evs)
	}
	esc, _ := f.e.K.Escalated(f.e.St, 0)
	if len(esc) != 1 || esc[0].ID != f.id {
		t.Fatalf("escalated list %v", esc)
	}
	if f.e.Bank.Balance(f.e.St, order.EscrowAddress) != esc0 {
		t.Fatal("escalation moved escrow")
	}
	f.e.Advance(30 * 24 * hour)
	if d := f.dispute(t); d.Phase != arbitration.PhaseEscalated {
		t.Fatalf("phase %s after a month", d.Phase)
	}
	f.check(t)
	call := func(w arbitration.Side, toA, toB uint64) error {
		_, err := f.e.Call(func(ctx *core.Context) error {
			return f.e.K.ResolveEscalated(ctx, f.id, w, arbitration.ReasonBankProblem, toA, toB)
		})
		return err
	}
	if err := call(arbitration.SideA, 50*usdt, 49*usdt); !errors.Is(err, arbitration.ErrBadPayouts) {
		t.Fatalf("bad payouts: %v", err)
	}
	if err := call(arbitration.SideA, 50*usdt, 50*usdt); err != nil {
		t.Fatal(err)
	}
	if err := call(arbitration.SideA, 50*usdt, 50*usdt); !errors.Is(err, arbitration.ErrNotEscalated) {
		t.Fatalf("second resolve: %v", err)
	}
	if d := f.dispute(t); d.Phase != arbitration.PhaseResolved || d.Decision.By != "gov" {
		t.Fatalf("dispute %+v", d)
	}
	if _, err := f.e.Exec(f.mer, &arbitration.MsgOpen{Kind: arbitration.KindOrder, Subject: f.order}); !errors.Is(err, arbitration.ErrNotDisputed) {
		t.Fatalf("reopen: %v", err)
	}
	f.check(t)
}

// TestNoArbitrators: with nobody eligible the dispute escalates at once,
// and the order timer path still succeeds.
func TestNoArbitrators(t *testing.T) {
	e := newEnv(0)
	f := &fx{e: e, acc: c2ctest.Addr("acc"), mer: c2ctest.Addr("mer")}
	e.NewAcceptor(f.acc, c2ctest.AcceptorSpec{Float: 1_000 * usdt, Margin: 400 * usdt})
	e.NewMerchant(f.mer)
	oid := f.paid(t)
	evs := e.Advance(e.Order.Params(e.St).ReleaseWindow) // the release timer disputes the order
	if _, ok := testkit.FindEvent(evs, arbitration.EventEscalated); !ok {
		t.Fatalf("events %v", evs)
	}
	d, err := e.K.DisputeOf(e.St, arbitration.KindOrder, oid)
	if err != nil || d.Phase != arbitration.PhaseEscalated {
		t.Fatalf("dispute %+v %v", d, err)
	}
	if msg := e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

// TestEvidence: parties attach hashes until the deadline, within the limit.
func TestEvidence(t *testing.T) {
	h := types.Keccak([]byte("bank statement"))
	cases := []struct {
		name string
		prep func(t *testing.T, f *fx) types.Address
		want error
	}{
		{"by the merchant", func(t *testing.T, f *fx) types.Address { return f.mer }, nil},
		{"by the acceptor just before the deadline", func(t *testing.T, f *fx) types.Address {
			f.e.Advance(2*hour - 1)
			return f.acc
		}, nil},
		{"by a stranger", func(t *testing.T, f *fx) types.Address { return f.e.Arbs[0] }, arbitration.ErrNotParty},
		{"at the deadline", func(t *testing.T, f *fx) types.Address {
			f.e.Advance(2 * hour)
			return f.mer
		}, arbitration.ErrWindowClosed},
		{"beyond the limit", func(t *testing.T, f *fx) types.Address {
			f.e.SetParam(arbitration.ModuleName, arbitration.ParamMaxEvidence, 2)
			ok(t)(f.e.Exec(f.mer, &arbitration.MsgEvidence{ID: f.id, Hash: h}))
			ok(t)(f.e.Exec(f.mer, &arbitration.MsgEvidence{ID: f.id, Hash: h}))
			return f.mer
		}, arbitration.ErrEvidenceLimit},
		{"after resolution", func(t *testing.T, f *fx) types.Address {
			p := f.dispute(t).Panel
			ok(t)(f.vote(p[0], arbitration.SideA, 100*usdt, 0))
			ok(t)(f.vote(p[1], arbitration.SideA, 100*usdt, 0))
			return f.mer
		}, arbitration.ErrResolved},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t, 3)
			from := tc.prep(t, f)
			before, n := testkit.StateHash(f.e.St), len(f.dispute(t).Evidence)
			_, err := f.e.Exec(from, &arbitration.MsgEvidence{ID: f.id, Hash: h})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err != nil && testkit.StateHash(f.e.St) != before {
				t.Fatal("refused evidence changed state")
			}
			if err == nil {
				d := f.dispute(t)
				if len(d.Evidence) != n+1 || d.Evidence[n].Party != from || d.Evidence[n].Hash != h {
					t.Fatalf("evidence %+v", d.Evidence)
				}
			}
		})
	}
}

// TestConfirmDisputeRace: a confirm and a dispute of one order in one
// block: whichever comes first wins, the other is refused, and a dispute
// opens only if the dispute won.
func TestConfirmDisputeRace(t *testing.T) {
	for _, disputeFirst := range []bool{false, true} {
		t.Run(fmt.Sprint("dispute first ", disputeFirst), func(t *testing.T) {
			e := newEnv(3)
			f := &fx{e: e, acc: c2ctest.Addr("acc"), mer: c2ctest.Addr("mer")}
			e.NewAcceptor(f.acc, c2ctest.AcceptorSpec{Float: 1_000 * usdt, Margin: 400 * usdt})
			e.NewMerchant(f.mer)
			oid := f.paid(t)
			confirm := func() error { _, err := e.Exec(f.acc, &order.MsgConfirm{ID: oid}); return err }
			dispute := func() error { _, err := e.Exec(f.mer, &order.MsgDispute{ID: oid}); return err }
			first, second := confirm, dispute
			if disputeFirst {
				first, second = dispute, confirm
			}
			if err := first(); err != nil {
				t.Fatal(err)
			}
			if err := second(); !errors.Is(err, order.ErrWrongState) {
				t.Fatalf("second: %v", err)
			}
			_, err := e.K.DisputeOf(e.St, arbitration.KindOrder, oid)
			if disputeFirst != (err == nil) {
				t.Fatalf("dispute exists=%v with dispute first=%v", err == nil, disputeFirst)
			}
			if msg := e.invariants(); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

// TestOpenFor: MsgOpen opens the dispute of a subject disputed without a
// hook, once.
func TestOpenFor(t *testing.T) {
	e := newEnv(3)
	f := &fx{e: e, acc: c2ctest.Addr("acc"), mer: c2ctest.Addr("mer")}
	e.NewAcceptor(f.acc, c2ctest.AcceptorSpec{Float: 1_000 * usdt, Margin: 400 * usdt})
	e.NewMerchant(f.mer)
	oid := f.paid(t)
	other := f.paid(t)
	unhooked := e.Order.WithHook(nil)
	if _, err := e.Call(func(ctx *core.Context) error {
		ctx.Sender = f.mer
		return unhooked.Dispute(ctx, &order.MsgDispute{ID: oid})
	}); err != nil {
		t.Fatal(err)
	}
	open := &arbitration.MsgOpen{Kind: arbitration.KindOrder, Subject: oid}
	for _, tc := range []struct {
		name string
		m    *arbitration.MsgOpen
		want error
	}{
		{"an order not in dispute", &arbitration.MsgOpen{Kind: arbitration.KindOrder, Subject: other}, arbitration.ErrNotDisputed},
		{"an unknown order", &arbitration.MsgOpen{Kind: arbitration.KindOrder, Subject: types.Keccak([]byte("x"))}, order.ErrNotFound},
		{"an unknown payment", &arbitration.MsgOpen{Kind: arbitration.KindPayment, Subject: oid}, pay.ErrNotFound},
		{"an unknown kind", &arbitration.MsgOpen{Kind: 9, Subject: oid}, arbitration.ErrBadKind},
		{"the disputed order", open, nil},
		{"the disputed order again", open, arbitration.ErrExists},
	} {
		before := testkit.StateHash(e.St)
		_, err := e.Exec(c2ctest.Addr("anyone"), tc.m)
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.name, err, tc.want)
		}
		if err != nil && testkit.StateHash(e.St) != before {
			t.Fatalf("%s: refused open changed state", tc.name)
		}
	}
	if msg := e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

// TestPaymentDispute: a disputed conditional payment is decided like an
// order and paid out exactly.
func TestPaymentDispute(t *testing.T) {
	e := newEnv(3)
	payer, payee, carrier := c2ctest.Addr("payer"), c2ctest.Addr("payee"), c2ctest.Addr("carrier")
	e.Fund(payer, 100*usdt)
	id := e.Pay.NextID(e.St, payer)
	ok(t)(e.Exec(payer, &pay.MsgLock{Payee: payee, Attester: carrier, Amount: 80 * usdt, Deadline: e.Block.Time + hour}))
	evs, err := e.Exec(payee, &pay.MsgDispute{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := testkit.FindEvent(evs, arbitration.EventOpened); !ok {
		t.Fatalf("events %v", evs)
	}
	did := arbitration.DisputeID(arbitration.KindPayment, id)
	d, _ := e.K.GetDispute(e.St, did)
	if d.PartyA != payee || d.PartyB != payer || d.Escrow != 80*usdt {
		t.Fatalf("dispute %+v", d)
	}
	for _, a := range d.Panel[:2] {
		ok(t)(e.Exec(a, &arbitration.MsgVote{ID: did, Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 50 * usdt, ToB: 30 * usdt}))
	}
	if e.Bank.Balance(e.St, payee) != 50*usdt || e.Bank.Balance(e.St, payer) != 50*usdt || e.Bank.Balance(e.St, pay.EscrowAddress) != 0 {
		t.Fatal("payment payouts wrong")
	}
	if p, _ := e.Pay.GetPayment(e.St, id); p.State != pay.StateResolved {
		t.Fatalf("payment %s", p.State)
	}
	if msg := e.invariants(); msg != "" {
		t.Fatal(msg)
	}
}

func TestCost(t *testing.T) {
	m := &arbitration.MsgVote{ID: types.Keccak([]byte("d")), Winner: arbitration.SideA, Reason: arbitration.ReasonOther, ToA: 1}
	if c, err := arbitration.Cost(&types.Tx{Type: arbitration.TypeVote, Payload: core.Encode(m)}); err != nil || c != 0 {
		t.Fatalf("cost %d %v", c, err)
	}
	if _, err := arbitration.Cost(&types.Tx{Type: arbitration.TypeVote, Payload: []byte{0xc0}}); err == nil {
		t.Fatal("bad payload has a cost")
	}
	if r, err := arbitration.ParseReason("third_party_payer"); err != nil || r != arbitration.ReasonThirdPartyPayer {
		t.Fatal(r, err)
	}
}

// admins makes admin0 … admin(n-1) gov's admin multisig with threshold k.
func (f *fx) admins(t *testing.T, n int, k uint64) []types.Address {
	t.Helper()
	var as []types.Address
	var hexes []string
	for i := 0; i < n; i++ {
		a := c2ctest.Addr(fmt.Sprint("admin", i))
		as, hexes = append(as, a), append(hexes, fmt.Sprintf("%q", a.Hex()))
	}
	raw := fmt.Sprintf(`{"admins": [%s], "threshold": %d}`, strings.Join(hexes, ","), k)
	if _, err := f.e.Call(func(ctx *core.Context) error { return (gov.Module{Keeper: f.e.Gov}).InitGenesis(ctx, []byte(raw)) }); err != nil {
		t.Fatal(err)
	}
	return as
}

func (f *fx) escalate(t *testing.T) {
	t.Helper()
	f.e.Advance(4 * hour)
	f.e.Advance(4 * hour)
	if d := f.dispute(t); d.Phase != arbitration.PhaseEscalated {
		t.Fatalf("phase %s, want ESCALATED", d.Phase)
	}
}

func resolveProposal(id types.Hash, w arbitration.Side, toA, toB uint64) *gov.MsgPropose {
	return &gov.MsgPropose{Actions: []gov.Action{gov.ResolveDisputeAction(id, uint8(w), uint8(arbitration.ReasonBankProblem), toA, toB)}}
}

// TestGovResolve: a gov proposal's ResolveDispute action decides an
// escalated dispute through arbitration; on any other dispute, or with
// payouts that do not sum to the escrow, the executing transaction fails
// with arbitration's error, changes nothing, and the proposal stays open.
func TestGovResolve(t *testing.T) {
	cases := []struct {
		name     string
		escalate bool
		w        arbitration.Side
		toA, toB uint64
		want     error
	}{
		{"a dispute still with its panel is refused", false, arbitration.SideB, 0, 100 * usdt, arbitration.ErrNotEscalated},
		{"payouts short of the escrow are refused", true, arbitration.SideA, 50 * usdt, 49 * usdt, arbitration.ErrBadPayouts},
		{"payouts above the escrow are refused", true, arbitration.SideB, 1, 100 * usdt, arbitration.ErrBadPayouts},
		{"an escalated dispute is split", true, arbitration.SideA, 60 * usdt, 40 * usdt, nil},
		{"an escalated dispute goes to the acceptor", true, arbitration.SideB, 0, 100 * usdt, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFx(t, 4)
			adm := f.admins(t, 2, 2)
			if c.escalate {
				f.escalate(t)
			}
			if _, err := f.e.Exec(adm[0], resolveProposal(f.id, c.w, c.toA, c.toB)); err != nil {
				t.Fatal(err) // one approval of two: nothing runs yet
			}
			mer0 := f.e.Bank.Balance(f.e.St, f.mer)
			before := testkit.StateHash(f.e.St)
			evs, err := f.e.Exec(adm[1], &gov.MsgApprove{ProposalID: 1})
			if !errors.Is(err, c.want) {
				t.Fatalf("execution: %v, want %v", err, c.want)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "proposal 1 action 0 (resolve_dispute)") {
					t.Fatalf("error %q does not name the proposal and action", err)
				}
				if testkit.StateHash(f.e.St) != before {
					t.Fatal("a refused execution changed state")
				}
				if _, open := f.e.Gov.Proposal(f.e.St, 1); !open {
					t.Fatal("a refused execution closed the proposal")
				}
				f.check(t)
				return
			}
			d := f.dispute(t)
			if d.Phase != arbitration.PhaseResolved || d.Decision.By != "gov" || d.Decision.Winner != c.w ||
				d.Decision.ToA != c.toA || d.Decision.ToB != c.toB {
				t.Fatalf("dispute %+v", d)
			}
			ev, ok := testkit.FindEvent(evs, gov.EventDisputeResolved)
			if !ok || ev.Get("dispute") != f.id.Hex() || ev.Get("proposal") != "1" {
				t.Fatalf("events %v", evs)
			}
			o, err := f.e.Order.GetOrder(f.e.St, f.order)
			if err != nil {
				t.Fatal(err)
			}
			wantState, fee := order.StateResolvedRefund, uint64(0)
			if c.toA > 0 {
				wantState, fee = order.StateResolvedSplit, c.toA*o.FeeBps/10_000
			}
			if o.State != wantState {
				t.Fatalf("order %s, want %s", o.State, wantState)
			}
			var slashed uint64
			if sev, ok := testkit.FindEvent(evs, order.EventResolvedSplit); ok {
				slashed, _ = strconv.ParseUint(sev.Get("slashed"), 10, 64)
			}
			if got, want := f.e.Bank.Balance(f.e.St, f.mer)-mer0, c.toA-fee+slashed; got != want {
				t.Fatalf("merchant received %d, want %d (part %d − fee %d + slash %d)", got, want, c.toA, fee, slashed)
			}
			// A second proposal finds it resolved.
			if _, err := f.e.Exec(adm[0], resolveProposal(f.id, c.w, c.toA, c.toB)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.e.Exec(adm[1], &gov.MsgApprove{ProposalID: 2}); !errors.Is(err, arbitration.ErrNotEscalated) {
				t.Fatalf("second resolution: %v", err)
			}
			f.check(t)
		})
	}
}
