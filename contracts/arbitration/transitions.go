package arbitration

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/types"
)

func wrap(id types.Hash, err error) error { return fmt.Errorf("dispute %s: %w", id.Hex(), err) }

// OrderDisputed implements order.DisputeHook: a DISPUTED order gets its
// dispute in the same transaction (or block start, for the timer).
func (k Keeper) OrderDisputed(ctx *core.Context, o *order.Order) error {
	_, err := k.open(ctx, KindOrder, o.ID, o.Merchant, o.Acceptor, o.Amount)
	return err
}

// PaymentDisputed implements pay.DisputeHook.
func (k Keeper) PaymentDisputed(ctx *core.Context, p *pay.Payment) error {
	_, err := k.open(ctx, KindPayment, p.ID, p.Payee, p.Payer, p.Amount)
	return err
}

var (
	_ order.DisputeHook = Keeper{}
	_ pay.DisputeHook   = Keeper{}
)

// OpenFor opens the dispute of a subject that is in dispute without one
// (MsgOpen): for a chain whose hooks were not wired when it went into
// dispute. Anyone may send it; it only reads the subject's own record.
func (k Keeper) OpenFor(ctx *core.Context, m *MsgOpen) (*Dispute, error) {
	st := ctx.Store
	switch m.Kind {
	case KindOrder:
		if k.orders == nil {
			return nil, ErrNoSubjects
		}
		o, err := k.orders.GetOrder(st, m.Subject)
		if err != nil {
			return nil, err
		}
		if o.State != order.StateDisputed {
			return nil, fmt.Errorf("order %s is %s: %w", o.ID.Hex(), o.State, ErrNotDisputed)
		}
		return k.open(ctx, KindOrder, o.ID, o.Merchant, o.Acceptor, o.Amount)
	case KindPayment:
		if k.payments == nil {
			return nil, ErrNoSubjects
		}
		p, err := k.payments.GetPayment(st, m.Subject)
		if err != nil {
			return nil, err
		}
		if p.State != pay.StateDisputed {
			return nil, fmt.Errorf("payment %s is %s: %w", p.ID.Hex(), p.State, ErrNotDisputed)
		}
		return k.open(ctx, KindPayment, p.ID, p.Payee, p.Payer, p.Amount)
	}
	return nil, fmt.Errorf("%w %d", ErrBadKind, m.Kind)
}

// open creates the dispute and draws its panel. With fewer eligible
// arbitrators than panel_size the panel is all of them and the threshold
// at most its size; with none the dispute goes straight to governance. It
// never fails for lack of arbitrators: the order timer that calls it
// cannot be refused.
func (k Keeper) open(ctx *core.Context, kind Kind, subject types.Hash, a, b types.Address, escrow uint64) (*Dispute, error) {
	st, now := ctx.Store, ctx.Block.Time
	id := DisputeID(kind, subject)
	if st.Has(disputeKey(id)) {
		return nil, wrap(id, ErrExists)
	}
	p := k.Params(st)
	d := &Dispute{ID: id, Kind: kind, Subject: subject, PartyA: a, PartyB: b, Escrow: escrow, OpenedAt: now,
		EvidenceUntil: now + p.EvidenceWindow, Round: 1, RoundStart: now}
	st.Set(slices.Concat(prefixOpen, id[:]), []byte{})
	cands := k.eligible(st, now, d, nil)
	if len(cands) == 0 {
		k.escalate(ctx, d, "no eligible arbitrator")
		k.emitOpened(ctx, d)
		return d, nil
	}
	d.Phase = PhasePanel
	d.Panel = Draw(ctx.Block.Seed, id, cands, int(min(p.PanelSize, uint64(len(cands)))))
	d.Threshold = min(p.PanelThreshold, uint64(len(d.Panel)))
	d.Deadline = now + p.PanelDeadline
	st.Set(queueKey(d.Deadline, id), []byte{})
	k.setDispute(st, d)
	k.emitOpened(ctx, d)
	return d, nil
}

