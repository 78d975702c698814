package risk

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Rule names, as stored in risk events and emitted.
const (
	RuleVelocity    = "velocity"           // orders per merchant per hour
	RuleVolume      = "volume"             // USDT per acceptor per day
	RuleExpiry      = "expiry_ratio"       // expired share of a merchant's last N orders
	RuleLoss        = "dispute_loss_ratio" // lost-dispute share of an account's last N orders
	RuleNewAccount  = "new_account_large"  // a new account's large order
	RulePair        = "pair_repeat"        // one merchant–acceptor pair too often in a day
	RuleStructuring = "structuring"        // amounts just under the reporting threshold, repeated
	RuleDisputeMark = "dispute_loss"       // arbitration's mark on a losing merchant (no threshold)
	RuleUnfreeze    = "unfreeze"           // a compliance officer lifted a freeze
)

// Event is one stored, explainable risk decision about an account: the
// rule, the figure that crossed the threshold, and what was done.
type Event struct {
	Seq       uint64        `json:"seq"` // chain-wide, from 1
	Account   types.Address `json:"account"`
	Rule      string        `json:"rule"`
	Value     uint64        `json:"value"`     // the figure (count, micro-USDT or bps)
	Threshold uint64        `json:"threshold"` // what it exceeded
	Subject   types.Hash    `json:"subject"`   // the order (or dispute) that triggered it
	Froze     bool          `json:"froze"`
	Height    uint64        `json:"height"`
	Time      uint64        `json:"time_ms"`
	Officer   types.Address `json:"officer"` // unfreeze: who
	Reason    types.Hash    `json:"reason"`  // unfreeze: the case note's hash
}

// Profile is the rolling figures the rules keep per account. Every update
// is O(1), so the module's work per order is bounded.
type Profile struct {
	FirstSeen   uint64 // block time of its first locked order
	HourBucket  uint64 // merchant: hour of HourCount
	HourCount   uint64
	DayBucket   uint64 // acceptor: UTC day of DayVolume
	DayVolume   uint64
	StructDay   uint64 // merchant: UTC day of StructCount
	StructCount uint64
	WinCount    uint64 // closed orders seen, capped at 64
	Expired     uint64 // bit i: the i-th most recent closed order expired (merchant)
	Lost        uint64 // bit i: the account lost that order's dispute
	Marks       uint64 // dispute losses marked by arbitration
	Events      uint64 // stored events (≤ max_events_per_account)
}

// Freeze is an account's active freeze.
type Freeze struct {
	Rule string `json:"rule"`
	Seq  uint64 `json:"seq"` // the event that froze it
	At   uint64 `json:"at_ms"`
}

// Keeper reads and writes risk state. It is the Freezer that acceptor,
// order, channel, pay and arbitration accept, the order module's Observer
// and arbitration's RiskRecorder.
type Keeper struct {
	roles  Roles
	params ParamStore
	hooks  *[]FreezeHook // shared by every copy: set once at assembly (SetFreezeHooks)
}

// Deps are the keepers the risk module uses.
type Deps struct {
	Roles  Roles
	Params ParamStore
}

// NewKeeper returns a keeper over deps.
func NewKeeper(d Deps) Keeper {
	return Keeper{roles: d.Roles, params: d.Params, hooks: new([]FreezeHook)}
}

// SetFreezeHooks installs the hooks told of every freeze and unfreeze (the
// order keeper). The order keeper is built with this keeper as its
// Freezer and Observer, so it cannot exist before it; the hooks therefore
// live behind a pointer that every copy of the keeper shares, and the app
// assembly sets them once, before the first block.
func (k Keeper) SetFreezeHooks(hs ...FreezeHook) {
	if k.hooks != nil {
		*k.hooks = slices.Clone(hs)
	}
}

func (k Keeper) freezeHooks() []FreezeHook {
	if k.hooks == nil {
		return nil
	}
	return *k.hooks
}

// Store layout.
var (
	prefixProfile = []byte("risk/m/") // + account -> RLP Profile
	prefixPair    = []byte("risk/p/") // + merchant + acceptor -> be64 day, be64 count
	prefixEvent   = []byte("risk/e/") // + account + be64 seq -> RLP Event
	prefixFrozen  = []byte("risk/f/") // + account -> RLP Freeze
	keySeq        = []byte("risk/seq")
)

// IsFrozen implements the Freezer interface of acceptor, order, channel,
// pay and arbitration.
func (Keeper) IsFrozen(st state.Store, a types.Address) bool {
	return st.Has(slices.Concat(prefixFrozen, a[:]))
}

