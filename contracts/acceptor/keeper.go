package acceptor

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Module accounts holding every acceptor's free float and margin; the
// per-acceptor shares are the Float and Margin fields of the records.
var (
	FloatAddress  = bank.ModuleAddress("acceptor/float")
	MarginAddress = bank.ModuleAddress("acceptor/margin")
)

// Store layout. Addresses and currency codes are fixed width, so a prefix
// walk visits acceptors in address order.
var (
	prefixRecord = []byte("acceptor/r/") // + addr -> RLP Acceptor
	prefixIndex  = []byte("acceptor/c/") // + currency -> addresses of its active acceptors, ascending, concatenated
	prefixParty  = []byte("acceptor/p/") // + addr + identity -> 8-byte completions credited
)

// Status of an acceptor.
type Status uint8

// Acceptor states.
const (
	StatusActive Status = 1 // eligible for assignment (if the other rules hold)
	StatusPaused Status = 2 // takes no new orders; open orders continue
)

func (s Status) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusPaused:
		return "paused"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// VolumeBucket is the volume assigned to an acceptor in one hour of block
// time (Hour = block time / 1 h).
type VolumeBucket struct {
	Hour   uint64
	Volume uint64
}

// ReleaseSamples is how many recent release times the median is taken over.
const ReleaseSamples = 15

// Stats are the counters reputation is computed from (see the package doc).
type Stats struct {
	Completed      uint64   // completed orders, all counterparties
	Credited       uint64   // completions credited: other KYC'd identity, at most rep_counterparty_cap per identity
	Counterparties uint64   // distinct counterparty identities credited at least once
	Expired        uint64   // orders that expired unpaid
	DisputesWon    uint64   // disputes resolved with a refund to the acceptor
	DisputesLost   uint64   // disputes resolved with a release to the merchant
	OpenDisputes   uint64   // disputes currently open
	ReleaseTimes   []uint64 // last ReleaseSamples credited release times (ms from PAID to COMPLETED), oldest first
}

// Acceptor is one acceptor's record.
type Acceptor struct {
	Address          types.Address
	Identity         types.Hash // KYC identity at registration or last update
	Status           Status
	RegisteredAt     uint64 // block time, ms
	RegisteredHeight uint64
	Currencies       []string        // strictly ascending
	Methods          []PaymentMethod // hashes of account details
	MinOrder         uint64          // micro-USDT; orders below are not assigned
	MaxOrder         uint64          // micro-USDT; 0: no own maximum
	Float            uint64          // free float, micro-USDT (held in FloatAddress)
	Locked           uint64          // float currently in order escrow
	Margin           uint64          // margin, micro-USDT (held in MarginAddress)
	Volume           []VolumeBucket  // assigned volume of the last 24 hours, ascending hours
	Stats            Stats
	Reputation       uint64 // 0–1000, recomputed whenever Stats change
}

// Keeper reads and writes acceptor state. Its dependencies are other
// modules' keepers; it holds no state of its own.
type Keeper struct {
	bank       BankKeeper
	params     ParamStore
	kyc        KYCKeeper
	freezer    Freezer
	currencies CurrencySet
}

// Deps are the keepers the acceptor module uses. Bank, Params and KYC are
// required; Freezer and Currencies may be nil.
type Deps struct {
	Bank       BankKeeper
	Params     ParamStore
	KYC        KYCKeeper
	Freezer    Freezer
	Currencies CurrencySet
}

// NewKeeper returns a keeper over deps.
func NewKeeper(d Deps) Keeper {
	return Keeper{bank: d.Bank, params: d.Params, kyc: d.KYC, freezer: d.Freezer, currencies: d.Currencies}
}

func recordKey(a types.Address) []byte { return slices.Concat(prefixRecord, a[:]) }

const addrLen = len(types.Address{})

func indexKey(cur string) []byte { return slices.Concat(prefixIndex, []byte(cur)) }

func partyKey(a types.Address, id types.Hash) []byte { return slices.Concat(prefixParty, a[:], id[:]) }

// IsFrozen reports whether the risk module froze a.
func (k Keeper) IsFrozen(st state.Store, a types.Address) bool {
	return k.freezer != nil && k.freezer.IsFrozen(st, a)
}