func (k Keeper) emitOpened(ctx *core.Context, d *Dispute) {
	ctx.EmitEvent(OpenedEvent{ID: d.ID, Kind: d.Kind.String(), Subject: d.Subject, PartyA: d.PartyA, PartyB: d.PartyB, Escrow: d.Escrow, Panel: joinAddrs(d.Panel), Threshold: d.Threshold, Deadline: d.Deadline, EvidenceUntil: d.EvidenceUntil})
}

// AddEvidence attaches a party's document hash until the evidence deadline,
// at most max_evidence_per_party per party.
func (k Keeper) AddEvidence(ctx *core.Context, m *MsgEvidence) error {
	d, err := k.GetDispute(ctx.Store, m.ID)
	if err != nil {
		return err
	}
	if ctx.Sender != d.PartyA && ctx.Sender != d.PartyB {
		return wrap(d.ID, fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotParty))
	}
	if d.Phase == PhaseResolved {
		return wrap(d.ID, ErrResolved)
	}
	if now := ctx.Block.Time; now >= d.EvidenceUntil {
		return wrap(d.ID, fmt.Errorf("evidence until %d, block time %d: %w", d.EvidenceUntil, now, ErrWindowClosed))
	}
	var n uint64
	for _, e := range d.Evidence {
		if e.Party == ctx.Sender {
			n++
		}
	}
	if limit := k.Params(ctx.Store).MaxEvidence; n >= limit {
		return wrap(d.ID, fmt.Errorf("%d of %d: %w", n, limit, ErrEvidenceLimit))
	}
	d.Evidence = append(d.Evidence, Evidence{Party: ctx.Sender, Hash: m.Hash, At: ctx.Block.Time})
	k.setDispute(ctx.Store, d)
	ctx.EmitEvent(EvidenceEvent{ID: d.ID, Party: ctx.Sender, Hash: m.Hash})
	return nil
}

func checkPayouts(d *Dispute, winner Side, toA, toB uint64) error {
	sum, err := types.AddAmount(toA, toB)
	if err != nil || sum != d.Escrow {
		return fmt.Errorf("%d + %d, escrow %d: %w", toA, toB, d.Escrow, ErrBadPayouts)
	}
	if (winner == SideA && toA == 0) || (winner == SideB && toB == 0) {
		return fmt.Errorf("winner %s gets nothing: %w", winner, ErrBadPayouts)
	}
	return nil
}

// CastVote records a vote of a member of the current panel, once per
// round, before the round's deadline. When threshold votes of the round
// agree on (winner, payouts) the dispute is decided: the reason recorded is
// the first agreeing vote's.
func (k Keeper) CastVote(ctx *core.Context, m *MsgVote) error {
	st, now := ctx.Store, ctx.Block.Time
	d, err := k.GetDispute(st, m.ID)
	if err != nil {
		return err
	}
	switch d.Phase {
	case PhaseResolved:
		return wrap(d.ID, ErrResolved)
	case PhaseEscalated:
		return wrap(d.ID, ErrEscalated)
	}
	if now >= d.Deadline {
		return wrap(d.ID, fmt.Errorf("round %d deadline %d, block time %d: %w", d.Round, d.Deadline, now, ErrWindowClosed))
	}
	if !slices.Contains(d.Panel, ctx.Sender) {
		return wrap(d.ID, fmt.Errorf("sender %s, round %d: %w", ctx.Sender.Hex(), d.Round, ErrNotOnPanel))
	}
	for _, v := range d.Votes {
		if v.Round == d.Round && v.Arbitrator == ctx.Sender {
			return wrap(d.ID, fmt.Errorf("sender %s, round %d: %w", ctx.Sender.Hex(), d.Round, ErrAlreadyVoted))
		}
	}
	if err := checkPayouts(d, m.Winner, m.ToA, m.ToB); err != nil {
		return wrap(d.ID, err)
	}
	v := Vote{Arbitrator: ctx.Sender, Round: d.Round, Winner: m.Winner, Reason: m.Reason, ToA: m.ToA, ToB: m.ToB,
		At: now, ResponseMs: now - d.RoundStart}
	d.Votes = append(d.Votes, v)
	s := k.ArbitratorStats(st, ctx.Sender)
	s.Votes++
	s.ResponseMs += v.ResponseMs
	k.setStats(st, ctx.Sender, s)
	ctx.EmitEvent(VotedEvent{ID: d.ID, Arbitrator: ctx.Sender, Round: d.Round, Winner: m.Winner.String(), Reason: m.Reason.String(), ToA: m.ToA, ToB: m.ToB})
	var agree uint64
	var first *Vote
	for i := range d.Votes {
		w := &d.Votes[i]
		if w.Round == d.Round && w.Winner == v.Winner && w.ToA == v.ToA && w.ToB == v.ToB {
			agree++
			if first == nil {
				first = w
			}
		}
	}
	if agree < d.Threshold {
		k.setDispute(st, d)
		return nil
	}
	by := "panel"
	if d.Phase == PhaseCommittee {
		by = "committee"
	}
	return k.resolve(ctx, d, Decision{Winner: v.Winner, Reason: first.Reason, ToA: v.ToA, ToB: v.ToB, By: by})
}