// FreezeOf returns a's active freeze, if any.
func (Keeper) FreezeOf(st state.Store, a types.Address) (Freeze, bool) {
	v, ok := st.Get(slices.Concat(prefixFrozen, a[:]))
	if !ok {
		return Freeze{}, false
	}
	var f Freeze
	_ = core.Decode(v, &f) // written only by freeze
	return f, true
}

// FrozenAccounts lists frozen accounts in address order, at most limit (≤ 0: all).
func (Keeper) FrozenAccounts(st state.Store, limit int) []types.Address {
	var out []types.Address
	st.Iterate(prefixFrozen, state.PrefixEnd(prefixFrozen), false, func(k, _ []byte) bool {
		out = append(out, types.Address(k[len(prefixFrozen):]))
		return limit <= 0 || len(out) < limit
	})
	return out
}

// GetProfile returns a's rolling figures (zero if never seen).
func (Keeper) GetProfile(st state.Store, a types.Address) Profile {
	var p Profile
	if v, ok := st.Get(slices.Concat(prefixProfile, a[:])); ok {
		_ = core.Decode(v, &p) // written only by setProfile
	}
	return p
}

func (Keeper) setProfile(st state.Store, a types.Address, p *Profile) {
	st.Set(slices.Concat(prefixProfile, a[:]), core.Encode(p))
}

// Events lists a's stored risk events, oldest first, after sequence number
// after, at most limit (≤ 0: all): every freeze and unfreeze of a is
// explained by one of them.
func (Keeper) Events(st state.Store, a types.Address, after uint64, limit int) ([]Event, error) {
	p := slices.Concat(prefixEvent, a[:])
	var out []Event
	var err error
	if after == ^uint64(0) {
		return nil, nil
	}
	st.Iterate(slices.Concat(p, store.BE64(after+1)), state.PrefixEnd(p), false, func(_, v []byte) bool {
		var e Event
		if err = core.Decode(v, &e); err != nil {
			err = fmt.Errorf("risk event of %s: %w: %v", a.Hex(), ErrCorrupt, err)
			return false
		}
		out = append(out, e)
		return limit <= 0 || len(out) < limit
	})
	return out, err
}

// record stores an event for its account, dropping the account's oldest
// beyond max_events_per_account, and emits nothing.
func (k Keeper) record(ctx *core.Context, e *Event, prof *Profile) {
	st := ctx.Store
	var n uint64
	if v, ok := st.Get(keySeq); ok && len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	st.Set(keySeq, store.BE64(n))
	e.Seq, e.Height, e.Time = n, ctx.Block.Height, ctx.Block.Time
	p := slices.Concat(prefixEvent, e.Account[:])
	st.Set(slices.Concat(p, store.BE64(n)), core.Encode(e))
	prof.Events++
	if limit := k.Params(st).MaxEventsAccount; prof.Events > limit {
		// Drop the oldest event, but never the one explaining an active
		// freeze: at most two keys are visited.
		keep := slices.Concat(p, store.BE64(0))
		if f, frozen := k.FreezeOf(st, e.Account); frozen {
			keep = slices.Concat(p, store.BE64(f.Seq))
		}
		var oldest []byte
		st.Iterate(p, state.PrefixEnd(p), false, func(key, _ []byte) bool {
			if string(key) == string(keep) {
				return true
			}
			oldest = slices.Clone(key)
			return false
		})
		if oldest != nil {
			st.Delete(oldest)
			prof.Events--
		}
	}
}

// hit records a rule's hit on account and, for a freeze rule, freezes it
// and tells the freeze hooks.
func (k Keeper) hit(ctx *core.Context, a types.Address, prof *Profile, rule string, value, threshold uint64, subject types.Hash, freeze bool) error {
	e := &Event{Account: a, Rule: rule, Value: value, Threshold: threshold, Subject: subject, Froze: freeze && !k.IsFrozen(ctx.Store, a)}
	k.record(ctx, e, prof)
	ctx.EmitEvent(HitEvent{Account: a, Rule: rule, Value: value, Threshold: threshold, Subject: subject, Seq: e.Seq, Freeze: e.Froze})
	if e.Froze {
		ctx.Store.Set(slices.Concat(prefixFrozen, a[:]), core.Encode(&Freeze{Rule: rule, Seq: e.Seq, At: ctx.Block.Time}))
		ctx.EmitEvent(FrozenEvent{Account: a, Rule: rule, Seq: e.Seq})
		for _, h := range k.freezeHooks() {
			if err := h.AccountFrozen(ctx, a); err != nil {
				return fmt.Errorf("risk: freeze of %s: %w", a.Hex(), err)
			}
		}
	}
	return nil
}

