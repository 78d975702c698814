package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Pruning. A node that keeps every block body, receipt and transaction
// index entry grows without bound; most never need them again once the
// blocks are final. Prune deletes them below a height while keeping what a
// light client, a checkpoint or a late joiner still needs: every header
// (moved to its own key when its body goes), every commit certificate and
// the hash -> height index. Anything else that still needs old bodies or
// receipts says so through a Retainer, and the ledger never prunes at or
// above the lowest height a Retainer reports.
//
// Pruning runs in batches of whole heights; each batch also moves the
// pruned base (keyPruned) in the same atomic write, so a crash in the
// middle leaves a ledger where every height below the base is pruned and
// every height at or above it is whole; the next Prune carries on.

// ErrPruned is returned (wrapped) for data of a height below the pruned
// base. It matches ErrNotFound as well, so callers that treat "absent" alike
// need not change.
var ErrPruned = fmt.Errorf("%w: pruned", ErrNotFound)

var (
	prefixHeader = []byte("b/H/") // height -> header, once the body is pruned
	keyPruned    = []byte("m/pruned")
)

// pruneBatchHeights bounds the heights one prune batch covers, so a batch
// stays far below badger's transaction limit even for full blocks (each
// height deletes one index entry per transaction).
const pruneBatchHeights = 16

// Retainer is whatever still needs old block bodies, receipts or
// transaction index entries: e.g. a module whose pending proofs refer to
// receipts until they are settled. RetainHeight returns the lowest height
// that must stay whole, given the committed state, or 0 when it needs none.
type Retainer interface {
	RetainHeight(st state.Store) uint64
}

// RetainFunc adapts a function to Retainer.
type RetainFunc func(st state.Store) uint64

// RetainHeight implements Retainer.
func (f RetainFunc) RetainHeight(st state.Store) uint64 { return f(st) }

// PruneResult says what a Prune call did.
type PruneResult struct {
	From, To uint64 // heights [From, To) were pruned in this call (From == To: none)
	// HeldBy is the height a Retainer asked to keep when it, not keep,
	// bounded the call (0 otherwise).
	HeldBy uint64
}

// PrunedBase is the lowest height whose body, receipts and transaction
// index are still stored (1 when nothing was pruned).
func (l *Ledger) PrunedBase() uint64 {
	raw, err := l.db.Get(keyPruned)
	if err != nil || len(raw) != 8 {
		return 1
	}
	return binary.BigEndian.Uint64(raw)
}

// PruneTarget is the height Prune(keep, rs...) would prune up to
// (exclusive) now, and the retain height that bounded it (0 if none did).
func (l *Ledger) PruneTarget(keep uint64, rs ...Retainer) (target, heldBy uint64) {
	last := l.Last().Height
	if keep == 0 {
		keep = 1 // the last block always stays: the consensus driver starts from it
	}
	if last < keep {
		return 1, 0
	}
	target = last - keep + 1
	st := l.ReadState()
	for _, r := range rs {
		if h := r.RetainHeight(st); h > 0 && h < target {
			target, heldBy = h, h
		}
	}
	return max(target, 1), heldBy
}

// Prune deletes the bodies, receipts, block events and transaction index
// entries of every height below the last keep heights (and below the
// lowest height a Retainer reports), keeping headers and certificates. It
// may run beside Commit and reads.
func (l *Ledger) Prune(keep uint64, rs ...Retainer) (PruneResult, error) {
	target, heldBy := l.PruneTarget(keep, rs...)
	base := l.PrunedBase()
	res := PruneResult{From: base, To: base, HeldBy: heldBy}
	var freed int64
	for base < target {
		next := min(base+pruneBatchHeights, target)
		n, err := l.pruneRange(base, next)
		freed += n
		if err != nil {
			return res, err
		}
		base = next
		res.To = base
	}
	// Badger keeps deleted blocks on disk until it is told (kv.Reclaim
	// decides when that is worth its work). The bodies stand for the
	// receipts deleted beside them.
	if err := kv.Reclaim(l.db, freed); err != nil {
		return res, fmt.Errorf("prune: reclaim disk: %w", err)
	}
	return res, nil
}

// pruneRange prunes heights [from, to) and moves the base to `to` in one
// atomic batch. It returns the bytes of block bodies it deleted.
func (l *Ledger) pruneRange(from, to uint64) (int64, error) {
	b := l.db.NewBatch()
	defer b.Close()
	var freed int64
	for h := from; h < to; h++ {
		raw, err := l.db.Get(heightKey(prefixBlock, h))
		if err != nil {
			return 0, fmt.Errorf("prune: read block %d: %w", h, err)
		}
		blk, err := types.DecodeBlock(raw)
		if err != nil {
			return 0, fmt.Errorf("prune: decode block %d: %w", h, err)
		}
		freed += int64(len(raw))
		hdr, err := rlp.EncodeToBytes(&blk.Header)
		if err != nil {
			return 0, fmt.Errorf("prune: encode header %d: %w", h, err)
		}
		if err := b.Set(heightKey(prefixHeader, h), hdr); err != nil {
			return 0, err
		}
		for _, k := range [][]byte{heightKey(prefixBlock, h), heightKey(prefixReceipts, h), heightKey(prefixEvents, h)} {
			if err := b.Delete(k); err != nil {
				return 0, err
			}
		}
		key := make([]byte, 0, len(prefixTx)+len(types.Hash{}))
		for _, tx := range blk.Txs {
			th := tx.Hash()
			key = append(append(key[:0], prefixTx...), th[:]...)
			if err := b.Delete(key); err != nil {
				return 0, err
			}
		}
	}
	nb := make([]byte, 8)
	binary.BigEndian.PutUint64(nb, to)
	if err := b.Set(keyPruned, nb); err != nil {
		return 0, err
	}
	l.recent.dropBelow(to) // before the bodies go, so no reader sees a pruned block
	if err := b.Commit(); err != nil {
		return 0, fmt.Errorf("prune heights %d-%d: %w", from, to-1, err)
	}
	return freed, nil
}

// Header returns the header at height h, whether or not its body was pruned.
func (l *Ledger) Header(h uint64) (*types.Header, error) {
	raw, err := l.db.Get(heightKey(prefixBlock, h))
	if err == nil {
		blk, err := types.DecodeBlock(raw)
		if err != nil {
			return nil, err
		}
		return &blk.Header, nil
	}
	raw, err2 := l.db.Get(heightKey(prefixHeader, h))
	if err2 != nil {
		return nil, notFound(errors.Join(err, err2), "header %d", h)
	}
	var hdr types.Header
	if err := rlp.DecodeBytes(raw, &hdr); err != nil {
		return nil, fmt.Errorf("decode header %d: %w", h, err)
	}
	return &hdr, nil
}

// prunedErr turns a missing body, receipts or index entry of a height below
// the pruned base into ErrPruned, with the base in the message.
func (l *Ledger) prunedErr(err error, what string, h uint64) error {
	if errors.Is(err, ErrNotFound) && h > 0 && h < l.PrunedBase() {
		return fmt.Errorf("%s %d: %w (this node keeps blocks from %d)", what, h, ErrPruned, l.PrunedBase())
	}
	return err
}
