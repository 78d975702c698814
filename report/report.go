package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Sentinel errors.
var (
	ErrUnknownKind = errors.New("report: unknown kind")
	ErrBadRange    = errors.New("report: bad time range")
	ErrThreshold   = errors.New("report: --threshold applies to large-tx only")
	// ErrPruned: the range reaches back before the oldest block the store
	// keeps, so a report from it would silently miss rows.
	ErrPruned = errors.New("report: the range starts before the store's pruned history")
)

// Kind names a report.
type Kind string

// The reports.
const (
	LargeTx  Kind = "large-tx" // transfers of at least Query.Threshold
	Freezes  Kind = "freezes"  // accounts frozen by a risk rule and unfrozen by an officer
	Disputes Kind = "disputes" // arbitration disputes opened, handed to the committee, escalated, resolved
	KYC      Kind = "kyc"      // attestations and revocations
	Orders   Kind = "orders"   // every order state change
)

// spec is what one kind reads: the event types it keeps and the
// attributes it prints, in column order.
type spec struct {
	types []string
	cols  []string
}

// kindEvents are each kind's events, as the modules declare them; a
// kind's columns are every attribute its events carry, so a report
// leaves nothing of an event out.
var kindEvents = map[Kind][]core.Event{
	LargeTx: {bank.TransferEvent{}},
	Freezes: {risk.FrozenEvent{}, risk.UnfrozenEvent{}},
	Disputes: {arbitration.OpenedEvent{}, arbitration.CommitteeEvent{}, arbitration.EscalatedEvent{},
		arbitration.ResolvedEvent{}},
	KYC: {kyc.AttestedEvent{}, kyc.RevokedEvent{}},
	Orders: {order.CreatedEvent{}, order.LockedEvent{}, order.RejectedEvent{}, order.PaidEvent{}, order.CompletedEvent{},
		order.CancelledEvent{}, order.ExpiredEvent{}, order.ExtendedEvent{}, order.DisputedEvent{},
		order.ResolvedReleaseEvent{}, order.ResolvedRefundEvent{}, order.ResolvedSplitEvent{}, order.PausedEvent{},
		order.ResumedEvent{}},
}

var specs = func() map[Kind]spec {
	out := map[Kind]spec{}
	for k, evs := range kindEvents {
		var sp spec
		for _, e := range evs {
			sp.types = append(sp.types, e.EventType())
			for _, key := range core.EventKeys(e) {
				if !slices.Contains(sp.cols, key) {
					sp.cols = append(sp.cols, key)
				}
			}
		}
		out[k] = sp
	}
	return out
}()

// Kinds lists the reports in a stable order.
func Kinds() []Kind { return []Kind{LargeTx, Freezes, Disputes, KYC, Orders} }

// ParseKind checks a kind's name.
func ParseKind(s string) (Kind, error) {
	k := Kind(s)
	if _, ok := specs[k]; !ok {
		names := make([]string, 0, len(specs))
		for _, k := range Kinds() {
			names = append(names, string(k))
		}
		return "", fmt.Errorf("%w %q (want %s)", ErrUnknownKind, s, strings.Join(names, ", "))
	}
	return k, nil
}

// EventTypes are the event types kind k reports.
func (k Kind) EventTypes() []string { return slices.Clone(specs[k].types) }

// BaseColumns come first in every report: where and when the event was
// committed. tx is empty for an event of the block's timers (an expiry,
// say), which no transaction caused.
var BaseColumns = []string{"height", "time", "tx", "index", "event"}

// Columns are kind k's columns: BaseColumns, then the attributes it prints.
func (k Kind) Columns() []string { return slices.Concat(BaseColumns, specs[k].cols) }

// Query selects a report's rows.
type Query struct {
	Kind Kind
	// From and To bound the block time, unix ms, From inclusive and To
	// exclusive.
	From, To uint64
	// Threshold (micro-USDT) keeps transfers of at least this much; large-tx only.
	Threshold uint64
}

func (q Query) check() error {
	if _, ok := specs[q.Kind]; !ok {
		return fmt.Errorf("%w %q", ErrUnknownKind, q.Kind)
	}
	if q.To <= q.From {
		return fmt.Errorf("%w: to (%d) is not after from (%d)", ErrBadRange, q.To, q.From)
	}
	if q.Threshold > 0 && q.Kind != LargeTx {
		return ErrThreshold
	}
	return nil
}

// Row is one reported event.
type Row struct {
	Height uint64
	Time   uint64     // block time, unix ms
	Tx     types.Hash // zero for a block timer's event
	Index  int        // the event's position among the block's events: timers' first, then each transaction's in order
	Event  types.Event
}

// Values renders r in kind k's column order; an attribute the event does
// not carry is empty.
func (r Row) Values(k Kind) []string {
	out := make([]string, 0, len(BaseColumns)+len(specs[k].cols))
	tx := ""
	if r.Tx != (types.Hash{}) {
		tx = r.Tx.Hex()
	}
	out = append(out, fmt.Sprint(r.Height), time.UnixMilli(int64(r.Time)).UTC().Format("2006-01-02T15:04:05.000Z"), tx, fmt.Sprint(r.Index), r.Event.Type)
	for _, c := range specs[k].cols {
		out = append(out, r.Event.Get(c))
	}
	return out
}

