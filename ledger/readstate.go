package ledger

import (
	"bytes"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
)

// ReadState is a read-only view of the committed state that costs nothing
// to create: queries, mempool admission and RPC handlers use it instead of
// an Overlay. Writes panic: nothing may change committed state outside a
// block.
type ReadState struct{ r cachedStateReader }

// ReadState returns the committed state for reading.
func (l *Ledger) ReadState() ReadState { return ReadState{l.stateReader()} }

var _ state.Store = ReadState{}

// Get implements state.Store. A storage error reads as absent.
func (s ReadState) Get(key []byte) ([]byte, bool) {
	v, err := s.r.Get(key)
	if err != nil {
		return nil, false
	}
	return v, true
}

// Has implements state.Store.
func (s ReadState) Has(key []byte) bool {
	_, ok := s.Get(key)
	return ok
}

// Set implements state.Store by refusing.
func (ReadState) Set(key, value []byte) { panic("ledger: write to read-only state") }

// Delete implements state.Store by refusing.
func (ReadState) Delete(key []byte) { panic("ledger: write to read-only state") }

// Iterate implements state.Store.
func (s ReadState) Iterate(start, end []byte, reverse bool, fn func(key, value []byte) bool) {
	var it kv.Iterator
	var err error
	if reverse {
		it, err = s.r.ReverseIterator(start, end)
	} else {
		it, err = s.r.Iterator(start, end)
	}
	if err != nil {
		return
	}
	defer it.Close()
	for it.Next() {
		if !fn(bytes.Clone(it.Key()), bytes.Clone(it.Value())) {
			return
		}
	}
}