func ratioBps(mask, window, count uint64) (uint64, bool) {
	if count < window {
		return 0, false // too few orders to judge
	}
	m := mask & (^uint64(0) >> (64 - window))
	return uint64(bits.OnesCount64(m)) * 10_000 / window, true
}

// OrderLocked implements order.Observer: velocity, volume, new-account,
// pair and structuring rules, in that order.
func (k Keeper) OrderLocked(ctx *core.Context, o *order.Order) error {
	st, now := ctx.Store, ctx.Block.Time
	p := k.Params(st)
	pm, pa := k.GetProfile(st, o.Merchant), k.GetProfile(st, o.Acceptor)
	for _, pr := range []*Profile{&pm, &pa} {
		if pr.FirstSeen == 0 {
			pr.FirstSeen = now
		}
	}
	if now-pm.FirstSeen < p.NewAge && o.Amount >= p.NewLarge {
		if err := k.hit(ctx, o.Merchant, &pm, RuleNewAccount, o.Amount, p.NewLarge, o.ID, p.NewFreeze == 1); err != nil {
			return err
		}
	}
	if h := now / hour; pm.HourBucket != h {
		pm.HourBucket, pm.HourCount = h, 0
	}
	pm.HourCount++
	if pm.HourCount == p.VelocityMax+1 {
		if err := k.hit(ctx, o.Merchant, &pm, RuleVelocity, pm.HourCount, p.VelocityMax, o.ID, p.VelocityFreeze == 1); err != nil {
			return err
		}
	}
	if d := now / day; pa.DayBucket != d {
		pa.DayBucket, pa.DayVolume = d, 0
	}
	prev := pa.DayVolume
	if v, err := types.AddAmount(prev, o.Amount); err == nil {
		pa.DayVolume = v
	} else {
		pa.DayVolume = ^uint64(0)
	}
	if prev <= p.VolumeMax && pa.DayVolume > p.VolumeMax {
		if err := k.hit(ctx, o.Acceptor, &pa, RuleVolume, pa.DayVolume, p.VolumeMax, o.ID, p.VolumeFreeze == 1); err != nil {
			return err
		}
	}
	pairKey := slices.Concat(prefixPair, o.Merchant[:], o.Acceptor[:])
	var pairDay, pairCount uint64
	if v, ok := st.Get(pairKey); ok && len(v) == 16 {
		pairDay, pairCount = binary.BigEndian.Uint64(v[:8]), binary.BigEndian.Uint64(v[8:])
	}
	if pairDay != now/day {
		pairDay, pairCount = now/day, 0
	}
	pairCount++
	st.Set(pairKey, slices.Concat(store.BE64(pairDay), store.BE64(pairCount)))
	if pairCount == p.PairMax+1 {
		if err := k.hit(ctx, o.Merchant, &pm, RulePair, pairCount, p.PairMax, o.ID, p.PairFreeze == 1); err != nil {
			return err
		}
		if err := k.hit(ctx, o.Acceptor, &pa, RulePair, pairCount, p.PairMax, o.ID, p.PairFreeze == 1); err != nil {
			return err
		}
	}
	band, err := types.MulDiv(p.ReportThreshold, p.StructBandBps, 10_000)
	if err != nil {
		return fmt.Errorf("risk: structuring band: %w", err)
	}
	if o.Amount < p.ReportThreshold && o.Amount >= p.ReportThreshold-band {
		if d := now / day; pm.StructDay != d {
			pm.StructDay, pm.StructCount = d, 0
		}
		pm.StructCount++
		if pm.StructCount == p.StructMax+1 {
			if err := k.hit(ctx, o.Merchant, &pm, RuleStructuring, pm.StructCount, p.StructMax, o.ID, p.StructFreeze == 1); err != nil {
				return err
			}
		}
	}
	k.setProfile(st, o.Merchant, &pm)
	k.setProfile(st, o.Acceptor, &pa)
	return nil
}