// Store is what a report reads; *ledger.Ledger is one.
type Store interface {
	Last() ledger.Meta
	PrunedBase() uint64 // lowest height whose block and receipts are kept
	BlockRaw(h uint64) ([]byte, error)
	Receipts(h uint64) ([]*types.Receipt, error)
	BlockEvents(h uint64) ([]types.Event, error)
}

// header decodes only block h's header: a report needs its time and
// transaction count, and decoding (and re-hashing) every transaction of
// a full block cost more than the rest of the report.
func header(s Store, h uint64) (*types.Header, error) {
	raw, err := s.BlockRaw(h)
	if err != nil {
		return nil, fmt.Errorf("report: block %d: %w", h, err)
	}
	_, content, _, err := rlp.Split(raw)
	if err != nil {
		return nil, fmt.Errorf("report: block %d: %w", h, err)
	}
	_, _, rest, err := rlp.Split(content)
	if err != nil {
		return nil, fmt.Errorf("report: block %d header: %w", h, err)
	}
	var hdr types.Header
	if err := rlp.DecodeBytes(content[:len(content)-len(rest)], &hdr); err != nil {
		return nil, fmt.Errorf("report: block %d header: %w", h, err)
	}
	if hdr.Height != h {
		return nil, fmt.Errorf("report: block %d holds height %d", h, hdr.Height)
	}
	return &hdr, nil
}

var _ Store = (*ledger.Ledger)(nil)

// Heights finds the blocks whose time is in [from, to): lo..hi, with
// ok false when there are none. Block times strictly increase, so two
// binary searches over the store's heights suffice. A range that may hold
// pruned blocks is ErrPruned.
func Heights(s Store, from, to uint64) (lo, hi uint64, ok bool, err error) {
	top, base := s.Last().Height, max(s.PrunedBase(), 1)
	if top == 0 || base > top {
		return 0, 0, false, nil
	}
	if base > 1 {
		oldest, err := header(s, base)
		if err != nil {
			return 0, 0, false, err
		}
		if from < oldest.Time {
			return 0, 0, false, fmt.Errorf("%w: blocks below %d are pruned; the oldest kept is from %s",
				ErrPruned, base, time.UnixMilli(int64(oldest.Time)).UTC().Format(time.RFC3339))
		}
	}
	first, err := firstAtOrAfter(s, base, top, from)
	if err != nil {
		return 0, 0, false, err
	}
	end, err := firstAtOrAfter(s, base, top, to)
	if err != nil {
		return 0, 0, false, err
	}
	if first >= end {
		return 0, 0, false, nil
	}
	return first, end - 1, true, nil
}

// firstAtOrAfter is the lowest height in base..top whose block time is at
// least t, or top+1.
func firstAtOrAfter(s Store, base, top, t uint64) (uint64, error) {
	lo, hi := base, top+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		hdr, err := header(s, mid)
		if err != nil {
			return 0, err
		}
		if hdr.Time >= t {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}

// Progress is told, now and then, how far a report has got.
type Progress func(height, lo, hi uint64, rows int64)

// Stats sums up a finished report.
type Stats struct {
	From, To uint64 // heights read (0, 0 when the range held no block)
	Blocks   uint64
	Events   int64 // events read in those blocks
	Rows     int64 // events reported
}

// Run streams q's rows to emit, block by block, holding one block's
// events at a time: memory does not grow with the range. progress (may be
// nil) is called after each block at most every progressEvery. A
// cancelled ctx stops it between blocks.
func Run(ctx context.Context, s Store, q Query, emit func(Row) error, progress Progress, progressEvery time.Duration) (Stats, error) {
	var st Stats
	if err := q.check(); err != nil {
		return st, err
	}
	lo, hi, ok, err := Heights(s, q.From, q.To)
	if err != nil || !ok {
		return st, err
	}
	st.From, st.To = lo, hi
	want := map[string]bool{}
	for _, t := range specs[q.Kind].types {
		want[t] = true
	}
	keep := func(e types.Event) bool {
		if !want[e.Type] {
			return false
		}
		if q.Kind == LargeTx && q.Threshold > 0 {
			amt, err := strconv.ParseUint(e.Get("amount"), 10, 64)
			return err == nil && amt >= q.Threshold
		}
		return true
	}
	last := time.Now()
	for h := lo; h <= hi; h++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		hdr, err := header(s, h)
		if err != nil {
			return st, err
		}
		idx := 0
		visit := func(tx types.Hash, evs []types.Event) error {
			for _, e := range evs {
				st.Events++
				if keep(e) {
					st.Rows++
					if err := emit(Row{Height: h, Time: hdr.Time, Tx: tx, Index: idx, Event: e}); err != nil {
						return err
					}
				}
				idx++
			}
			return nil
		}
		timers, err := s.BlockEvents(h)
		if err != nil {
			return st, fmt.Errorf("report: block %d events: %w", h, err)
		}
		if err := visit(types.Hash{}, timers); err != nil {
			return st, err
		}
		if hdr.TxCount > 0 {
			rs, err := s.Receipts(h)
			if err != nil {
				return st, fmt.Errorf("report: block %d receipts: %w", h, err)
			}
			// A failed transaction keeps the events of what did happen
			// (its ante: the fee), so every receipt is read.
			for _, r := range rs {
				if err := visit(r.TxHash, r.Events); err != nil {
					return st, err
				}
			}
		}
		st.Blocks++
		if progress != nil && (time.Since(last) >= progressEvery || h == hi) {
			progress(h, lo, hi, st.Rows)
			last = time.Now()
		}
	}
	return st, nil
}
