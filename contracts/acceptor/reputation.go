package acceptor

import (
	"math/bits"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Maximum points of each reputation component (see the package doc).
const (
	VolumePoints      = 400
	SpeedPoints       = 300
	ReliabilityPoints = 300
	MaxReputation     = 1000

	// RepPrior is the weight, in pseudo-observations, of the neutral prior
	// the reliability score starts from, so that one early trade cannot
	// swing it to an extreme. (Speed fades its prior out over the first
	// ReleaseSamples samples instead.)
	RepPrior = 5
)

// Score computes the reputation (0–1000) from an acceptor's stats. It is a
// pure integer function; the package doc states it.
func Score(p Params, s Stats) uint64 {
	p = p.sanitize()
	d := s.Counterparties
	volume := mulDiv(VolumePoints, d, satAdd(d, p.RepHalfParties))

	speed := uint64(SpeedPoints / 2)
	if n := uint64(len(s.ReleaseTimes)); n > 0 {
		m := median(s.ReleaseTimes)
		var raw uint64
		switch {
		case m <= p.RepFastRelease:
			raw = SpeedPoints
		case m >= p.RepSlowRelease:
			raw = 0
		default:
			raw = mulDiv(SpeedPoints, p.RepSlowRelease-m, p.RepSlowRelease-p.RepFastRelease)
		}
		n = min(n, ReleaseSamples)
		speed = (n*raw + (ReleaseSamples-n)*(SpeedPoints/2)) / ReleaseSamples
	}

	good := satAdd(s.Credited, s.DisputesWon)
	bad := satAdd(s.Expired, satMul(4, s.DisputesLost))
	reliability := mulDiv(ReliabilityPoints, satAdd(good, RepPrior), satAdd(satAdd(good, bad), 2*RepPrior))
	return min(volume+speed+reliability, MaxReputation)
}

// median of a non-empty list: the middle value, or the lower mean of the
// two middle values.
func median(xs []uint64) uint64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	a, b := s[n/2-1], s[n/2]
	return a + (b-a)/2
}

func mulDiv(a, b, c uint64) uint64 {
	if c == 0 {
		return 0
	}
	r, err := types.MulDiv(a, b, c)
	if err != nil {
		return ^uint64(0)
	}
	return r
}

func satAdd(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return ^uint64(0)
	}
	return s
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return ^uint64(0)
	}
	return lo
}

// isqrt is ⌊√n⌋ by Newton's method on integers.
func isqrt(n uint64) uint64 {
	if n < 2 {
		return n
	}
	x := uint64(1) << ((bits.Len64(n) + 1) / 2) // ≥ √n
	for {
		y := (x + n/x) / 2
		if y >= x {
			return x
		}
		x = y
	}
}

// rescore recomputes the reputation and emits an event if it changed.
func (k Keeper) rescore(ctx *core.Context, p Params, rec *Acceptor, reason string) {
	prev := rec.Reputation
	rec.Reputation = Score(p, rec.Stats)
	if rec.Reputation != prev {
		ctx.EmitEvent(ReputationEvent{Address: rec.Address, Reputation: rec.Reputation, Previous: prev, Reason: reason})
	}
}

// RecordCompletion books a completed order of a with merchant, released
// releaseMs after it was marked paid. It is credited to reputation only if
// the merchant holds a valid KYC attestation of another identity than the
// acceptor's, and at most rep_counterparty_cap times per identity; the
// first credit of an identity adds a distinct counterparty.
func (k Keeper) RecordCompletion(ctx *core.Context, a, merchant types.Address, releaseMs uint64) error {
	st, now := ctx.Store, ctx.Block.Time
	rec, err := k.GetAcceptor(st, a)
	if err != nil {
		return err
	}
	p := k.Params(st)
	rec.Stats.Completed = satAdd(rec.Stats.Completed, 1)
	own := rec.Identity
	if k.kyc != nil {
		if info, ok := k.kyc.KYC(st, a, now); ok {
			own = info.Identity
		}
	}
	if k.kyc != nil {
		if info, ok := k.kyc.KYC(st, merchant, now); ok && info.Identity != own && info.Identity != (types.Hash{}) {
			key := partyKey(a, info.Identity)
			n := getU64(st, key)
			if n < p.RepCounterpartyCap {
				if n == 0 {
					rec.Stats.Counterparties = satAdd(rec.Stats.Counterparties, 1)
				}
				putU64(st, key, n+1)
				rec.Stats.Credited = satAdd(rec.Stats.Credited, 1)
				rec.Stats.ReleaseTimes = append(rec.Stats.ReleaseTimes, releaseMs)
				if over := len(rec.Stats.ReleaseTimes) - ReleaseSamples; over > 0 {
					rec.Stats.ReleaseTimes = append([]uint64(nil), rec.Stats.ReleaseTimes[over:]...)
				}
			}
		}
	}
	k.rescore(ctx, p, rec, "completed")
	k.setAcceptor(st, rec)
	return nil
}

// RecordExpiry books an order of a that expired unpaid: the acceptor is
// answerable because it delivers its payment details off-chain.
func (k Keeper) RecordExpiry(ctx *core.Context, a types.Address) error {
	rec, err := k.GetAcceptor(ctx.Store, a)
	if err != nil {
		return err
	}
	rec.Stats.Expired = satAdd(rec.Stats.Expired, 1)
	k.rescore(ctx, k.Params(ctx.Store), rec, "expired")
	k.setAcceptor(ctx.Store, rec)
	return nil
}

// RecordDisputeOpened books a dispute opened on an order of a; while any
// is open, a's margin cannot be withdrawn.
func (k Keeper) RecordDisputeOpened(ctx *core.Context, a types.Address) error {
	rec, err := k.GetAcceptor(ctx.Store, a)
	if err != nil {
		return err
	}
	rec.Stats.OpenDisputes = satAdd(rec.Stats.OpenDisputes, 1)
	k.setAcceptor(ctx.Store, rec)
	return nil
}

// RecordDisputeClosed books the outcome of a dispute of a: won means the
// escrow went back to the acceptor.
func (k Keeper) RecordDisputeClosed(ctx *core.Context, a types.Address, won bool) error {
	rec, err := k.GetAcceptor(ctx.Store, a)
	if err != nil {
		return err
	}
	if rec.Stats.OpenDisputes > 0 {
		rec.Stats.OpenDisputes--
	}
	reason := "dispute_lost"
	if won {
		rec.Stats.DisputesWon = satAdd(rec.Stats.DisputesWon, 1)
		reason = "dispute_won"
	} else {
		rec.Stats.DisputesLost = satAdd(rec.Stats.DisputesLost, 1)
	}
	k.rescore(ctx, k.Params(ctx.Store), rec, reason)
	k.setAcceptor(ctx.Store, rec)
	return nil
}