// checkKYC returns a's attestation if it is valid at now and of at least
// the acceptor KYC level.
func (k Keeper) checkKYC(st state.Store, p Params, a types.Address, now uint64) (KYCInfo, error) {
	if k.kyc == nil {
		return KYCInfo{}, fmt.Errorf("%s: %w (no KYC keeper wired)", a.Hex(), ErrNoKYC)
	}
	info, ok := k.kyc.KYC(st, a, now)
	if !ok {
		return KYCInfo{}, fmt.Errorf("%s: %w", a.Hex(), ErrNoKYC)
	}
	if uint64(info.Level) < p.MinKYCLevel {
		return KYCInfo{}, fmt.Errorf("%s: level %d < %d: %w", a.Hex(), info.Level, p.MinKYCLevel, ErrNoKYC)
	}
	return info, nil
}

// IsAcceptor reports whether a is registered.
func (Keeper) IsAcceptor(st state.Store, a types.Address) bool { return st.Has(recordKey(a)) }

// Acceptors returns up to limit records with addresses above after, in
// address order (after = zero address starts at the beginning; limit ≤ 0
// means no limit). It is a query: for the API and the CLI.
func (k Keeper) Acceptors(st state.Store, after types.Address, limit int) ([]*Acceptor, error) {
	start := recordKey(after)
	if after != (types.Address{}) {
		start = append(start, 0)
	}
	var addrs []types.Address
	st.Iterate(start, state.PrefixEnd(prefixRecord), false, func(key, _ []byte) bool {
		if len(key) == len(prefixRecord)+addrLen {
			addrs = append(addrs, types.Address(key[len(prefixRecord):]))
		}
		return limit <= 0 || len(addrs) < limit
	})
	out := make([]*Acceptor, 0, len(addrs))
	for _, a := range addrs {
		rec, err := k.GetAcceptor(st, a)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// ActiveFor returns the active acceptors supporting currency, in address
// order. The list is one value per currency, so the order path reads it
// with one Get instead of a range scan; it changes only when an acceptor
// registers, updates, pauses or resumes.
func (Keeper) ActiveFor(st state.Store, currency string) []types.Address {
	v, _ := st.Get(indexKey(currency))
	out := make([]types.Address, len(v)/addrLen)
	for i := range out {
		copy(out[i][:], v[i*addrLen:])
	}
	return out
}

func setActive(st state.Store, currency string, list []types.Address) {
	if len(list) == 0 {
		st.Delete(indexKey(currency))
		return
	}
	v := make([]byte, 0, len(list)*addrLen)
	for _, a := range list {
		v = append(v, a[:]...)
	}
	st.Set(indexKey(currency), v)
}

func (k Keeper) index(st state.Store, rec *Acceptor) {
	if rec.Status != StatusActive {
		return
	}
	for _, c := range rec.Currencies {
		list := k.ActiveFor(st, c)
		i, found := slices.BinarySearchFunc(list, rec.Address, func(x, t types.Address) int { return x.Cmp(t) })
		if !found {
			setActive(st, c, slices.Insert(list, i, rec.Address))
		}
	}
}

func (k Keeper) unindex(st state.Store, rec *Acceptor) {
	for _, c := range rec.Currencies {
		list := k.ActiveFor(st, c)
		i, found := slices.BinarySearchFunc(list, rec.Address, func(x, t types.Address) int { return x.Cmp(t) })
		if found {
			setActive(st, c, slices.Delete(list, i, i+1))
		}
	}
}

// Supports reports whether the acceptor lists currency.
func (a *Acceptor) Supports(currency string) bool { return contains(a.Currencies, currency) }

// MethodFor returns the hash of the first payment method for currency.
func (a *Acceptor) MethodFor(currency string) (types.Hash, bool) {
	for _, m := range a.Methods {
		if m.Currency == currency {
			return m.DetailsHash, true
		}
	}
	return types.Hash{}, false
}

func hourOf(now uint64) uint64 { return now / hour }

// Volume24h is the volume assigned in the trailing 24 hourly buckets of
// block time, the current hour included.
func (a *Acceptor) Volume24h(now uint64) uint64 {
	h := hourOf(now)
	var sum uint64
	for _, b := range a.Volume {
		if b.Hour+24 > h && b.Hour <= h {
			sum = satAdd(sum, b.Volume)
		}
	}
	return sum
}

// addVolume books amount in the current hour's bucket and drops buckets
// older than 24 hours.
func (a *Acceptor) addVolume(now, amount uint64) error {
	h := hourOf(now)
	kept := a.Volume[:0]
	for _, b := range a.Volume {
		if b.Hour+24 > h {
			kept = append(kept, b)
		}
	}
	a.Volume = kept
	if n := len(a.Volume); n > 0 && a.Volume[n-1].Hour == h {
		v, err := types.AddAmount(a.Volume[n-1].Volume, amount)
		if err != nil {
			return err
		}
		a.Volume[n-1].Volume = v
		return nil
	}
	a.Volume = append(a.Volume, VolumeBucket{Hour: h, Volume: amount})
	return nil
}

// RequiredMargin is the margin that covers volume at marginBps, rounded
// up (saturating at the largest amount).
func RequiredMargin(volume, marginBps uint64) uint64 {
	hi, lo := bits.Mul64(volume, marginBps)
	if hi >= 10_000 {
		return ^uint64(0)
	}
	q, r := bits.Div64(hi, lo, 10_000)
	if r != 0 && q < ^uint64(0) {
		q++
	}
	return q
}

// Limits are an acceptor's current ramp limits (micro-USDT).
type Limits struct {
	Order     uint64 // largest single order
	Daily     uint64 // trailing-24h assigned volume
	Volume24h uint64 // trailing-24h assigned volume so far
	Margin    uint64 // margin the trailing-24h volume requires
}

// rampBps is how far the acceptor is through its ramp-up, in basis points:
// the smaller of its age progress and its credited-completions progress.
func rampBps(p Params, a *Acceptor, now uint64) uint64 {
	age := uint64(0)
	if now > a.RegisteredAt {
		age = now - a.RegisteredAt
	}
	byAge := uint64(10_000)
	if p.RampAge > 0 {
		byAge = min(age, p.RampAge) * 10_000 / p.RampAge
	}
	byOrders := uint64(10_000)
	if p.RampOrders > 0 {
		byOrders = min(a.Stats.Credited, p.RampOrders) * 10_000 / p.RampOrders
	}
	return min(byAge, byOrders)
}

func ramp(lo, hi, bps uint64) uint64 {
	d, _ := types.MulDiv(hi-lo, bps, 10_000) // hi ≥ lo after sanitize; bps ≤ 10 000
	return lo + d
}

// repBps scales the per-order limit by reputation: half at 0, rising
// linearly to the full limit at rep_full_limit (a new acceptor's 300 by
// default), so an acceptor whose score fell below a newcomer's takes
// smaller orders.
func repBps(p Params, rep uint64) uint64 {
	if rep >= p.RepFullLimit {
		return 10_000
	}
	return 5_000 + 5_000*rep/p.RepFullLimit
}

// LimitsOf computes a's limits at block time now under p.
func LimitsOf(p Params, a *Acceptor, now uint64) Limits {
	bps := rampBps(p, a, now)
	vol := a.Volume24h(now)
	order, _ := types.MulDiv(ramp(p.NewOrderLimit, p.MaxOrderLimit, bps), repBps(p, a.Reputation), 10_000)
	return Limits{
		Order:     order,
		Daily:     ramp(p.NewDailyLimit, p.MaxDailyLimit, bps),
		Volume24h: vol,
		Margin:    RequiredMargin(vol, p.MarginBps),
	}
}

// Limits returns a's current limits.
func (k Keeper) Limits(st state.Store, a types.Address, now uint64) (Limits, error) {
	rec, err := k.GetAcceptor(st, a)
	if err != nil {
		return Limits{}, err
	}
	return LimitsOf(k.Params(st), rec, now), nil
}

// checkOrder applies every eligibility rule but currency support (the
// caller walks the currency's index), KYC and freezing to one order of
// amount at block time now. It returns a bare
// sentinel (the draw checks many acceptors and discards the reasons);
// explain adds the numbers for a caller who shows it.
func checkOrder(p Params, a *Acceptor, amount, now uint64) error {
	switch {
	case a.Status != StatusActive:
		return ErrPaused
	case amount < a.MinOrder || (a.MaxOrder != 0 && amount > a.MaxOrder):
		return ErrOrderBounds
	}
	lim := LimitsOf(p, a, now)
	if amount > lim.Order {
		return ErrOrderLimit
	}
	vol, err := types.AddAmount(lim.Volume24h, amount)
	if err != nil || vol > lim.Daily {
		return ErrDailyLimit
	}
	if a.Float < amount {
		return ErrInsufficientFloat
	}
	if a.Margin < RequiredMargin(vol, p.MarginBps) {
		return ErrMarginTooLow
	}
	return nil
}

// explain wraps a checkOrder sentinel with the acceptor and the numbers.
func explain(err error, p Params, a *Acceptor, amount, now uint64) error {
	lim := LimitsOf(p, a, now)
	who := a.Address.Hex()
	switch err {
	case ErrOrderBounds:
		return fmt.Errorf("%s: %d not in [%d, %d]: %w", who, amount, a.MinOrder, a.MaxOrder, err)
	case ErrOrderLimit:
		return fmt.Errorf("%s: %d > %d: %w", who, amount, lim.Order, err)
	case ErrDailyLimit:
		return fmt.Errorf("%s: %d + %d > %d: %w", who, lim.Volume24h, amount, lim.Daily, err)
	case ErrInsufficientFloat:
		return fmt.Errorf("%s: float %d < %d: %w", who, a.Float, amount, err)
	case ErrMarginTooLow:
		vol := satAdd(lim.Volume24h, amount)
		return fmt.Errorf("%s: margin %d < %d for volume %d: %w", who, a.Margin, RequiredMargin(vol, p.MarginBps), vol, err)
	}
	return fmt.Errorf("%s: %w", who, err)
}

// Candidate is an acceptor eligible for an order, with its draw weight.
type Candidate struct {
	Address    types.Address
	Weight     uint64
	Reputation uint64
	Float      uint64
}

// Weight is the draw weight of an acceptor with reputation rep and free
// float (micro-USDT): (rep + weight_floor) × (⌊√(float in whole USDT)⌋ + 1).
// The square root lets float count without letting the largest wallet take
// every order; the floor gives new acceptors a chance to build reputation.
func Weight(p Params, rep, float uint64) uint64 {
	return satMul(satAdd(rep, p.WeightFloor), isqrt(float/usdt)+1)
}

// Exclude names who must not be assigned an order: the merchant itself
// and accounts of the same KYC identity.
type Exclude struct {
	Address  types.Address
	Identity types.Hash // zero: none
}

// Eligible returns the acceptors that may take an order of amount
// micro-USDT in currency at block time now, in address order, with their
// weights. Eligible means: active, not frozen, KYC valid (and the amount
// within its KYC level's limit), currency supported, amount within its
// own bounds and its ramp limits, free float ≥ amount, and margin ≥
// margin_bps of trailing-24h volume including this order. An error means
// corrupt state, never "nobody eligible".
func (k Keeper) Eligible(st state.Store, currency string, amount, now uint64, ex Exclude) ([]Candidate, error) {
	p := k.Params(st)
	var out []Candidate
	for _, a := range k.ActiveFor(st, currency) {
		if a == ex.Address {
			continue
		}
		h, err := k.getHot(st, a)
		if err != nil {
			return nil, err
		}
		if checkOrder(p, hotView(a, h), amount, now) != nil || k.IsFrozen(st, a) {
			continue
		}
		info, kerr := k.checkKYC(st, p, a, now)
		if kerr != nil || kycLimit(info, amount) != nil || (ex.Identity != (types.Hash{}) && info.Identity == ex.Identity) {
			continue
		}
		out = append(out, Candidate{Address: a, Weight: Weight(p, h.Reputation, h.Float), Reputation: h.Reputation, Float: h.Float})
	}
	return out, nil
}

// CheckEligible returns why a may not take the order (nil if it may).
func (k Keeper) CheckEligible(st state.Store, a types.Address, currency string, amount, now uint64) error {
	rec, err := k.GetAcceptor(st, a)
	if err != nil {
		return err
	}
	if k.IsFrozen(st, a) {
		return fmt.Errorf("%s: %w", a.Hex(), ErrFrozen)
	}
	if !rec.Supports(currency) {
		return fmt.Errorf("%s %s: %w", a.Hex(), currency, ErrNotSupported)
	}
	p := k.Params(st)
	if err := checkOrder(p, rec, amount, now); err != nil {
		return explain(err, p, rec, amount, now)
	}
	info, err := k.checkKYC(st, p, a, now)
	if err != nil {
		return err
	}
	if err := kycLimit(info, amount); err != nil {
		return fmt.Errorf("%s: %w", a.Hex(), err)
	}
	return nil
}

// kycLimit checks amount against the KYC level's order limit.
func kycLimit(info KYCInfo, amount uint64) error {
	if amount > info.OrderLimit { // kyc: a valid attestation has a limit >= 1; 0 means no orders
		return fmt.Errorf("%d above the KYC level %d limit %d: %w", amount, info.Level, info.OrderLimit, ErrKYCLimit)
	}
	return nil
}

// Lock moves amount of a's free float into escrow (a module account of the
// order module) and books it in a's trailing volume. The caller has chosen
// a from Eligible in the same transaction.
func (k Keeper) Lock(st state.Store, a types.Address, amount, now uint64, escrow types.Address) error {
	h, err := k.getHot(st, a)
	if err != nil {
		return err
	}
	if h.Float < amount {
		return fmt.Errorf("lock %s: float %d < %d: %w", a.Hex(), h.Float, amount, ErrInsufficientFloat)
	}
	locked, err := types.AddAmount(h.Locked, amount)
	if err != nil {
		return fmt.Errorf("lock %s: %w", a.Hex(), err)
	}
	rec := hotView(a, h)
	if err := rec.addVolume(now, amount); err != nil {
		return fmt.Errorf("lock %s: volume: %w", a.Hex(), err)
	}
	h.Volume = rec.Volume
	h.Float -= amount
	h.Locked = locked
	if err := k.bank.Send(st, FloatAddress, escrow, amount); err != nil {
		return fmt.Errorf("lock %s: %w", a.Hex(), err)
	}
	k.setHot(st, a, &h)
	return nil
}

// Unlock moves amount from escrow back into a's free float (an order
// expired, was cancelled or refunded, or the commission of a completed one).
func (k Keeper) Unlock(st state.Store, a types.Address, amount uint64, escrow types.Address) error {
	if amount == 0 {
		return nil
	}
	h, err := k.getHot(st, a)
	if err != nil {
		return err
	}
	if h.Locked < amount {
		return fmt.Errorf("unlock %s: locked %d < %d: %w", a.Hex(), h.Locked, amount, ErrCorrupt)
	}
	fl, err := types.AddAmount(h.Float, amount)
	if err != nil {
		return fmt.Errorf("unlock %s: %w", a.Hex(), err)
	}
	if err := k.bank.Send(st, escrow, FloatAddress, amount); err != nil {
		return fmt.Errorf("unlock %s: %w", a.Hex(), err)
	}
	h.Locked -= amount
	h.Float = fl
	k.setHot(st, a, &h)
	return nil
}

// Settle records that amount of a's locked float left escrow to someone
// else (the merchant, the treasury): the caller moved the funds.
func (k Keeper) Settle(st state.Store, a types.Address, amount uint64) error {
	if amount == 0 {
		return nil
	}
	h, err := k.getHot(st, a)
	if err != nil {
		return err
	}
	if h.Locked < amount {
		return fmt.Errorf("settle %s: locked %d < %d: %w", a.Hex(), h.Locked, amount, ErrCorrupt)
	}
	h.Locked -= amount
	k.setHot(st, a, &h)
	return nil
}

// Slash moves up to amount of a's margin to the wronged party and returns
// what it moved (less than amount if the margin is short).
func (k Keeper) Slash(ctx *core.Context, a, to types.Address, amount uint64) (uint64, error) {
	h, err := k.getHot(ctx.Store, a)
	if err != nil {
		return 0, err
	}
	s := min(h.Margin, amount)
	if s == 0 {
		return 0, nil
	}
	if err := k.bank.Send(ctx.Store, MarginAddress, to, s); err != nil {
		return 0, fmt.Errorf("slash %s: %w", a.Hex(), err)
	}
	h.Margin -= s
	k.setHot(ctx.Store, a, &h)
	ctx.EmitEvent(SlashedEvent{Address: a, To: to, Amount: s, Margin: h.Margin})
	return s, nil
}

func getU64(st state.Store, key []byte) uint64 {
	v, ok := st.Get(key)
	if !ok || len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putU64(st state.Store, key []byte, n uint64) {
	v := make([]byte, 8)
	binary.BigEndian.PutUint64(v, n)
	st.Set(key, v)
}

// CounterpartyCredits is how many of a's completions with the KYC
// identity id were credited to its reputation.
func (Keeper) CounterpartyCredits(st state.Store, a types.Address, id types.Hash) uint64 {
	return getU64(st, partyKey(a, id))
}