// ResolveEscalated decides an escalated dispute: the entry point for a
// governance decision (a gov proposal kind calls it). It refuses anything
// but an ESCALATED dispute and payouts that do not sum to the escrow.
func (k Keeper) ResolveEscalated(ctx *core.Context, id types.Hash, winner Side, reason Reason, toA, toB uint64) error {
	d, err := k.GetDispute(ctx.Store, id)
	if err != nil {
		return err
	}
	if d.Phase != PhaseEscalated {
		return wrap(d.ID, fmt.Errorf("%s: %w", d.Phase, ErrNotEscalated))
	}
	if !winner.Valid() {
		return wrap(d.ID, fmt.Errorf("%w %d", ErrBadWinner, winner))
	}
	if !reason.Valid() {
		return wrap(d.ID, fmt.Errorf("%w %d", ErrBadReason, reason))
	}
	if err := checkPayouts(d, winner, toA, toB); err != nil {
		return wrap(d.ID, err)
	}
	return k.resolve(ctx, d, Decision{Winner: winner, Reason: reason, ToA: toA, ToB: toB, By: "gov"})
}

// ResolveDispute implements gov.DisputeResolver: a governance proposal's
// ResolveDispute action is ResolveEscalated with gov's plain codes.
func (k Keeper) ResolveDispute(ctx *core.Context, r *gov.ResolveDispute) error {
	return k.ResolveEscalated(ctx, r.Dispute, Side(r.Winner), Reason(r.Reason), r.ToA, r.ToB)
}

var _ gov.DisputeResolver = Keeper{}

// resolve carries out a decision on the subject, exactly once: the
// dispute leaves every index in the same transaction, and the subject's
// own state machine refuses a second resolution.
func (k Keeper) resolve(ctx *core.Context, d *Dispute, dec Decision) error {
	st, now := ctx.Store, ctx.Block.Time
	if d.Deadline != 0 {
		st.Delete(queueKey(d.Deadline, d.ID))
	}
	st.Delete(slices.Concat(prefixOpen, d.ID[:]))
	st.Delete(slices.Concat(prefixEscalated, d.ID[:]))
	d.Phase, d.Decision, d.ResolvedAt, d.Deadline = PhaseResolved, dec, now, 0
	switch d.Kind {
	case KindOrder:
		if k.orders == nil {
			return wrap(d.ID, ErrNoSubjects)
		}
		var err error
		switch {
		case dec.ToB == 0:
			err = k.orders.ResolveRelease(ctx, d.Subject)
		case dec.ToA == 0:
			err = k.orders.ResolveRefund(ctx, d.Subject)
		default:
			err = k.orders.ResolveSplit(ctx, d.Subject, dec.ToA, dec.ToB, dec.Winner == SideA)
		}
		if err != nil {
			return wrap(d.ID, err)
		}
		if dec.Winner == SideB && k.risk != nil {
			if err := k.risk.RecordDisputeLoss(ctx, d.PartyA, d.ID); err != nil {
				return wrap(d.ID, err)
			}
		}
	case KindPayment:
		if k.payments == nil {
			return wrap(d.ID, ErrNoSubjects)
		}
		if err := k.payments.Resolve(ctx, d.Subject, dec.ToA, dec.ToB); err != nil {
			return wrap(d.ID, err)
		}
	default:
		return wrap(d.ID, fmt.Errorf("kind %d: %w", d.Kind, ErrCorrupt))
	}
	for _, v := range d.Votes {
		s := k.ArbitratorStats(st, v.Arbitrator)
		s.Decided++
		if v.Winner == dec.Winner && v.ToA == dec.ToA && v.ToB == dec.ToB {
			s.Agreed++
		}
		k.setStats(st, v.Arbitrator, s)
	}
	k.setDispute(st, d)
	ctx.EmitEvent(ResolvedEvent{ID: d.ID, Kind: d.Kind.String(), Subject: d.Subject, Winner: dec.Winner.String(), Reason: dec.Reason.String(), ToA: dec.ToA, ToB: dec.ToB, By: dec.By, DurationMs: now - d.OpenedAt})
	return nil
}