// OrderClosed implements order.Observer: the ratio rules over the last N
// closed orders. An expiry counts against the merchant; a dispute lost
// outright (RESOLVED_REFUND: merchant, RESOLVED_RELEASE: acceptor) against
// the loser; a split against nobody. A rule hits when its ratio rises
// above the threshold, not again while it stays there.
func (k Keeper) OrderClosed(ctx *core.Context, o *order.Order) error {
	st := ctx.Store
	p := k.Params(st)
	for _, side := range []struct {
		a             types.Address
		expired, lost bool
	}{
		{o.Merchant, o.State == order.StateExpired, o.State == order.StateResolvedRefund},
		{o.Acceptor, false, o.State == order.StateResolvedRelease},
	} {
		pr := k.GetProfile(st, side.a)
		prevExp, hadExp := ratioBps(pr.Expired, p.Window, pr.WinCount)
		prevLoss, hadLoss := ratioBps(pr.Lost, p.Window, pr.WinCount)
		pr.Expired, pr.Lost = pr.Expired<<1, pr.Lost<<1
		if side.expired {
			pr.Expired |= 1
		}
		if side.lost {
			pr.Lost |= 1
		}
		pr.WinCount = min(pr.WinCount+1, 64)
		if r, ok := ratioBps(pr.Expired, p.Window, pr.WinCount); ok && r > p.ExpiryMaxBps && (!hadExp || prevExp <= p.ExpiryMaxBps) && side.a == o.Merchant {
			if err := k.hit(ctx, side.a, &pr, RuleExpiry, r, p.ExpiryMaxBps, o.ID, p.ExpiryFreeze == 1); err != nil {
				return err
			}
		}
		if r, ok := ratioBps(pr.Lost, p.Window, pr.WinCount); ok && r > p.LossMaxBps && (!hadLoss || prevLoss <= p.LossMaxBps) {
			if err := k.hit(ctx, side.a, &pr, RuleLoss, r, p.LossMaxBps, o.ID, p.LossFreeze == 1); err != nil {
				return err
			}
		}
		k.setProfile(st, side.a, &pr)
	}
	return nil
}

// RecordDisputeLoss implements arbitration's RiskRecorder: a mark on the
// losing merchant's record, stored as an event naming the dispute.
func (k Keeper) RecordDisputeLoss(ctx *core.Context, loser types.Address, dispute types.Hash) error {
	pr := k.GetProfile(ctx.Store, loser)
	pr.Marks++
	e := &Event{Account: loser, Rule: RuleDisputeMark, Value: pr.Marks, Subject: dispute}
	k.record(ctx, e, &pr)
	k.setProfile(ctx.Store, loser, &pr)
	ctx.EmitEvent(MarkEvent{Account: loser, Rule: RuleDisputeMark, Subject: dispute, Seq: e.Seq})
	return nil
}

// Unfreeze lifts a freeze: compliance officers only, with the hash of
// their case note, recorded as an event of the account.
func (k Keeper) Unfreeze(ctx *core.Context, m *MsgUnfreeze) error {
	st := ctx.Store
	if k.roles == nil || !k.roles.HasRole(st, ctx.Sender, gov.RoleCompliance) {
		return fmt.Errorf("sender %s: %w", ctx.Sender.Hex(), ErrNotCompliance)
	}
	if !k.IsFrozen(st, m.Account) {
		return fmt.Errorf("%s: %w", m.Account.Hex(), ErrNotFrozen)
	}
	st.Delete(slices.Concat(prefixFrozen, m.Account[:]))
	pr := k.GetProfile(st, m.Account)
	e := &Event{Account: m.Account, Rule: RuleUnfreeze, Officer: ctx.Sender, Reason: m.Reason}
	k.record(ctx, e, &pr)
	k.setProfile(st, m.Account, &pr)
	ctx.EmitEvent(UnfrozenEvent{Account: m.Account, Officer: ctx.Sender, Reason: m.Reason, Seq: e.Seq})
	for _, h := range k.freezeHooks() {
		if err := h.AccountUnfrozen(ctx, m.Account); err != nil {
			return fmt.Errorf("risk: unfreeze of %s: %w", m.Account.Hex(), err)
		}
	}
	return nil
}

// Ante refuses a bank transfer from a frozen account (the other modules
// check freezes in their own handlers). The wiring adds it to the router's
// ante checks after bank's.
func (k Keeper) Ante(ctx *core.Context, tx *types.Tx) error {
	if tx.Type == bank.TypeTransfer && k.IsFrozen(ctx.Store, ctx.Sender) {
		return fmt.Errorf("transfer from %s: %w", ctx.Sender.Hex(), ErrFrozen)
	}
	return nil
}

var _ order.Observer = Keeper{}
