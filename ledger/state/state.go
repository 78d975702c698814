package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

// Store is the state a contract module reads and writes. Keys and values are
// opaque bytes; callers must not modify a returned value or a key they passed
// to Set afterwards. Storage failures are not returned per call: the store
// remembers the first one (Err) and the block executor aborts the block.
type Store interface {
	Get(key []byte) ([]byte, bool)
	Has(key []byte) bool
	Set(key, value []byte)
	Delete(key []byte)
	// Iterate calls fn for each key in [start, end) in ascending order (or
	// descending if reverse) until fn returns false. fn must not write.
	Iterate(start, end []byte, reverse bool, fn func(key, value []byte) bool)
}

// Reader is the committed state under the overlay.
type Reader interface {
	Get(key []byte) ([]byte, error)
	Iterator(start, end []byte) (kv.Iterator, error)
	ReverseIterator(start, end []byte) (kv.Iterator, error)
}

type entry struct {
	value   []byte
	deleted bool // a pending delete; in reads: absent from the committed view
}

type undo struct {
	key  string
	prev entry
	had  bool // the key was in the overlay before the write
}

// Overlay holds a block's pending writes over a committed Reader.
// It is not safe for concurrent use.
//
// Reads of the committed view are memoized for the overlay's lifetime (a
// block executes against one committed state), so a key that many
// transactions read (parameters, module accounts) costs one database read
// per block.
type Overlay struct {
	base  Reader
	dirty map[string]entry
	// sorted holds every key ever put in dirty, in order; fresh collects
	// keys added since the last Iterate, merged in lazily. Keys reverted
	// out of dirty stay in sorted and are skipped, so Iterate costs a
	// binary search plus the keys in range, not a scan of every pending
	// write of the block.
	sorted  []string
	fresh   []string
	reads   map[string]entry
	journal []undo
	err     error
}

// NewOverlay starts an empty overlay over base.
func NewOverlay(base Reader) *Overlay {
	return &Overlay{base: base, dirty: make(map[string]entry, 1024)}
}

// Err returns the first storage error seen; the block must then be aborted.
func (o *Overlay) Err() error { return o.err }

func (o *Overlay) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// Get implements Store.
func (o *Overlay) Get(key []byte) ([]byte, bool) {
	if e, ok := o.dirty[string(key)]; ok {
		if e.deleted {
			return nil, false
		}
		return e.value, true
	}
	if o.base == nil {
		return nil, false
	}
	if e, ok := o.reads[string(key)]; ok {
		return e.value, !e.deleted
	}
	v, err := o.base.Get(key)
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		o.fail(fmt.Errorf("state get %x: %w", key, err))
		return nil, false
	}
	if o.reads == nil { // most overlays are one-off queries: allocate on demand
		o.reads = make(map[string]entry, 64)
	}
	if err != nil {
		o.reads[string(key)] = entry{deleted: true}
		return nil, false
	}
	o.reads[string(key)] = entry{value: v}
	return v, true
}

// Has implements Store.
func (o *Overlay) Has(key []byte) bool {
	_, ok := o.Get(key)
	return ok
}

// Set implements Store.
func (o *Overlay) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	o.put(key, entry{value: value})
}

// Delete implements Store.
func (o *Overlay) Delete(key []byte) {
	o.put(key, entry{deleted: true})
}

func (o *Overlay) put(key []byte, e entry) {
	k := string(key)
	prev, had := o.dirty[k]
	o.journal = append(o.journal, undo{key: k, prev: prev, had: had})
	o.dirty[k] = e
	if !had {
		o.fresh = append(o.fresh, k)
	}
}