// escalate hands the dispute to governance. It releases nothing.
func (k Keeper) escalate(ctx *core.Context, d *Dispute, reason string) {
	st := ctx.Store
	if d.Deadline != 0 {
		st.Delete(queueKey(d.Deadline, d.ID))
	}
	d.Phase, d.Deadline, d.Panel, d.Threshold = PhaseEscalated, 0, nil, 0
	d.EscalatedAt, d.EscalateReason = ctx.Block.Time, reason
	st.Set(slices.Concat(prefixEscalated, d.ID[:]), []byte{})
	k.setDispute(st, d)
	ctx.EmitEvent(EscalatedEvent{ID: d.ID, Reason: reason})
}

// committee replaces a panel that missed its deadline by every other
// eligible arbitrator, deciding by ⌈2/3⌉ of them; the old panel's members
// may no longer vote. With nobody left it escalates.
func (k Keeper) committee(ctx *core.Context, d *Dispute) {
	st, now := ctx.Store, ctx.Block.Time
	st.Delete(queueKey(d.Deadline, d.ID))
	cands := k.eligible(st, now, d, d.Panel)
	if len(cands) == 0 {
		d.Deadline = 0
		k.escalate(ctx, d, "panel missed its deadline and no other arbitrator is eligible")
		return
	}
	n := uint64(len(cands))
	d.Phase, d.Round, d.RoundStart = PhaseCommittee, 2, now
	d.Panel, d.Threshold = cands, (2*n+2)/3
	d.Deadline = now + k.Params(st).CommitteeDeadline
	st.Set(queueKey(d.Deadline, d.ID), []byte{})
	k.setDispute(st, d)
	ctx.EmitEvent(CommitteeEvent{ID: d.ID, Panel: joinAddrs(d.Panel), Threshold: d.Threshold, Deadline: d.Deadline})
}

// BeginBlock processes due deadlines in (deadline, ID) order, at most
// max_timeouts_per_block per block: a panel past its deadline gives way to
// the committee, a committee past its deadline escalates to governance.
// Nothing here ever moves escrow.
func (k Keeper) BeginBlock(ctx *core.Context) error {
	limit := k.Params(ctx.Store).MaxTimeouts
	for _, t := range k.PendingTimeouts(ctx.Store, ctx.Block.Time, int(min(limit, 1<<30))) {
		d, err := k.GetDispute(ctx.Store, t.ID)
		if err != nil {
			return err
		}
		if d.Deadline != t.Deadline {
			return wrap(d.ID, fmt.Errorf("queued for %d, deadline %d: %w", t.Deadline, d.Deadline, ErrCorrupt))
		}
		switch d.Phase {
		case PhasePanel:
			k.committee(ctx, d)
		case PhaseCommittee:
			k.escalate(ctx, d, "committee missed its deadline")
		default:
			return wrap(d.ID, fmt.Errorf("queued in phase %s: %w", d.Phase, ErrCorrupt))
		}
	}
	return nil
}
