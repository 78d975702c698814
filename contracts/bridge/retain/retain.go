// Package retain records, in a module's state, the block heights whose
// bodies and receipts a cross-chain proof still needs: the bridge's locks
// on main (until the side chain can have minted them) and burns on a side
// chain (until main released them). A pruning node (ledger.Prune, through
// core.HeightRetainer) keeps every block at or above the lowest recorded
// height. Entries are keyed by (height, sequence number), so the lowest is
// the first key of the prefix and both adding and removing cost one write.
//
// Every entry also expires after Window blocks (Expire, from the module's
// BeginBlock, a bounded number a block): a chain cannot see the other
// chain's progress for certain, and one forgotten proof must not stop a
// node from pruning forever. A proof older than that is served by a node
// that does not prune (an archive node); see docs/design.md.
package retain

import (
	"encoding/binary"
	"slices"

	"github.com/accordnet/accord/ledger/state"
)

// DefaultWindow is how many blocks an entry holds pruning back at most: a
// week of one-second blocks, far longer than a relayer outage should last.
const DefaultWindow = 7 * 24 * 60 * 60

// MaxExpirePerBlock bounds the entries Expire removes in one block, so a
// block's timer work stays bounded however many proofs were recorded at
// one height; the rest expire in the next blocks.
const MaxExpirePerBlock = 1024

// Set is one module's retained heights under a state prefix.
type Set struct {
	Prefix []byte
	Window uint64 // blocks; 0 means DefaultWindow
}

func (s Set) key(height, seq uint64) []byte {
	k := slices.Grow(slices.Clone(s.Prefix), 16)
	k = binary.BigEndian.AppendUint64(k, height)
	return binary.BigEndian.AppendUint64(k, seq)
}

func (s Set) window() uint64 {
	if s.Window == 0 {
		return DefaultWindow
	}
	return s.Window
}

// Add records that the proof (height, seq) is pending.
func (s Set) Add(st state.Store, height, seq uint64) { st.Set(s.key(height, seq), []byte{1}) }

// Has reports whether (height, seq) is pending.
func (s Set) Has(st state.Store, height, seq uint64) bool { return st.Has(s.key(height, seq)) }

// Remove settles (height, seq); false if it was not pending (settled
// before, expired, or never recorded).
func (s Set) Remove(st state.Store, height, seq uint64) bool {
	k := s.key(height, seq)
	if !st.Has(k) {
		return false
	}
	st.Delete(k)
	return true
}

// end is the first key after the prefix.
func (s Set) end() []byte {
	e := slices.Clone(s.Prefix)
	for i := len(e) - 1; i >= 0; i-- {
		if e[i]++; e[i] != 0 {
			return e[:i+1]
		}
	}
	return nil
}

// Lowest is the lowest pending height, 0 when none is.
func (s Set) Lowest(st state.Store) uint64 {
	var low uint64
	st.Iterate(s.Prefix, s.end(), false, func(k, _ []byte) bool {
		if len(k) == len(s.Prefix)+16 {
			low = binary.BigEndian.Uint64(k[len(s.Prefix):])
		}
		return false
	})
	return low
}

// Expire removes, at block height now, the entries recorded more than
// Window blocks before it (at most MaxExpirePerBlock), and returns how
// many it removed.
func (s Set) Expire(st state.Store, now uint64) int {
	w := s.window()
	if now <= w {
		return 0
	}
	var keys [][]byte
	st.Iterate(s.Prefix, s.key(now-w, 0), false, func(k, _ []byte) bool {
		keys = append(keys, slices.Clone(k))
		return len(keys) < MaxExpirePerBlock
	})
	for _, k := range keys {
		st.Delete(k)
	}
	return len(keys)
}