// pendingIn returns the pending keys in [start, end), ascending.
func (o *Overlay) pendingIn(start, end []byte) []string {
	if len(o.fresh) > 0 {
		slices.Sort(o.fresh)
		merged := make([]string, 0, len(o.sorted)+len(o.fresh))
		i, j := 0, 0
		for i < len(o.sorted) || j < len(o.fresh) {
			var k string
			if j >= len(o.fresh) || (i < len(o.sorted) && o.sorted[i] <= o.fresh[j]) {
				k = o.sorted[i]
				i++
			} else {
				k = o.fresh[j]
				j++
			}
			if n := len(merged); n == 0 || merged[n-1] != k {
				merged = append(merged, k)
			}
		}
		o.sorted, o.fresh = merged, o.fresh[:0]
	}
	lo := 0
	if len(start) > 0 {
		lo, _ = slices.BinarySearch(o.sorted, string(start))
	}
	hi := len(o.sorted)
	if len(end) > 0 {
		hi, _ = slices.BinarySearch(o.sorted, string(end))
	}
	if lo >= hi {
		return nil
	}
	out := make([]string, 0, hi-lo)
	for _, k := range o.sorted[lo:hi] {
		if _, ok := o.dirty[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// Snapshot marks the journal; RevertTo(Snapshot()) undoes every write since.
func (o *Overlay) Snapshot() int { return len(o.journal) }

// RevertTo undoes writes back to a snapshot mark.
func (o *Overlay) RevertTo(mark int) {
	for i := len(o.journal) - 1; i >= mark; i-- {
		u := o.journal[i]
		if u.had {
			o.dirty[u.key] = u.prev
		} else {
			delete(o.dirty, u.key)
		}
	}
	clear(o.journal[mark:]) // drop references to reverted values
	o.journal = o.journal[:mark]
}

// Iterate implements Store by merging the committed view and the pending
// writes in key order.
func (o *Overlay) Iterate(start, end []byte, reverse bool, fn func(key, value []byte) bool) {
	pend := o.pendingIn(start, end)
	if reverse {
		slices.Reverse(pend)
	}
	var it kv.Iterator
	if o.base != nil {
		var err error
		if reverse {
			it, err = o.base.ReverseIterator(start, end)
		} else {
			it, err = o.base.Iterator(start, end)
		}
		if err != nil {
			o.fail(fmt.Errorf("state iterate: %w", err))
			return
		}
		defer it.Close()
	}
	before := func(a, b []byte) bool { // a comes first in the walk order
		if reverse {
			return bytes.Compare(a, b) > 0
		}
		return bytes.Compare(a, b) < 0
	}
	baseOK := it != nil && it.Next()
	i := 0
	for baseOK || i < len(pend) {
		if i < len(pend) && (!baseOK || !before(it.Key(), []byte(pend[i]))) {
			k := pend[i]
			i++
			if baseOK && bytes.Equal(it.Key(), []byte(k)) {
				baseOK = it.Next() // the pending write shadows the committed value
			}
			e := o.dirty[k]
			if e.deleted {
				continue
			}
			if !fn([]byte(k), e.value) {
				return
			}
			continue
		}
		if !fn(bytes.Clone(it.Key()), bytes.Clone(it.Value())) {
			return
		}
		baseOK = it.Next()
	}
	if it != nil && it.Err() != nil {
		o.fail(fmt.Errorf("state iterate: %w", it.Err()))
	}
}

// Write is one entry of a block's write set.
type Write struct {
	Key     []byte
	Value   []byte // nil when Deleted
	Deleted bool
}

// WriteSet returns the pending writes sorted by key. Writes that restore
// nothing (a delete of a key absent from the committed view is kept: it is
// cheap and harmless) are reported as they are. The keys are copies; the
// values are the overlay's and must not be modified.
func (o *Overlay) WriteSet() []Write {
	keys := make([]string, 0, len(o.dirty))
	size := 0
	for k := range o.dirty {
		keys = append(keys, k)
		size += len(k)
	}
	slices.Sort(keys)
	buf := make([]byte, 0, size) // one allocation for every key
	out := make([]Write, len(keys))
	for i, k := range keys {
		n := len(buf)
		buf = append(buf, k...)
		e := o.dirty[k]
		out[i] = Write{Key: buf[n:len(buf):len(buf)], Value: e.value, Deleted: e.deleted}
	}
	return out
}

// Len is the number of pending keys.
func (o *Overlay) Len() int { return len(o.dirty) }

// NextAppHash chains the app hash: Keccak(prev || Keccak(encoded sorted write
// set)). Each write is encoded as key length, key, a deleted flag, value
// length and value, so no two different write sets share an encoding.
func NextAppHash(prev types.Hash, ws []Write) types.Hash {
	h := types.NewKeccakState()
	var buf [5]byte
	for _, w := range ws {
		binary.BigEndian.PutUint32(buf[:4], uint32(len(w.Key)))
		h.Write(buf[:4])
		h.Write(w.Key)
		if w.Deleted {
			buf[0] = 1
			h.Write(buf[:1])
			continue
		}
		buf[0] = 0
		binary.BigEndian.PutUint32(buf[1:5], uint32(len(w.Value)))
		h.Write(buf[:5])
		h.Write(w.Value)
	}
	var setHash types.Hash
	h.Read(setHash[:])
	return types.Keccak(prev[:], setHash[:])
}

// Journaled is a Store whose writes can be rolled back to a mark, so a
// failed transaction leaves no trace beyond its fee and nonce.
type Journaled interface {
	Store
	Snapshot() int
	RevertTo(mark int)
}

var _ Journaled = (*Overlay)(nil)

// PrefixEnd is the exclusive end key for iterating every key with prefix p.
func PrefixEnd(p []byte) []byte { return kv.PrefixEnd(p) }
