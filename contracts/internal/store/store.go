// Package store holds the state-access shapes the native modules' keepers
// share: big-endian counters, RLP records behind a key, and per-party
// indexes of record IDs. It owns no keys: every caller passes its own
// prefixes, so the byte layout of each module's state stays where it is
// documented (the module's keeper.go) and is unchanged by using this.
package store

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// BE64 is v as 8 big-endian bytes, so keys sort by number.
func BE64(v uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), v) }

// GetU64 reads a counter written by SetU64; absent (or not 8 bytes) is 0.
func GetU64(st state.Store, key []byte) uint64 {
	if v, ok := st.Get(key); ok && len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// SetU64 writes a counter; 0 deletes the key, so zero counters cost no state.
func SetU64(st state.Store, key []byte, v uint64) {
	if v == 0 {
		st.Delete(key)
		return
	}
	st.Set(key, BE64(v))
}

// Get decodes the RLP record at key. what names the record in errors
// ("channel 0x…"); a missing key wraps notFound, an undecodable one corrupt.
func Get[T any](st state.Store, key []byte, what string, notFound, corrupt error) (*T, error) {
	v, ok := st.Get(key)
	if !ok {
		return nil, fmt.Errorf("%s: %w", what, notFound)
	}
	var r T
	if err := core.Decode(v, &r); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", what, corrupt, err)
	}
	return &r, nil
}

// Put writes r RLP-encoded at key.
func Put(st state.Store, key []byte, r any) { st.Set(key, core.Encode(r)) }

// SeqIDs lists the IDs stored as values under prefix ‖ owner ‖ be64(seq),
// in sequence order from seq after+1, at most limit (≤ 0: no limit).
func SeqIDs(st state.Store, prefix []byte, owner types.Address, after uint64, limit int) []types.Hash {
	if after == ^uint64(0) {
		return nil
	}
	p := slices.Concat(prefix, owner[:])
	var ids []types.Hash
	st.Iterate(slices.Concat(p, BE64(after+1)), state.PrefixEnd(p), false, func(_, v []byte) bool {
		ids = append(ids, types.Hash(v))
		return limit <= 0 || len(ids) < limit
	})
	return ids
}

// SuffixIDs lists the IDs ending the keys prefix ‖ owner ‖ id, in ID order,
// at most limit (≤ 0: no limit).
func SuffixIDs(st state.Store, prefix []byte, owner types.Address, limit int) []types.Hash {
	p := slices.Concat(prefix, owner[:])
	var ids []types.Hash
	st.Iterate(p, state.PrefixEnd(p), false, func(key, _ []byte) bool {
		ids = append(ids, types.Hash(key[len(p):]))
		return limit <= 0 || len(ids) < limit
	})
	return ids
}

// Load fetches the record of every ID in order, stopping at the first error.
func Load[T any](ids []types.Hash, get func(types.Hash) (*T, error)) ([]*T, error) {
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		r, err := get(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CountPrefix counts the keys under prefix.
func CountPrefix(st state.Store, prefix []byte) int {
	n := 0
	st.Iterate(prefix, state.PrefixEnd(prefix), false, func(_, _ []byte) bool { n++; return true })
	return n
}

// Each decodes every record under prefix in key order and calls fn until it
// returns false. An undecodable record stops the walk with an error naming
// what ("channel") and its key.
func Each[T any](st state.Store, prefix []byte, what string, fn func(r *T) bool) error {
	var err error
	st.Iterate(prefix, state.PrefixEnd(prefix), false, func(k, v []byte) bool {
		var r T
		if err = core.Decode(v, &r); err != nil {
			err = fmt.Errorf("%s %x: %w", what, k, err)
			return false
		}
		return fn(&r)
	})
	return err
}

// Tally counts open records per owner, in the order owners are first seen,
// so an invariant can hold it against the per-owner counters.
type Tally struct {
	n     map[types.Address]uint64
	order []types.Address
}

// Add counts one open record of a.
func (t *Tally) Add(a types.Address) {
	if t.n == nil {
		t.n = map[types.Address]uint64{}
	}
	if _, seen := t.n[a]; !seen {
		t.order = append(t.order, a)
	}
	t.n[a]++
}

// Check compares the tally with the counters at prefix ‖ owner (GetU64):
// each counted owner's counter must equal its count and no other owner may
// have one. noun names the records in the message ("open payments").
func (t *Tally) Check(st state.Store, prefix []byte, noun string) (string, bool) {
	for _, a := range t.order {
		if got := GetU64(st, slices.Concat(prefix, a[:])); got != t.n[a] {
			return fmt.Sprintf("payer %s open count %d, %d %s", a.Hex(), got, t.n[a], noun), true
		}
	}
	if n := CountPrefix(st, prefix); n != len(t.order) {
		return fmt.Sprintf("%d open counters, %d payers with %s", n, len(t.order), noun), true
	}
	return "", false
}
